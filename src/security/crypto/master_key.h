// The master key: the one secret an operator keeps, which wraps the data keys (key_ring.h).
// It comes from the environment, a key file, or a file made in the data directory.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"

namespace aimass::security::crypto {

// 32 secret bytes in libsodium's guarded memory: kept out of swap, fenced by guard pages,
// read-only once filled and zeroed when freed. Movable, not copyable; reading it from
// several threads is safe. Making one also initializes libsodium, so any code holding a key
// may call libsodium.
class SecretKey {
 public:
  static constexpr size_t kSize = 32;

  // A key whose bytes `fill` writes; nullopt when `fill` returns false (the bytes are wiped).
  static std::optional<SecretKey> Make(
      const std::function<bool(std::span<unsigned char, kSize>)>& fill);
  static SecretKey Random();

  SecretKey(SecretKey&& other) noexcept : bytes_(std::exchange(other.bytes_, nullptr)) {}
  SecretKey& operator=(SecretKey&& other) noexcept;
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  ~SecretKey();

  const unsigned char* data() const { return bytes_; }

 private:
  explicit SecretKey(unsigned char* bytes) : bytes_(bytes) {}
  unsigned char* bytes_;
};

// A master key and the public name of it that files may record: its id is the first 8
// bytes of a keyed BLAKE2b hash of a fixed text under the key, in hex, so a header can say
// which master key wrapped a data key without revealing anything about the key. Immutable.
class MasterKey {
 public:
  // From 64 hex characters (surrounding whitespace ignored). `source` says where the text
  // came from, for messages ("environment variable AIMASS_MASTER_KEY"); the text itself
  // never appears in a message.
  static Result<MasterKey> FromHex(std::string_view hex, std::string source);
  static MasterKey Generate(std::string source);

  const SecretKey& key() const { return key_; }
  const unsigned char* data() const { return key_.data(); }
  const std::string& id() const { return id_; }  // 16 hex characters
  const std::string& source() const { return source_; }

 private:
  MasterKey(SecretKey key, std::string source);
  SecretKey key_;
  std::string id_;
  std::string source_;
};

// The variable that holds the master key as 64 hex characters (`openssl rand -hex 32`).
inline constexpr std::string_view kMasterKeyEnvVar = "AIMASS_MASTER_KEY";

// Where LoadMasterKey looks, in this order: the environment variable, the explicit key file,
// then <data_dir>/keys/master.key, which is created on first use.
struct MasterKeySources {
  std::filesystem::path data_dir;
  std::filesystem::path key_file;                       // --master-key-file; empty when not given
  std::string env_var = std::string(kMasterKeyEnvVar);  // tests name their own variable
};

Result<MasterKey> LoadMasterKey(const MasterKeySources& sources);
// <data_dir>/keys/master.key.
std::filesystem::path DefaultMasterKeyPath(const std::filesystem::path& data_dir);
// Reads a key file of 64 hex characters (a trailing newline is fine). Refuses a file that
// other users may read or write, or that is not a key, with a message that names the fix.
Result<MasterKey> ReadMasterKeyFile(const std::filesystem::path& path);
// Writes a new random key to `path` with mode 0600 (its directory made 0700). The file
// appears whole or not at all, and kConflict when it already exists: concurrent first
// starts agree on one key.
Result<MasterKey> CreateMasterKeyFile(const std::filesystem::path& path);

}  // namespace aimass::security::crypto
