// Encryption of blobs at rest: libsodium's secretstream (XChaCha20-Poly1305) in 64 KiB
// chunks under a data key from a KeyRing, bound to the blob's name.
//
// Format, version 1 (integers little-endian):
//   header  "AIMASSE1" | version u8 = 1 | data key id (8 bytes) | secretstream header (24)
//   chunks  ciphertext length u32 | ciphertext (plaintext + 17 bytes), repeated; every chunk
//           but the last holds kChunkSize plaintext bytes, the last (maybe empty) is tagged
//           TAG_FINAL and ends the file.
// The first chunk's additional data is the header followed by the caller's associated data
// (the blob's name), so a changed header or another blob's file fails authentication.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"
#include "security/crypto/key_ring.h"

namespace aimass::security::crypto {

inline constexpr std::string_view kEncryptedMagic = "AIMASSE1";
inline constexpr uint8_t kEncryptedFormatVersion = 1;
inline constexpr size_t kEncryptedHeaderSize = 8 + 1 + 8 + 24;
inline constexpr size_t kChunkSize = 64 * 1024;   // plaintext bytes per chunk
inline constexpr size_t kChunkOverhead = 4 + 17;  // length field + secretstream ABYTES

// Why encrypted bytes were refused. Whatever the reason, no byte of them is returned as
// data. Each comes with an Error (code kInternal, or kUnimplemented for a newer version)
// whose message names the file and the likely fix.
enum class CipherFailure {
  kNone,
  kNotEncrypted,        // no "AIMASSE1" magic: plaintext, or not an aimass file
  kUnsupportedVersion,  // written by a newer aimass
  kUnknownDataKey,      // the header names a data key the KeyRing does not hold
  kAuthentication,      // wrong key, a changed byte, reordered chunks, or another blob's file
  kTruncated,           // ends before the TAG_FINAL chunk (cut at or inside a chunk)
  kTrailingData,        // bytes after the TAG_FINAL chunk
  kIo,                  // the file could not be read, or the output not written
};
std::string_view CipherFailureName(CipherFailure failure);

// Encrypts `plaintext` under keys.Current() into `encrypted`, which appears whole (temp
// file, fsync, rename) with mode 0600. `associated_data` is the blob's identity (e.g. its
// SHA-256 name): decryption must pass the same bytes. Safe to call from several threads.
Status EncryptFile(const std::filesystem::path& plaintext, const std::filesystem::path& encrypted,
                   const KeyRing& keys, std::string_view associated_data);
// Decrypts into `plaintext` (mode 0600) by way of a temporary file beside it that is renamed
// only after the final chunk authenticated: on any failure `plaintext` is left as it was and
// the temporary file is removed. `failure`, when given, says why it failed (kNone on success).
Status DecryptFile(const std::filesystem::path& encrypted, const std::filesystem::path& plaintext,
                   const KeyRing& keys, std::string_view associated_data,
                   CipherFailure* failure = nullptr);

// The same format in memory, for small values.
Result<std::string> EncryptBytes(std::string_view plaintext, const KeyRing& keys,
                                 std::string_view associated_data);
Result<std::string> DecryptBytes(std::string_view encrypted, const KeyRing& keys,
                                 std::string_view associated_data,
                                 CipherFailure* failure = nullptr);

// True when `prefix` (the first bytes of a file) starts with the magic: tells encrypted
// blobs from plaintext ones written before encryption was turned on. Authenticates nothing.
bool LooksEncrypted(std::string_view prefix);
// The plaintext size of a well-formed encrypted file of `encrypted_size` bytes, without
// reading it; kInvalidArgument for a size no encrypted file can have.
Result<uint64_t> PlaintextSize(uint64_t encrypted_size);

}  // namespace aimass::security::crypto
