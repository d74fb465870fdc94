// The server's use of the machine right now: CPU, memory, disk, for the console's System page.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>

namespace aimass::monitor {

struct SystemUsage {
  int cores = 0;
  double load_average[3] = {0, 0, 0};  // 1, 5 and 15 minutes
  uint64_t memory_total_bytes = 0;
  uint64_t memory_available_bytes = 0;
  double cpu_seconds = 0;  // this process, user + system, since it started
  uint64_t resident_bytes = 0;
  int threads = 0;
  uint64_t disk_total_bytes = 0;  // the filesystem of `data_dir`
  uint64_t disk_free_bytes = 0;   // available to this process
};

// Reads the numbers from getrusage, getloadavg, statvfs and `<proc_dir>` (meminfo,
// self/statm, self/status). A number that cannot be read stays 0. `proc_dir` is for tests.
SystemUsage ReadSystemUsage(const std::filesystem::path& data_dir,
                            const std::filesystem::path& proc_dir = "/proc");

}  // namespace aimass::monitor
