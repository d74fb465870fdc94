// `aimass serve` and `aimass admin …`: the commands that work on a data directory
// directly rather than through the REST API.
#pragma once

#include <cstdint>
#include <string>

namespace aimass::exe {

struct ServeFlags {
  std::string data_dir = ".aimass";
  std::string listen = "127.0.0.1:8080";
  int workers = 2;
  int io_threads = 0;  // 0: one per core (at least 2)
  uint64_t max_body_bytes = 64ull << 20;
  uint64_t max_upload_bytes = 64ull << 30;
  uint64_t max_bundle_member_bytes = 0;  // one member of an imported model bundle; 0: max upload
  int job_lease_seconds = 30;
  int transform_timeout_seconds = 300;
  std::string engine_memory_limit = "2GB";
  std::string demo_data;               // a folder of CSV files imported on the first start
  std::string ui_dir;                  // the built web console; "" for the build's own
  double prediction_log_sample = 1.0;  // the share of predictions the prediction log keeps
  int64_t batch_max_rows = 0;          // dynamic batching of predict requests; 0: off
  int64_t batch_delay_us = 500;        // how long a batch's first request waits for others
  int auth_failure_limit = 20;         // invalid tokens per client address per minute
  bool access_log = true;              // one log line per answered request
  std::string tls_cert;                // PEM certificate chain; with tls_key: HTTPS only
  std::string tls_key;                 // PEM private key of tls_cert
  int tls_handshake_timeout_seconds = 10;
  std::string management_listen;  // HOST:PORT of the admin routes and /metrics; "": none
  std::string master_key_file;    // --master-key-file; empty: AIMASS_MASTER_KEY or keys/master.key
};

// Runs the server until SIGTERM or SIGINT; returns the exit code.
int Serve(const ServeFlags& flags);
// Replaces the admin's API token and prints the new one.
int NewAdminToken(const std::string& data_dir);

}  // namespace aimass::exe
