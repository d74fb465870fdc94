// Which server the CLI talks to and with which token: flags, then environment, then the
// file that `aimass login` writes (~/.config/aimass/config.json).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "common/status.h"

namespace aimass::cli {

// The process environment variables the CLI reads, captured once so tests can set them.
struct Environment {
  std::string home;             // HOME
  std::string xdg_config_home;  // XDG_CONFIG_HOME
  std::string url;              // AIMASS_URL
  std::string token;            // AIMASS_TOKEN
  std::string ca_cert;          // AIMASS_CA_CERT: PEM CA to trust for https (else the system's)

  static Environment FromProcess();
};

// A server and a token (and for https, the CA certificate to trust, if not the system's):
// what `aimass login` saves.
struct Credentials {
  std::string server;
  std::string token;
  std::string ca_cert;  // "" = the system's trust store
};

// $XDG_CONFIG_HOME/aimass/config.json when XDG_CONFIG_HOME is an absolute path, else
// $HOME/.config/aimass/config.json; an error when neither is set.
Result<std::filesystem::path> ConfigPath(const Environment& env);

// Reads the file; std::nullopt when it does not exist, an error naming the file when it
// cannot be read or is not the JSON `aimass login` writes.
Result<std::optional<Credentials>> LoadConfig(const std::filesystem::path& path);

// Writes the file atomically with mode 0600, creating its directory with mode 0700.
Status SaveConfig(const std::filesystem::path& path, const Credentials& credentials);

// Each of server, token and CA certificate from the first place that sets it: the flag,
// the environment (AIMASS_URL, AIMASS_TOKEN, AIMASS_CA_CERT), the config file. Fails with
// kUnauthenticated and the "not logged in" hint when the server or the token is missing.
Result<Credentials> ResolveCredentials(const std::optional<std::string>& server_flag,
                                       const std::optional<std::string>& token_flag,
                                       const Environment& env,
                                       const std::optional<std::string>& ca_cert_flag = {});

// The hint shown whenever the CLI has no server or token to use.
inline constexpr const char* kNotLoggedInMessage =
    "not logged in: run `aimass login --server http://127.0.0.1:8080 --token <token>` or set "
    "AIMASS_URL and AIMASS_TOKEN";

}  // namespace aimass::cli
