// Password hashes: argon2id through libsodium (crypto_pwhash_str), in its self-describing
// "$argon2id$v=19$m=...,t=...,p=...$salt$hash" text form.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace aimass::security {

// Passwords are 12 to 1024 bytes; the error says which bound was missed.
Status CheckPasswordStrength(std::string_view password);
// A new salted argon2id hash (about 64 MiB and a fraction of a second: libsodium's
// "interactive" limits).
Result<std::string> HashPassword(std::string_view password);
// True when `password` matches `hash`; false for a wrong password and for a hash that is
// not one (an empty one: a user without a password cannot log in).
bool VerifyPassword(std::string_view password, const std::string& hash);
// A hash of no one's password, for checking a password of an unknown user in the same time
// as a known one's (so the answer's timing does not tell which user names exist).
const std::string& DecoyPasswordHash();

}  // namespace aimass::security
