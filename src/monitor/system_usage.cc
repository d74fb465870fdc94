#include "monitor/system_usage.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

namespace aimass::monitor {
namespace fs = std::filesystem;

namespace {

// The number after `key` on its line of a "Key:   value unit" file (meminfo, status).
uint64_t FieldOf(const fs::path& file, const std::string& key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with(key + ":"))
      return std::strtoull(line.c_str() + key.size() + 1, nullptr, 10);
  }
  return 0;
}

}  // namespace

SystemUsage ReadSystemUsage(const fs::path& data_dir, const fs::path& proc_dir) {
  SystemUsage usage;
  usage.cores = static_cast<int>(std::thread::hardware_concurrency());
  double load[3];
  if (getloadavg(load, 3) == 3) {
    for (int i = 0; i < 3; ++i) usage.load_average[i] = load[i];
  }
  usage.memory_total_bytes = FieldOf(proc_dir / "meminfo", "MemTotal") * 1024;
  usage.memory_available_bytes = FieldOf(proc_dir / "meminfo", "MemAvailable") * 1024;
  usage.resident_bytes = FieldOf(proc_dir / "self" / "status", "VmRSS") * 1024;
  usage.threads = static_cast<int>(FieldOf(proc_dir / "self" / "status", "Threads"));
  rusage self{};
  if (getrusage(RUSAGE_SELF, &self) == 0) {
    usage.cpu_seconds = static_cast<double>(self.ru_utime.tv_sec + self.ru_stime.tv_sec) +
                        static_cast<double>(self.ru_utime.tv_usec + self.ru_stime.tv_usec) / 1e6;
  }
  std::error_code ec;
  const fs::space_info space = fs::space(data_dir, ec);
  if (!ec) {
    usage.disk_total_bytes = space.capacity;
    usage.disk_free_bytes = space.available;
  }
  return usage;
}

}  // namespace aimass::monitor
