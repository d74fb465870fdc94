#include "common/base64.h"

#include <array>
#include <cstdint>

namespace aimass {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Each character's 6-bit value, or -1 for a character outside the alphabet.
constexpr std::array<int8_t, 256> DecodeTable() {
  std::array<int8_t, 256> table{};
  for (auto& value : table) value = -1;
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  return table;
}
constexpr std::array<int8_t, 256> kDecode = DecodeTable();

}  // namespace

void AppendBase64(std::string_view bytes, std::string& out) {
  const size_t start = out.size();
  out.resize(start + (bytes.size() + 2) / 3 * 4);
  char* to = out.data() + start;
  const auto* from = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t left = bytes.size();
  for (; left >= 3; left -= 3, from += 3) {
    const uint32_t triple = (uint32_t{from[0]} << 16) | (uint32_t{from[1]} << 8) | from[2];
    *to++ = kAlphabet[triple >> 18];
    *to++ = kAlphabet[(triple >> 12) & 63];
    *to++ = kAlphabet[(triple >> 6) & 63];
    *to++ = kAlphabet[triple & 63];
  }
  if (left > 0) {
    const uint32_t triple = (uint32_t{from[0]} << 16) | (left == 2 ? uint32_t{from[1]} << 8 : 0);
    *to++ = kAlphabet[triple >> 18];
    *to++ = kAlphabet[(triple >> 12) & 63];
    *to++ = left == 2 ? kAlphabet[(triple >> 6) & 63] : '=';
    *to++ = '=';
  }
}

std::string Base64(std::string_view bytes) {
  std::string out;
  AppendBase64(bytes, out);
  return out;
}

std::optional<std::string> FromBase64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  std::string bytes;
  bytes.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    uint32_t quad = 0;
    for (size_t j = 0; j < 4; ++j) {
      const unsigned char c = static_cast<unsigned char>(text[i + j]);
      int value = kDecode[c];
      if (value < 0) {
        if (!(last && c == '=' && j >= 4 - padding)) return std::nullopt;
        value = 0;
      }
      quad = (quad << 6) | static_cast<uint32_t>(value);
    }
    bytes.push_back(static_cast<char>(quad >> 16));
    if (!last || padding < 2) bytes.push_back(static_cast<char>((quad >> 8) & 0xff));
    if (!last || padding < 1) bytes.push_back(static_cast<char>(quad & 0xff));
  }
  return bytes;
}

}  // namespace aimass
