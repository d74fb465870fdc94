// SourceRunner: the thread in `aimass serve` that queues a "source.run" job for each source
// that is due (SourceService::QueueDueRuns), once a second.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "data/sources/source_service.h"

namespace aimass::data::sources {

// Thread-safe: Start and Stop from the server's thread; Wake from any.
class SourceRunner {
 public:
  explicit SourceRunner(SourceService& sources, int64_t tick_millis = 1000)
      : sources_(sources), tick_millis_(tick_millis) {}
  ~SourceRunner() { Stop(); }

  void Start();
  void Stop();
  // Looks for due sources now (after a run ended).
  void Wake();

 private:
  void Loop();

  SourceService& sources_;
  const int64_t tick_millis_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace aimass::data::sources
