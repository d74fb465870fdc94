#include "security/passwords.h"

#include <sodium.h>

#include "common/hash.h"
#include "security/secret_file.h"

namespace aimass::security {

Status CheckPasswordStrength(std::string_view password) {
  if (password.size() < 12) {
    return Fail(ErrorCode::kInvalidArgument,
                "a password needs at least 12 characters (a few words make a good one)");
  }
  if (password.size() > 1024) {
    return Fail(ErrorCode::kInvalidArgument, "a password has at most 1024 characters");
  }
  return Ok();
}

Result<std::string> HashPassword(std::string_view password) {
  EnsureSodium();
  AIMASS_RETURN_IF_ERROR(CheckPasswordStrength(password));
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Fail(ErrorCode::kInternal,
                "hashing the password ran out of memory (argon2id needs "
                "64 MiB); try again when the server is less busy");
  }
  return std::string(hash);
}

bool VerifyPassword(std::string_view password, const std::string& hash) {
  EnsureSodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) {
    // As long as a real check takes; the answer is no either way (the decoy's password is
    // random and forgotten).
    if (crypto_pwhash_str_verify(DecoyPasswordHash().c_str(), password.data(), password.size())) {
      return false;
    }
    return false;
  }
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

const std::string& DecoyPasswordHash() {
  static const std::string decoy = [] {
    auto hash = HashPassword(RandomHex(32));
    return hash ? *hash : std::string();
  }();
  return decoy;
}

}  // namespace aimass::security
