#include "cli/config.h"

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <system_error>

#include "common/files.h"

namespace aimass::cli {
namespace {

std::string GetEnv(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

}  // namespace

Environment Environment::FromProcess() {
  return Environment{GetEnv("HOME"), GetEnv("XDG_CONFIG_HOME"), GetEnv("AIMASS_URL"),
                     GetEnv("AIMASS_TOKEN"), GetEnv("AIMASS_CA_CERT")};
}

Result<std::filesystem::path> ConfigPath(const Environment& env) {
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  if (!env.xdg_config_home.empty() && env.xdg_config_home.front() == '/') {
    return std::filesystem::path(env.xdg_config_home) / "aimass" / "config.json";
  }
  if (!env.home.empty()) {
    return std::filesystem::path(env.home) / ".config" / "aimass" / "config.json";
  }
  return Fail(ErrorCode::kInvalidArgument,
              "cannot find the config directory: neither XDG_CONFIG_HOME nor HOME is set; "
              "set HOME, or AIMASS_URL and AIMASS_TOKEN");
}

Result<std::optional<Credentials>> LoadConfig(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::optional<Credentials>();
  AIMASS_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  auto bad = [&](std::string_view why) {
    return Fail(ErrorCode::kInvalidArgument, "config file '" + path.string() + "' " +
                                                 std::string(why) +
                                                 "; run `aimass login` again to rewrite it");
  };
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return bad("is not a JSON object");
  Credentials credentials;
  if (json.contains("server")) {
    if (!json["server"].is_string()) return bad("has a 'server' that is not a string");
    credentials.server = json["server"].get<std::string>();
  }
  if (json.contains("token")) {
    if (!json["token"].is_string()) return bad("has a 'token' that is not a string");
    credentials.token = json["token"].get<std::string>();
  }
  if (json.contains("ca_cert")) {
    if (!json["ca_cert"].is_string()) return bad("has a 'ca_cert' that is not a string");
    credentials.ca_cert = json["ca_cert"].get<std::string>();
  }
  return std::optional<Credentials>(std::move(credentials));
}

Status SaveConfig(const std::filesystem::path& path, const Credentials& credentials) {
  AIMASS_RETURN_IF_ERROR(MakeDirectories(path.parent_path(), std::filesystem::perms::owner_all));
  nlohmann::json json = {{"server", credentials.server}, {"token", credentials.token}};
  if (!credentials.ca_cert.empty()) json["ca_cert"] = credentials.ca_cert;
  return WriteFileAtomically(
      path, json.dump(2) + "\n",
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

Result<Credentials> ResolveCredentials(const std::optional<std::string>& server_flag,
                                       const std::optional<std::string>& token_flag,
                                       const Environment& env,
                                       const std::optional<std::string>& ca_cert_flag) {
  Credentials resolved;
  resolved.server = server_flag.value_or(env.url);
  resolved.token = token_flag.value_or(env.token);
  resolved.ca_cert = ca_cert_flag.value_or(env.ca_cert);
  if (resolved.server.empty() || resolved.token.empty()) {
    // The file is read only when something is still missing, so flags and environment
    // work without a home directory.
    auto path = ConfigPath(env);
    if (path) {
      AIMASS_ASSIGN_OR_RETURN(auto saved, LoadConfig(*path));
      if (saved) {
        // The saved CA certificate belongs to the saved server.
        if (resolved.server.empty() && resolved.ca_cert.empty()) {
          resolved.ca_cert = saved->ca_cert;
        }
        if (resolved.server.empty()) resolved.server = saved->server;
        if (resolved.token.empty()) resolved.token = saved->token;
      }
    }
  }
  if (resolved.server.empty() || resolved.token.empty()) {
    return Fail(ErrorCode::kUnauthenticated, kNotLoggedInMessage);
  }
  return resolved;
}

}  // namespace aimass::cli
