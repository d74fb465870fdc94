#include "data/sources/kind_settings.h"

#include <cstdlib>

namespace aimass::data::sources {

Status RefuseUnknownKeys(const nlohmann::json& settings, std::string_view kind,
                         std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : settings.items()) {
    bool found = false;
    for (std::string_view name : known) found = found || key == name;
    if (found) continue;
    std::string list;
    for (std::string_view name : known) list += (list.empty() ? "" : ", ") + std::string(name);
    return Fail(ErrorCode::kInvalidArgument, "settings." + key + ": a " + std::string(kind) +
                                                 " source has no such setting; use: " + list);
  }
  return Ok();
}

Result<std::string> StringSetting(const nlohmann::json& settings, std::string_view key,
                                  std::string fallback, bool required) {
  auto it = settings.find(key);
  if (it == settings.end() || it->is_null()) {
    if (required && fallback.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "settings." + std::string(key) + " is required");
    }
    return fallback;
  }
  if (!it->is_string() || (required && it->get_ref<const std::string&>().empty())) {
    return Fail(ErrorCode::kInvalidArgument,
                "settings." + std::string(key) + " must be a non-empty string");
  }
  return it->get<std::string>();
}

Result<int64_t> IntSetting(const nlohmann::json& settings, std::string_view key, int64_t fallback,
                           int64_t min, int64_t max) {
  auto it = settings.find(key);
  if (it == settings.end() || it->is_null()) return fallback;
  if (!it->is_number_integer() || it->get<int64_t>() < min || it->get<int64_t>() > max) {
    return Fail(ErrorCode::kInvalidArgument,
                "settings." + std::string(key) + " must be a whole number from " +
                    std::to_string(min) + " to " + std::to_string(max));
  }
  return it->get<int64_t>();
}

Result<std::optional<std::string>> SecretFromEnv(std::string_view variable,
                                                 std::string_view field) {
  if (variable.empty()) return std::nullopt;
  const char* value = std::getenv(std::string(variable).c_str());
  if (value == nullptr) {
    return Fail(ErrorCode::kInvalidArgument,
                "settings." + std::string(field) + " names the environment variable " +
                    std::string(variable) +
                    ", which the server does not have; set it where aimass serve starts, or "
                    "remove settings." +
                    std::string(field));
  }
  return std::string(value);
}

}  // namespace aimass::data::sources
