#include "http/tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <fstream>

#include "http/server.h"

namespace aimass::http {

namespace {

// The reason of OpenSSL's latest error ("no start line"), or `fallback`; clears the queue.
std::string OpenSslReason(const beast::error_code& ec) {
  unsigned long code = ERR_peek_last_error();
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  ERR_clear_error();
  return reason != nullptr ? reason : ec.message();
}

Status CheckReadable(const std::filesystem::path& file, std::string_view flag) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return Fail(ErrorCode::kInvalidArgument, std::string(flag) + " '" + file.string() +
                                                 "' cannot be read; check the path and that "
                                                 "this user may read it");
  }
  return Ok();
}

// Whether `key_file` holds a PEM private key at all (to tell "wrong key" from "not a key").
bool IsPemPrivateKey(const std::filesystem::path& key_file) {
  BIO* bio = BIO_new_file(key_file.c_str(), "r");
  if (bio == nullptr) return false;
  // A callback that gives no passphrase: OpenSSL's default would prompt on the terminal.
  auto no_passphrase = [](char*, int, int, void*) -> int { return 0; };
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, no_passphrase, nullptr);
  BIO_free(bio);
  ERR_clear_error();
  if (key == nullptr) return false;
  EVP_PKEY_free(key);
  return true;
}

}  // namespace

Status CheckTlsFlags(std::string_view cert_file, std::string_view key_file) {
  if (!cert_file.empty() && key_file.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "--tls-cert needs --tls-key: pass the certificate's private key file too");
  }
  if (cert_file.empty() && !key_file.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "--tls-key needs --tls-cert: pass the certificate (chain) file too");
  }
  return Ok();
}

Result<std::unique_ptr<ssl::context>> MakeServerTlsContext(const std::filesystem::path& cert_file,
                                                           const std::filesystem::path& key_file) {
  AIMASS_RETURN_IF_ERROR(CheckTlsFlags(cert_file.string(), key_file.string()));
  AIMASS_RETURN_IF_ERROR(CheckReadable(cert_file, "--tls-cert"));
  AIMASS_RETURN_IF_ERROR(CheckReadable(key_file, "--tls-key"));
  auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use);
  SSL_CTX* native = context->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    return Fail(ErrorCode::kInternal, "OpenSSL refused to set TLS 1.2 as the lowest version");
  }
  // No session renegotiation initiated by clients (a cheap way to make a server work hard).
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  // An encrypted key fails to load instead of OpenSSL prompting on the terminal.
  context->set_password_callback(
      [](size_t, ssl::context::password_purpose) { return std::string(); });

  beast::error_code ec;
  context->use_certificate_chain_file(cert_file.string(), ec);
  if (ec) {
    return Fail(ErrorCode::kInvalidArgument,
                "--tls-cert '" + cert_file.string() + "' is not a PEM certificate (" +
                    OpenSslReason(ec) +
                    "); pass a file that starts with -----BEGIN CERTIFICATE-----");
  }
  context->use_private_key_file(key_file.string(), ssl::context::pem, ec);
  if (ec) {
    std::string reason = OpenSslReason(ec);
    if (IsPemPrivateKey(key_file)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "--tls-key '" + key_file.string() + "' does not match the certificate in '" +
                      cert_file.string() + "' (" + reason +
                      "); pass the private key the certificate was made for");
    }
    return Fail(ErrorCode::kInvalidArgument,
                "--tls-key '" + key_file.string() + "' is not an unencrypted PEM private key (" +
                    reason + "); pass a key file that starts with -----BEGIN PRIVATE KEY-----");
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    return Fail(ErrorCode::kInvalidArgument,
                "--tls-key '" + key_file.string() + "' does not match the certificate in '" +
                    cert_file.string() + "'; pass the private key the certificate was made for");
  }
  return context;
}

}  // namespace aimass::http
