// The standard process metrics that Prometheus client libraries export, under the same
// names, so the usual dashboards and alerts work on aimass unchanged.
#pragma once

#include <filesystem>

#include "monitor/metrics.h"

namespace aimass::monitor {

// Registers callback families read at each exposition: process_cpu_seconds_total
// (getrusage), process_open_fds and process_max_fds, process_virtual_memory_bytes and
// process_resident_memory_bytes (`<proc_dir>/self/statm` times the page size), and
// process_start_time_seconds (read once, from `<proc_dir>/self/stat` and the boot time in
// `<proc_dir>/stat`). A value that cannot be read is left out of that exposition. Calling
// it again replaces the callbacks. `proc_dir` is for tests.
void RegisterProcessMetrics(MetricsRegistry& registry,
                            const std::filesystem::path& proc_dir = "/proc");

}  // namespace aimass::monitor
