// Helpers for the details of ledger entries that the store writes.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "common/hash.h"

namespace aimass::store {

// Now, for the changes whose callers pass no time (users, tokens, deletions).
inline int64_t WallClockMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A JSON column as the value it holds (lineage, source and metrics are small and worth
// reading in the ledger itself); text that is not JSON stays text. Empty text is null.
inline nlohmann::json ColumnValue(const std::string& text) {
  if (text.empty()) return nullptr;
  nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  if (value.is_discarded()) return text;
  return value;
}

// A large column (a leaderboard, parameters, statistics) by its content hash.
inline std::string ColumnHash(const std::string& text) { return Sha256Hex(text); }

}  // namespace aimass::store
