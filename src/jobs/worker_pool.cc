#include "jobs/worker_pool.h"

#include <unistd.h>

#include <chrono>

#include "common/actor.h"
#include "common/project_scope.h"

namespace aimass::jobs {
namespace {

std::string DefaultOwner() {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  return std::string(host) + ":" + std::to_string(getpid());
}

}  // namespace

WorkerPool::WorkerPool(store::MetadataStore& store, const Clock& clock, WorkerOptions options)
    : store_(store), clock_(clock), options_([&] {
        if (options.owner.empty()) options.owner = DefaultOwner();
        if (options.heartbeat_millis <= 0) options.heartbeat_millis = options.lease_millis / 3;
        return options;
      }()) {}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Register(const std::string& kind, JobHandler handler) {
  handlers_[kind] = std::move(handler);
  kinds_.push_back(kind);
}

void WorkerPool::OnJobFinished(std::function<void(int64_t job_id)> listener) {
  finished_listeners_.push_back(std::move(listener));
}

void WorkerPool::Start() {
  (void)store_.RequeueExpiredJobs(clock_.NowMillis(), options_.max_attempts);
  std::lock_guard lock(mu_);
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this, i] { WorkLoop(i); });
  threads_.emplace_back([this] { HeartbeatLoop(); });
}

void WorkerPool::Stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (JobContext* context : running_) context->RequestShutdown();
    threads.swap(threads_);
  }
  wake_.notify_all();
  for (auto& thread : threads) thread.join();
}

int WorkerPool::Busy() {
  std::lock_guard lock(mu_);
  return static_cast<int>(running_.size());
}

void WorkerPool::Wake() {
  {
    std::lock_guard lock(mu_);
    ++wakeups_;
  }
  wake_.notify_all();
}

void WorkerPool::WorkLoop(int /*index*/) {
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    const int64_t now = clock_.NowMillis();
    auto claimed = store_.ClaimJob(options_.owner, kinds_, now + options_.lease_millis, now);
    if (claimed && *claimed) {
      const int64_t job_id = (*claimed)->id;
      Run(std::move(**claimed));
      for (const auto& listener : finished_listeners_) listener(job_id);
      continue;
    }
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, std::chrono::milliseconds(options_.poll_millis),
                   [this] { return stopping_ || wakeups_ > 0; });
    if (wakeups_ > 0) --wakeups_;
  }
}

void WorkerPool::HeartbeatLoop() {
  int64_t last_reap = 0;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::milliseconds(options_.heartbeat_millis),
                   [this] { return stopping_; });
    if (stopping_) return;
    for (JobContext* context : running_) context->Heartbeat();
    const int64_t now = clock_.NowMillis();
    if (now - last_reap >= options_.lease_millis / 2) {
      last_reap = now;
      lock.unlock();
      auto requeued = store_.RequeueExpiredJobs(now, options_.max_attempts);
      lock.lock();
      if (requeued && *requeued > 0) wake_.notify_all();
    }
  }
}

void WorkerPool::Run(store::JobRecord job) {
  const store::JobLease lease{job.id, job.fence};
  nlohmann::json params = nlohmann::json::parse(job.params_json, nullptr, false);
  if (params.is_discarded()) params = nlohmann::json::object();
  JobContext context(store_, clock_, job, std::move(params), options_.lease_millis);
  {
    std::lock_guard lock(mu_);
    running_.insert(&context);
    if (stopping_) context.RequestShutdown();
  }
  context.Log("attempt " + std::to_string(job.attempts) + " on " + options_.owner);

  // The ledger names whoever queued the job, and the job, as the author of its changes.
  ActorScope actor((job.created_by.empty() ? "system" : job.created_by) + " (job " +
                   std::to_string(job.id) + ")");
  // What the job makes joins the project it was queued in.
  ProjectScope project(job.project_id != 0 ? job.project_id : kDefaultProjectId);
  Result<JobOutcome> outcome = Fail(ErrorCode::kInternal, "no handler");
  auto handler = handlers_.find(job.kind);
  if (handler == handlers_.end()) {
    outcome = Fail(ErrorCode::kInvalidArgument, "no worker can run jobs of kind '" + job.kind + "'");
  } else {
    try {
      outcome = handler->second(context);
    } catch (const std::exception& e) {
      outcome = Fail(ErrorCode::kInternal, std::string("the job crashed: ") + e.what());
    }
  }
  {
    std::lock_guard lock(mu_);
    running_.erase(&context);
  }

  const int64_t now = clock_.NowMillis();
  if (outcome) {
    if (!outcome->committed) {
      (void)store_.FinishJob(lease, store::JobState::kSucceeded, outcome->result.dump(), "", now);
    }
    return;
  }
  const Error& error = outcome.error();
  switch (error.code) {
    case ErrorCode::kConflict:
      if (!context.CheckStop()) return;  // the lease went to another worker: write nothing
      break;
    case ErrorCode::kUnavailable:
      if (!context.CheckStop()) {
        context.Log("stopped for shutdown; the job goes back to the queue");
        (void)store_.ReleaseJob(lease);
        return;
      }
      break;
    case ErrorCode::kCancelled:
      context.Log("cancelled");
      (void)store_.FinishJob(lease, store::JobState::kCancelled, "", error.message, now);
      return;
    default:
      break;
  }
  context.Log("failed: " + error.message);
  (void)store_.FinishJob(lease, store::JobState::kFailed, "", error.message, now);
}

}  // namespace aimass::jobs
