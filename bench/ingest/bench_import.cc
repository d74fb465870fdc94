// Times aimass::data::ImportFile (parse + Parquet + statistics) on one file.
// Usage: bench_import FILE OUT.parquet [THREADS]
// Prints: seconds=<s> rows=<n> peak_rss_mib=<m>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "data/importer.h"
#include "ingest/peak_rss.h"

int main(int argc, char** argv) {
  using namespace aimass::data;
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s FILE OUT.parquet [THREADS]\n", argv[0]);
    return 2;
  }
  EngineOptions options;
  options.threads = argc > 3 ? std::atoi(argv[3]) : 2;
  const auto start = std::chrono::steady_clock::now();
  auto engine = Engine::Open(options);
  if (!engine) {
    std::fprintf(stderr, "%s\n", engine.error().message.c_str());
    return 1;
  }
  ImportOptions import;
  import.format = GuessFileFormat(argv[1], argv[1]);
  // Phase timings on stderr: when each progress message first appears.
  std::string phase;
  auto info = ImportFile(**engine, argv[1], import, argv[2], [&](int, std::string_view message) {
    if (message != phase) {
      phase = message;
      std::fprintf(stderr, "%7.3f s  %s\n",
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                   phase.c_str());
    }
    return true;
  });
  if (!info) {
    std::fprintf(stderr, "%s\n", info.error().message.c_str());
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("seconds=%.3f rows=%lld peak_rss_mib=%.0f\n", seconds,
              static_cast<long long>(info->row_count), PeakRssMiB());
  return 0;
}
