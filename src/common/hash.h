// SHA-256 digests as lower-case hex (OpenSSL, which uses the CPU's SHA instructions:
// about 5x libsodium's portable code on blob-sized files), and random secrets (libsodium).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

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
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(std::string_view bytes);
  std::string FinishHex();

 private:
  evp_md_ctx_st* context_;
};

}  // namespace aimass
