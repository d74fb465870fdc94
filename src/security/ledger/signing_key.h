// The ledger's Ed25519 signing key, kept in a file that only its owner may read.
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string_view>

#include "common/status.h"
#include "security/ledger/tree_head.h"

namespace aimass::security::ledger {

// The key file's name in a data directory's keys/ folder.
inline constexpr std::string_view kLedgerKeyFile = "ledger.key";

// The key pair that signs tree heads. Immutable once made, so safe to use from many
// threads at once; the secret key is wiped from memory when the object goes.
//
// The key file is three lines of text (155 bytes), mode 0600:
//   aimass-ledger-ed25519-v1
//   <the 32-byte Ed25519 seed, 64 hex characters>
//   <the 32-byte public key, 64 hex characters>
// The public key is derived again from the seed on every load, so a damaged file is
// refused rather than silently becoming another key.
class LedgerSigningKey {
 public:
  // Reads the key pair from `file`, or when there is none creates one there (0600, written
  // to a temporary file that appears under the name only when complete). Refuses a file
  // that group or others may access, or that is not a key file, with the fix in the error.
  // The directory must exist.
  static Result<std::unique_ptr<LedgerSigningKey>> LoadOrCreate(const std::filesystem::path& file);

  // A key held elsewhere (libsodium's 64-byte form: seed || public key); most callers use
  // LoadOrCreate.
  explicit LedgerSigningKey(const Ed25519SecretKey& secret_key);
  ~LedgerSigningKey();
  LedgerSigningKey(const LedgerSigningKey&) = delete;
  LedgerSigningKey& operator=(const LedgerSigningKey&) = delete;

  const Ed25519PublicKey& public_key() const { return public_key_; }
  // The detached Ed25519 signature of `message` (for a tree head: TreeHeadSigningBytes).
  Ed25519Signature Sign(std::span<const uint8_t> message) const;

  static constexpr std::string_view kFileHeader = "aimass-ledger-ed25519-v1";
  static constexpr size_t kFileBytes = kFileHeader.size() + 1 + 64 + 1 + 64 + 1;

 private:
  Ed25519SecretKey secret_key_;
  Ed25519PublicKey public_key_;
};

}  // namespace aimass::security::ledger
