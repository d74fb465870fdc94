// A signed tree head: the ledger's size and Merkle root at a moment, signed with Ed25519, so
// that anyone holding an earlier head can later check that the log only grew.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "security/ledger/merkle.h"

namespace aimass::security::ledger {

using Ed25519PublicKey = std::array<uint8_t, 32>;
using Ed25519SecretKey = std::array<uint8_t, 64>;  // libsodium's form: seed || public key
using Ed25519Signature = std::array<uint8_t, 64>;

struct TreeHead {
  uint64_t size = 0;
  Hash root{};
  int64_t timestamp_ms = 0;  // when the head was made, Unix milliseconds
  Ed25519Signature signature{};
};

// The names a tree head's encodings carry, so that a later format is never mistaken for it.
inline constexpr std::string_view kTreeHeadFormat = "aimass-tree-head-v1";
inline constexpr size_t kTreeHeadSigningBytesSize = kTreeHeadFormat.size() + 1 + 8 + 32 + 8;

// The exact bytes that are signed (68 of them): the ASCII "aimass-tree-head-v1", one 0x00,
// the size as 8 bytes big-endian, the 32-byte root, and timestamp_ms as 8 bytes big-endian
// two's complement. Every field has a fixed length, so no two heads share an encoding; the
// leading name keeps a ledger signature from being valid for anything else.
std::vector<uint8_t> TreeHeadSigningBytes(const TreeHead& head);

// The Ed25519 signature of TreeHeadSigningBytes(head); head.signature is not read.
Ed25519Signature SignTreeHead(const TreeHead& head, const Ed25519SecretKey& secret_key);
// OK when head.signature is `public_key`'s signature of the head's size, root and timestamp.
Status VerifyTreeHead(const TreeHead& head, const Ed25519PublicKey& public_key);

// {"format": "aimass-tree-head-v1", "size": 8, "root": "<64 hex>", "timestamp_ms": ...,
//  "signature": "<128 hex>"}
nlohmann::json TreeHeadToJson(const TreeHead& head);
// The error names the field that is missing or wrong. Does not check the signature.
Result<TreeHead> TreeHeadFromJson(const nlohmann::json& json);
Result<TreeHead> ParseTreeHead(std::string_view json_text);

// A head kept in a file (e.g. for `aimass ledger verify --trusted-head FILE`); errors name
// the file. Saved atomically, readable by all: a head holds nothing secret.
Status SaveTreeHead(const std::filesystem::path& file, const TreeHead& head);
Result<TreeHead> LoadTreeHead(const std::filesystem::path& file);

}  // namespace aimass::security::ledger
