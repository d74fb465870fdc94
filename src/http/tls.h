// HTTPS for the server: the OpenSSL context built from a PEM certificate chain and key, and
// the helpers that decide what differs on a TLS connection (HSTS, Secure cookies).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

// http/asio.h puts <utility> before any Boost header (Boost 1.74 needs it); keep it first.
// clang-format off
#include "http/asio.h"
#include <boost/asio/ssl.hpp>
// clang-format on

#include "common/status.h"

namespace aimass::http {

namespace ssl = boost::asio::ssl;

// The Strict-Transport-Security value HTTPS responses carry (one year, this host only).
inline constexpr const char* kStrictTransportSecurity = "max-age=31536000";

// A server-side TLS context: TLS 1.2 or newer, OpenSSL's default ciphers, the certificate
// chain of `cert_file` and the private key of `key_file` (both PEM). An error names the file
// that cannot be read or parsed, or says that the key does not belong to the certificate.
// The context is immutable after this and safe to share between threads.
Result<std::unique_ptr<ssl::context>> MakeServerTlsContext(const std::filesystem::path& cert_file,
                                                           const std::filesystem::path& key_file);

}  // namespace aimass::http
