#include "serve/request_batcher.h"

#include <optional>
#include <utility>

namespace aimass::serve {

// One request in a batch. The leader writes `answer` before it sets `done` (under the
// queue's lock), and the request reads it after.
struct RequestBatcher::Waiter {
  const nlohmann::json* records = nullptr;
  std::optional<Result<nlohmann::json>> answer;
  bool done = false;
  std::condition_variable finished;
};

RequestBatcher::Queue& RequestBatcher::QueueFor(const train::Pipeline* pipeline) {
  std::lock_guard lock(queues_mu_);
  auto& queue = queues_[pipeline];
  if (!queue) queue = std::make_unique<Queue>();
  return *queue;
}

Result<nlohmann::json> RequestBatcher::Predict(
    const std::shared_ptr<const train::Pipeline>& pipeline, const nlohmann::json& records) {
  if (!enabled()) {
    ++model_calls_;
    return pipeline->PredictRecords(records);
  }
  Queue& queue = QueueFor(pipeline.get());
  Waiter me;
  me.records = &records;
  std::unique_lock lock(queue.mu);
  queue.waiting.push_back(&me);
  queue.rows += static_cast<int64_t>(records.size());
  if (queue.forming) {
    if (queue.rows >= options_.max_rows) queue.full.notify_one();
    me.finished.wait(lock, [&] { return me.done; });
    return std::move(*me.answer);
  }
  // This request leads: it waits for company, then predicts for everyone.
  queue.forming = true;
  queue.full.wait_for(lock, options_.max_delay, [&] { return queue.rows >= options_.max_rows; });
  std::vector<Waiter*> batch = std::move(queue.waiting);
  queue.waiting.clear();
  queue.rows = 0;
  queue.forming = false;  // the next request starts the next batch while this one predicts
  lock.unlock();
  RunBatch(*pipeline, batch);
  lock.lock();
  for (Waiter* waiter : batch) {
    waiter->done = true;
    if (waiter != &me) waiter->finished.notify_one();
  }
  return std::move(*me.answer);
}

void RequestBatcher::RunBatch(const train::Pipeline& pipeline, std::vector<Waiter*> batch) {
  ++model_calls_;
  if (batch.size() == 1) {
    batch[0]->answer = pipeline.PredictRecords(*batch[0]->records);
    return;
  }
  nlohmann::json all = nlohmann::json::array();
  for (const Waiter* waiter : batch) {
    for (const auto& record : *waiter->records) all.push_back(record);
  }
  auto predicted = pipeline.PredictRecords(all);
  if (!predicted || predicted->size() != all.size()) {
    // Each request gets its own answer, or its own error.
    for (Waiter* waiter : batch) {
      ++model_calls_;
      waiter->answer = pipeline.PredictRecords(*waiter->records);
    }
    return;
  }
  size_t next = 0;
  for (Waiter* waiter : batch) {
    nlohmann::json part = nlohmann::json::array();
    for (size_t i = 0; i < waiter->records->size(); ++i) {
      part.push_back(std::move((*predicted)[next++]));
    }
    waiter->answer = std::move(part);
  }
}

}  // namespace aimass::serve
