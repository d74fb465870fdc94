// The compute pool inside `aimass serve`: worker threads that claim durable jobs from the
// metadata store, run the handler registered for their kind, and keep their lease alive.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "jobs/job_context.h"
#include "store/metadata_store.h"

namespace aimass::jobs {

// What a handler hands back. `committed` means the handler already finished the job in
// the store, inside the same transaction as its own writes (a dataset version commit).
struct JobOutcome {
  nlohmann::json result = nlohmann::json::object();
  bool committed = false;
};
using JobHandler = std::function<Result<JobOutcome>(JobContext&)>;

struct WorkerOptions {
  int threads = 2;
  int64_t lease_millis = 30000;      // a job whose worker died is re-queued after this
  int64_t heartbeat_millis = 0;      // 0: a third of the lease
  int64_t poll_millis = 500;         // how often idle workers look for queued jobs
  int max_attempts = 3;              // then the job fails with the reason
  std::string owner;                 // this process's name in leases (host:pid when empty)
};

// Thread-safe. Register handlers before Start().
class WorkerPool {
 public:
  WorkerPool(store::MetadataStore& store, const Clock& clock, WorkerOptions options);
  ~WorkerPool();

  void Register(const std::string& kind, JobHandler handler);
  // Called on the worker's thread after each job it ran has ended (whatever the outcome),
  // e.g. to wake the pipeline runner. Register before Start(); keep it quick.
  void OnJobFinished(std::function<void(int64_t job_id)> listener);
  // Re-queues jobs left running by a process that died, then starts the threads.
  void Start();
  // Graceful: running handlers are told to stop (CheckStop answers kUnavailable) and their
  // jobs go back to the queue for the next start; waits for the threads.
  void Stop();
  // Wakes an idle worker at once (called after a job is enqueued).
  void Wake();
  // How many worker threads there are, and how many run a job now.
  int threads() const { return options_.threads; }
  int Busy();

 private:
  void WorkLoop(int index);
  void HeartbeatLoop();
  void Run(store::JobRecord job);

  store::MetadataStore& store_;
  const Clock& clock_;
  const WorkerOptions options_;
  std::map<std::string, JobHandler> handlers_;
  std::vector<std::string> kinds_;
  std::vector<std::function<void(int64_t)>> finished_listeners_;

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  int wakeups_ = 0;  // Wake() calls not yet taken by a worker: none is lost between polls
  std::set<JobContext*> running_;
  std::vector<std::thread> threads_;
};

}  // namespace aimass::jobs
