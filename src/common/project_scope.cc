#include "common/project_scope.h"

#include <utility>

namespace aimass {
namespace {

thread_local int64_t current_project = kDefaultProjectId;

}  // namespace

ProjectScope::ProjectScope(int64_t project_id)
    : previous_(std::exchange(current_project, project_id)) {}

ProjectScope::~ProjectScope() { current_project = previous_; }

int64_t ProjectScope::Current() { return current_project; }

}  // namespace aimass
