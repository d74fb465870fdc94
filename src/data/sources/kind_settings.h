// Reading a source kind's own settings (SourceConfig::settings) with errors that name the
// field and the fix, and registering a kind from its settings reader: shared by the syslog,
// postgres and redis kinds.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "data/sources/source.h"

namespace aimass::data::sources {

// kInvalidArgument naming the first key of `settings` that is not in `known`, and listing
// the known ones.
Status RefuseUnknownKeys(const nlohmann::json& settings, std::string_view kind,
                         std::initializer_list<std::string_view> known);

// settings[key] as a string; `fallback` when absent; an error when not a string, or when
// empty and `required`.
Result<std::string> StringSetting(const nlohmann::json& settings, std::string_view key,
                                  std::string fallback = "", bool required = false);

// settings[key] as an integer in [min, max]; `fallback` when absent.
Result<int64_t> IntSetting(const nlohmann::json& settings, std::string_view key, int64_t fallback,
                           int64_t min, int64_t max);

// The value of the server's environment variable `variable` (a password kept out of the
// config, named by settings.<field>); nullopt when `variable` is empty; an error naming the
// field when the server has no such variable.
Result<std::optional<std::string>> SecretFromEnv(std::string_view variable, std::string_view field);

// Registers a kind whose settings are read by `parse` (settings → Result<Options>): the
// config check runs it, and the factory runs it and then `make(config, options)`.
template <typename Parse, typename Make>
Status AddKind(SourceKinds& kinds, std::string kind, Parse parse, Make make, SourceAccess access) {
  return kinds.Add(
      std::move(kind),
      [parse, make](const SourceConfig& config) -> Result<std::unique_ptr<Source>> {
        auto options = parse(config.settings);
        if (!options) return Fail(std::move(options).error());
        return make(config, std::move(*options));
      },
      [parse](const SourceConfig& config) -> Status {
        auto options = parse(config.settings);
        if (!options) return Fail(std::move(options).error());
        return Ok();
      },
      access);
}

}  // namespace aimass::data::sources
