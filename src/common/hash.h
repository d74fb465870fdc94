// SHA-256 digests (libsodium) as lower-case hex, and random secrets.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"

namespace aimass {

std::string Sha256Hex(std::string_view bytes);
// Hashes a file by streaming it; an error names the file when it cannot be read.
Result<std::string> Sha256File(const std::filesystem::path& file);
// `bytes` random bytes from the OS CSPRNG, hex-encoded (2 characters each).
std::string RandomHex(size_t bytes);
// True when a and b are equal, in time that depends only on their lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// A streaming SHA-256, for data that passes through in pieces (uploads). Not thread-safe.
class Sha256 {
 public:
  Sha256();
  void Update(std::string_view bytes);
  std::string FinishHex();

 private:
  alignas(64) unsigned char state_[128];
};

}  // namespace aimass
