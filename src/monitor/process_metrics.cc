#include "monitor/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

namespace aimass::monitor {
namespace {

// Field `field` of <proc>/self/statm (0: total program size, 1: resident set; in pages),
// in bytes.
std::optional<double> StatmBytes(const std::filesystem::path& path, size_t field) {
  std::ifstream in(path);
  const std::vector<double> pages{std::istream_iterator<double>(in),
                                  std::istream_iterator<double>()};
  if (pages.size() <= field) return std::nullopt;
  return pages[field] * static_cast<double>(sysconf(_SC_PAGESIZE));
}

// Entries of <proc>/self/fd, less the one this listing itself holds open.
std::optional<double> OpenFds(const std::filesystem::path& fd_dir) {
  std::error_code error;
  std::filesystem::directory_iterator it(fd_dir, error);
  if (error) return std::nullopt;
  double count = 0;
  for (; it != std::filesystem::directory_iterator(); it.increment(error)) {
    if (error) return std::nullopt;
    ++count;
  }
  return count > 0 ? count - 1 : 0;
}

std::optional<double> MaxFds() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
    return std::nullopt;
  }
  return static_cast<double>(limit.rlim_cur);
}

std::optional<double> CpuSeconds() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return std::nullopt;
  auto seconds = [](const timeval& time) {
    return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Boot time (`btime` in <proc>/stat) plus the process's start in clock ticks after boot
// (field 22 of <proc>/self/stat), as Prometheus's Go and Python clients compute it.
std::optional<double> StartTimeSeconds(const std::filesystem::path& proc_dir) {
  std::ifstream stat(proc_dir / "stat");
  std::string line;
  std::optional<double> boot_time;
  while (std::getline(stat, line)) {
    if (line.starts_with("btime ")) {
      boot_time = std::strtod(line.c_str() + 6, nullptr);
      break;
    }
  }
  if (!boot_time) return std::nullopt;
  std::ifstream self(proc_dir / "self" / "stat");
  std::getline(self, line);
  // The command name (field 2) is in parentheses and may hold spaces and parentheses:
  // fields 3 onwards follow the last ')'.
  const size_t name_end = line.rfind(')');
  if (name_end == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(name_end + 1));
  std::string field;
  for (int number = 3; fields >> field; ++number) {
    if (number == 22) {
      const long ticks_per_second = sysconf(_SC_CLK_TCK);
      if (ticks_per_second <= 0) return std::nullopt;
      return *boot_time + std::strtod(field.c_str(), nullptr) / ticks_per_second;
    }
  }
  return std::nullopt;
}

}  // namespace

void RegisterProcessMetrics(MetricsRegistry& registry, const std::filesystem::path& proc_dir) {
  const std::filesystem::path statm = proc_dir / "self" / "statm";
  const std::filesystem::path fd_dir = proc_dir / "self" / "fd";
  registry
      .CallbackCounter("process_cpu_seconds_total",
                       "Total user and system CPU time spent in seconds.")
      .Set({}, CpuSeconds);
  registry.CallbackGauge("process_open_fds", "Number of open file descriptors.").Set({}, [fd_dir] {
    return OpenFds(fd_dir);
  });
  registry.CallbackGauge("process_max_fds", "Maximum number of open file descriptors.")
      .Set({}, MaxFds);
  registry.CallbackGauge("process_virtual_memory_bytes", "Virtual memory size in bytes.")
      .Set({}, [statm] { return StatmBytes(statm, 0); });
  registry.CallbackGauge("process_resident_memory_bytes", "Resident memory size in bytes.")
      .Set({}, [statm] { return StatmBytes(statm, 1); });
  const std::optional<double> start_time = StartTimeSeconds(proc_dir);
  registry
      .CallbackGauge("process_start_time_seconds",
                     "Start time of the process since unix epoch in seconds.")
      .Set({}, [start_time] { return start_time; });
}

}  // namespace aimass::monitor
