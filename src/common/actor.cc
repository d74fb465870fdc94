#include "common/actor.h"

#include <utility>

namespace aimass {
namespace {

thread_local std::string current_actor = "system";

}  // namespace

ActorScope::ActorScope(std::string actor)
    : previous_(std::exchange(current_actor, std::move(actor))) {}

ActorScope::~ActorScope() { current_actor = std::move(previous_); }

const std::string& ActorScope::Current() { return current_actor; }

}  // namespace aimass
