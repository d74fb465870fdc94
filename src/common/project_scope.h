// The project that new datasets, models, endpoints and jobs join when the current thread
// makes them. The API sets it for a request once it has checked the caller may work in that
// project; a job worker sets it to the project of the job it runs; anything else works in
// the project "default".
#pragma once

#include <cstdint>

namespace aimass {

// The project every data directory has (migration 7), which owns whatever names no other.
inline constexpr int64_t kDefaultProjectId = 1;

// Sets the current thread's project for its lifetime and restores the previous one after.
// Per thread, like ActorScope (common/actor.h): a job carries its project to its worker.
class ProjectScope {
 public:
  explicit ProjectScope(int64_t project_id);
  ~ProjectScope();
  ProjectScope(const ProjectScope&) = delete;
  ProjectScope& operator=(const ProjectScope&) = delete;

  // The innermost scope's project on this thread, or kDefaultProjectId outside any scope.
  static int64_t Current();

 private:
  int64_t previous_;
};

}  // namespace aimass
