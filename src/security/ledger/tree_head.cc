#include "security/ledger/tree_head.h"

#include <sodium.h>

#include <limits>
#include <string>

#include "common/files.h"
#include "security/secret_file.h"

namespace aimass::security::ledger {
namespace {

namespace fs = std::filesystem;

// A head file is a few hundred bytes; anything far larger is not one, and is not read whole.
constexpr uintmax_t kMaxTreeHeadFileBytes = 64 * 1024;

void AppendBigEndian(uint64_t value, std::vector<uint8_t>& out) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(value >> shift));
}

std::string Describe(const TreeHead& head) {
  return "tree head (size " + std::to_string(head.size) + ", root " + HashToHex(head.root) +
         ", timestamp_ms " + std::to_string(head.timestamp_ms) + ")";
}

std::unexpected<Error> BadField(std::string_view field, std::string_view problem) {
  return Fail(ErrorCode::kInvalidArgument,
              "tree head: field '" + std::string(field) + "' " + std::string(problem));
}

// The string value of `field`, or an error naming it.
Result<std::string> StringField(const nlohmann::json& json, std::string_view field) {
  auto it = json.find(field);
  if (it == json.end()) return BadField(field, "is missing");
  if (!it->is_string()) return BadField(field, "must be a string, got " + it->dump());
  return it->get<std::string>();
}

Status HexField(const nlohmann::json& json, std::string_view field, std::span<uint8_t> out) {
  AIMASS_ASSIGN_OR_RETURN(std::string hex, StringField(json, field));
  return FromHex(hex, out, "tree head: field '" + std::string(field) + "'");
}

}  // namespace

std::vector<uint8_t> TreeHeadSigningBytes(const TreeHead& head) {
  std::vector<uint8_t> bytes;
  bytes.reserve(kTreeHeadSigningBytesSize);
  bytes.insert(bytes.end(), kTreeHeadFormat.begin(), kTreeHeadFormat.end());
  bytes.push_back(0x00);
  AppendBigEndian(head.size, bytes);
  bytes.insert(bytes.end(), head.root.begin(), head.root.end());
  AppendBigEndian(static_cast<uint64_t>(head.timestamp_ms), bytes);
  return bytes;
}

Ed25519Signature SignTreeHead(const TreeHead& head, const Ed25519SecretKey& secret_key) {
  EnsureSodium();
  const std::vector<uint8_t> message = TreeHeadSigningBytes(head);
  Ed25519Signature signature;
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(),
                       secret_key.data());
  return signature;
}

Status VerifyTreeHead(const TreeHead& head, const Ed25519PublicKey& public_key) {
  EnsureSodium();
  const std::vector<uint8_t> message = TreeHeadSigningBytes(head);
  if (crypto_sign_verify_detached(head.signature.data(), message.data(), message.size(),
                                  public_key.data()) != 0) {
    return Fail(ErrorCode::kInvalidArgument,
                Describe(head) + ": the signature does not verify with public key " +
                    ToHex(public_key) +
                    " (the head was changed after signing, or another key signed it)");
  }
  return Ok();
}

nlohmann::json TreeHeadToJson(const TreeHead& head) {
  return {{"format", kTreeHeadFormat},
          {"size", head.size},
          {"root", HashToHex(head.root)},
          {"timestamp_ms", head.timestamp_ms},
          {"signature", ToHex(head.signature)}};
}

Result<TreeHead> TreeHeadFromJson(const nlohmann::json& json) {
  if (!json.is_object()) {
    return Fail(ErrorCode::kInvalidArgument,
                "tree head: expected a JSON object with format, size, root, timestamp_ms and "
                "signature, got " +
                    std::string(json.type_name()));
  }
  AIMASS_ASSIGN_OR_RETURN(std::string format, StringField(json, "format"));
  if (format != kTreeHeadFormat) {
    return BadField("format", "is '" + format + "'; this build reads only '" +
                                  std::string(kTreeHeadFormat) + "'");
  }
  TreeHead head;
  auto size = json.find("size");
  if (size == json.end()) return BadField("size", "is missing");
  if (!size->is_number_unsigned()) {
    return BadField("size", "must be a whole number of entries (0 or more), got " + size->dump());
  }
  head.size = size->get<uint64_t>();
  auto timestamp = json.find("timestamp_ms");
  if (timestamp == json.end()) return BadField("timestamp_ms", "is missing");
  if (!timestamp->is_number_integer() ||
      (timestamp->is_number_unsigned() &&
       timestamp->get<uint64_t>() > uint64_t{std::numeric_limits<int64_t>::max()})) {
    return BadField("timestamp_ms",
                    "must be whole Unix milliseconds that fit 64 bits, got " + timestamp->dump());
  }
  head.timestamp_ms = timestamp->get<int64_t>();
  AIMASS_RETURN_IF_ERROR(HexField(json, "root", head.root));
  AIMASS_RETURN_IF_ERROR(HexField(json, "signature", head.signature));
  return head;
}

Result<TreeHead> ParseTreeHead(std::string_view json_text) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::parse_error& e) {
    return Fail(ErrorCode::kInvalidArgument,
                "tree head is not valid JSON (at byte " + std::to_string(e.byte) +
                    "); a head file holds one object as written by the ledger");
  }
  return TreeHeadFromJson(json);
}

Status SaveTreeHead(const fs::path& file, const TreeHead& head) {
  return WriteFileAtomically(file, TreeHeadToJson(head).dump(2) + "\n",
                             fs::perms::owner_read | fs::perms::owner_write |
                                 fs::perms::group_read | fs::perms::others_read);
}

Result<TreeHead> LoadTreeHead(const fs::path& file) {
  const std::string where = "tree head file '" + file.string() + "'";
  std::error_code ec;
  const uintmax_t bytes = fs::file_size(file, ec);
  if (ec) {
    return Fail(ErrorCode::kNotFound, "cannot read " + where + ": " + ec.message());
  }
  if (bytes > kMaxTreeHeadFileBytes) {
    return Fail(ErrorCode::kInvalidArgument,
                where + " has " + std::to_string(bytes) + " bytes; a tree head has a few hundred");
  }
  AIMASS_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
  auto head = ParseTreeHead(text);
  if (!head) return Fail(head.error().code, where + ": " + head.error().message);
  return head;
}

}  // namespace aimass::security::ledger
