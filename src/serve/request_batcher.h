// Dynamic batching: requests for the same model that arrive within `max_delay` of each other
// are predicted together, up to `max_rows` records. The first request to find no batch
// forming leads one: it waits for the others (handler threads blocked in Predict), predicts
// every record in one call and hands each request its share; a request that arrives while
// the leader predicts starts the next batch. Off by default (max_rows 0): with compiled trees
// a single row costs a few microseconds, so on a small machine waiting only adds latency
// (bench/serve --serve-args measures both); it pays for models that are slow per call (the
// XGBoost fallback, large forests); the server then runs predictions on handler threads.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "common/status.h"
#include "train/pipeline.h"

namespace aimass::serve {

struct BatchingOptions {
  int64_t max_rows = 0;                      // records in one batch; 0 or 1 turns batching off
  std::chrono::microseconds max_delay{500};  // how long a batch's first request waits
};

// Thread-safe.
class RequestBatcher {
 public:
  explicit RequestBatcher(BatchingOptions options) : options_(options) {}

  bool enabled() const { return options_.max_rows > 1; }
  // Calls of the model made so far (one per batch, plus retries of a failed batch).
  uint64_t model_calls() const { return model_calls_; }
  // pipeline.PredictRecords(records), possibly inside a larger batch. `records` must already
  // be checked against the pipeline's schema: a batch that fails is predicted again request
  // by request, so that one request's error never reaches another.
  Result<nlohmann::json> Predict(const std::shared_ptr<const train::Pipeline>& pipeline,
                                 const nlohmann::json& records);

 private:
  struct Waiter;
  struct Queue {
    std::mutex mu;
    std::condition_variable full;  // the leader waits for rows (or the delay)
    std::vector<Waiter*> waiting;  // requests of the batch now forming
    int64_t rows = 0;
    bool forming = false;  // a leader is collecting
  };

  Queue& QueueFor(const train::Pipeline* pipeline);
  void RunBatch(const train::Pipeline& pipeline, std::vector<Waiter*> batch);

  const BatchingOptions options_;
  std::atomic<uint64_t> model_calls_{0};
  std::mutex queues_mu_;
  std::map<const train::Pipeline*, std::unique_ptr<Queue>> queues_;  // one per loaded model
};

}  // namespace aimass::serve
