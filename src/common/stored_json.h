// JSON kept as text in the metadata store, read back for answers.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace aimass {

// The value of stored JSON text; null for empty or unreadable text.
inline nlohmann::json ParseStoredJson(const std::string& text) {
  if (text.empty()) return nullptr;
  nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  return value.is_discarded() ? nlohmann::json(nullptr) : value;
}

}  // namespace aimass
