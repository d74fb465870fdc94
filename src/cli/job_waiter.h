// Following a job to its end: the server's event stream, or polling when that fails.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>

#include "cli/api_client.h"
#include "cli/progress.h"

namespace aimass::cli {

// True for the states a job never leaves: succeeded, failed, cancelled.
bool IsFinishedState(std::string_view state);

struct WaitOptions {
  std::chrono::milliseconds poll_interval = std::chrono::milliseconds(300);
  // Tests pass a no-op to poll without waiting.
  std::function<void(std::chrono::milliseconds)> sleep;
  // Called with the job after each update is drawn (e.g. to print a training run's trials).
  std::function<void(const nlohmann::json& job)> on_update;
};

// Follows job `job_id` on GET /jobs/{id}/events, drawing each update on `bar`, and falls
// back to polling GET /jobs/{id} every poll_interval if the stream fails or ends early.
// Returns the job as last seen, in a finished state; an error only when the job cannot be
// read at all (not found, server gone).
Result<nlohmann::json> WaitForJob(ApiClient& api, int64_t job_id, ProgressBar& bar,
                                  const WaitOptions& options = {});

// While one is alive, Ctrl-C does not kill the job, only the waiting: it prints
// "stopped watching job 7; it keeps running. Cancel it with `aimass jobs cancel 7`" and
// exits with 130. Restores the previous SIGINT handler when destroyed. Not thread-safe:
// one at a time per process.
class InterruptNotice {
 public:
  explicit InterruptNotice(int64_t job_id);
  ~InterruptNotice();
  InterruptNotice(const InterruptNotice&) = delete;
  InterruptNotice& operator=(const InterruptNotice&) = delete;

 private:
  struct Saved;
  std::unique_ptr<Saved> saved_;
};

}  // namespace aimass::cli
