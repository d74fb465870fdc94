#include "monitor/process_metrics.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <string>

namespace aimass::monitor {
namespace {

// The value of the label-less sample `name` in `text`, or NaN when it is absent.
double SampleValue(const std::string& text, const std::string& name) {
  const size_t at = text.find("\n" + name + " ");
  if (at == std::string::npos) return NAN;
  return std::strtod(text.c_str() + at + name.size() + 2, nullptr);
}

TEST(ProcessMetricsTest, ReadsThisProcess) {
  MetricsRegistry registry;
  RegisterProcessMetrics(registry);
  const std::string before = registry.Expose();
  EXPECT_NE(before.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
  EXPECT_NE(before.find("# TYPE process_resident_memory_bytes gauge\n"), std::string::npos);

  const double resident = SampleValue(before, "process_resident_memory_bytes");
  const double virtual_bytes = SampleValue(before, "process_virtual_memory_bytes");
  EXPECT_GT(resident, 1 << 20);
  EXPECT_GE(virtual_bytes, resident);
  EXPECT_GE(SampleValue(before, "process_cpu_seconds_total"), 0);
  EXPECT_GT(SampleValue(before, "process_max_fds"), 0);
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const double start = SampleValue(before, "process_start_time_seconds");
  // Boot time is whole seconds and drifts from the wall clock over a long uptime.
  EXPECT_LT(start, now + 60);
  EXPECT_GT(start, now - 24 * 3600);

  const double fds = SampleValue(before, "process_open_fds");
  const int fd = open("/dev/null", O_RDONLY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(SampleValue(registry.Expose(), "process_open_fds"), fds + 1);
  close(fd);
  EXPECT_EQ(SampleValue(registry.Expose(), "process_open_fds"), fds);
}

TEST(ProcessMetricsTest, LeavesOutWhatCannotBeRead) {
  MetricsRegistry registry;
  RegisterProcessMetrics(registry, "/nonexistent-proc");
  const std::string text = registry.Expose();
  EXPECT_EQ(text.find("process_resident_memory_bytes"), std::string::npos) << text;
  EXPECT_EQ(text.find("process_open_fds"), std::string::npos) << text;
  EXPECT_EQ(text.find("process_start_time_seconds"), std::string::npos) << text;
  EXPECT_NE(text.find("process_cpu_seconds_total "), std::string::npos) << text;
}

}  // namespace
}  // namespace aimass::monitor
