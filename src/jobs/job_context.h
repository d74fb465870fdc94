// What a running job's handler sees: its parameters, and the way to report progress,
// write to its log, and learn that it must stop.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/status.h"
#include "store/metadata_store.h"

namespace aimass::jobs {

// Thread-safe: the handler's thread reports, the pool's heartbeat thread renews the lease
// and sets the stop flags.
class JobContext {
 public:
  JobContext(store::MetadataStore& store, const Clock& clock, store::JobRecord job,
             nlohmann::json params, int64_t lease_millis);

  const store::JobRecord& job() const { return job_; }
  const nlohmann::json& params() const { return params_; }
  store::JobLease lease() const { return {job_.id, job_.fence}; }
  store::MetadataStore& store() { return store_; }
  const Clock& clock() const { return clock_; }

  // Records progress (0..100) with a short message; writes reach the store at most every
  // 250 ms. Returns kCancelled once a user cancelled the job, kUnavailable when the server
  // is shutting down, kConflict when this worker lost its lease: the handler must then
  // stop and return that error.
  Status Progress(int percent, std::string_view message);
  // Same stop checks without new progress.
  Status CheckStop();
  void Log(std::string_view line);

  // Used by the pool's heartbeat: pushes the latest progress and renews the lease.
  void Heartbeat();
  void RequestShutdown() { shutdown_ = true; }

 private:
  Status Flush(bool force);

  store::MetadataStore& store_;
  const Clock& clock_;
  const store::JobRecord job_;
  const nlohmann::json params_;
  const int64_t lease_millis_;
  std::mutex mu_;
  int percent_ = 0;
  std::string message_;
  int64_t last_flush_ = 0;
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> lease_lost_{false};
  std::atomic<bool> shutdown_{false};
};

}  // namespace aimass::jobs
