// Standard base64 (RFC 4648, with '=' padding) for bytes that are not secret: a table
// lookup per character. libsodium's coder takes constant time per character, which
// ciphertext does not need and which cost the prediction log a twentieth of the server's
// CPU.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace aimass {

// Appends the base64 of `bytes` to `out`.
void AppendBase64(std::string_view bytes, std::string& out);
std::string Base64(std::string_view bytes);
// The bytes `text` encodes, or nullopt when it is not padded standard base64.
std::optional<std::string> FromBase64(std::string_view text);

}  // namespace aimass
