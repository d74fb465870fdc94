// Times DuckDB's bare COPY (SELECT * FROM read_csv(FILE)) TO OUT (FORMAT parquet): the
// baseline aimass's import is measured against.
// Usage: bench_duckdb_copy FILE OUT.parquet [THREADS] [COMPRESSION]
// Prints: seconds=<s> peak_rss_mib=<m>
#include <duckdb.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ingest/peak_rss.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s FILE OUT.parquet [THREADS] [COMPRESSION]\n", argv[0]);
    return 2;
  }
  const std::string threads = argc > 3 ? argv[3] : "2";
  const std::string compression = argc > 4 ? argv[4] : "snappy";
  const auto start = std::chrono::steady_clock::now();
  duckdb_config config;
  duckdb_create_config(&config);
  duckdb_set_config(config, "threads", threads.c_str());
  duckdb_database database;
  char* error = nullptr;
  if (duckdb_open_ext(nullptr, &database, config, &error) == DuckDBError) {
    std::fprintf(stderr, "%s\n", error);
    return 1;
  }
  duckdb_destroy_config(&config);
  duckdb_connection connection;
  duckdb_connect(database, &connection);
  const std::string sql = "COPY (SELECT * FROM read_csv('" + std::string(argv[1]) + "')) TO '" +
                          argv[2] + "' (FORMAT parquet, COMPRESSION " + compression + ")";
  duckdb_result result;
  if (duckdb_query(connection, sql.c_str(), &result) == DuckDBError) {
    std::fprintf(stderr, "%s\n", duckdb_result_error(&result));
    return 1;
  }
  duckdb_destroy_result(&result);
  duckdb_disconnect(&connection);
  duckdb_close(&database);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("seconds=%.3f peak_rss_mib=%.0f\n", seconds, PeakRssMiB());
  return 0;
}
