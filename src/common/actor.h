// Who is making the change that the current thread is doing, for the ledger's "who". The
// HTTP server sets it for each request (the caller's user name), a job worker for each job
// (the user who queued it, and the job); anything else acts as "system".
#pragma once

#include <string>
#include <string_view>

namespace aimass {

// Sets the current thread's actor for its lifetime and restores the previous one after.
// Scopes nest; they are per thread, so hand the actor on explicitly when work moves to
// another thread (as the job queue does: a job remembers who queued it).
class ActorScope {
 public:
  explicit ActorScope(std::string actor);
  ~ActorScope();
  ActorScope(const ActorScope&) = delete;
  ActorScope& operator=(const ActorScope&) = delete;

  // The innermost scope's actor on this thread, or "system" outside any scope.
  static const std::string& Current();

 private:
  std::string previous_;
};

}  // namespace aimass
