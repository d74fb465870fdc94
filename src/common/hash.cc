#include "common/hash.h"

#include <sodium.h>

#include <cstdio>
#include <cstring>
#include <memory>

namespace aimass {
namespace {

void EnsureSodium() {
  static const int initialized = sodium_init();
  (void)initialized;  // 0 or 1 are both fine; -1 cannot happen on Linux with /dev/urandom
}

std::string ToHex(const unsigned char* bytes, size_t size) {
  std::string hex(size * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, size);
  hex.pop_back();
  return hex;
}

crypto_hash_sha256_state* AsState(unsigned char* raw) {
  return reinterpret_cast<crypto_hash_sha256_state*>(raw);
}

}  // namespace

Sha256::Sha256() {
  static_assert(sizeof(crypto_hash_sha256_state) <= sizeof(state_));
  EnsureSodium();
  crypto_hash_sha256_init(AsState(state_));
}

void Sha256::Update(std::string_view bytes) {
  crypto_hash_sha256_update(AsState(state_), reinterpret_cast<const unsigned char*>(bytes.data()),
                            bytes.size());
}

std::string Sha256::FinishHex() {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(AsState(state_), digest);
  return ToHex(digest, sizeof(digest));
}

std::string Sha256Hex(std::string_view bytes) {
  Sha256 hash;
  hash.Update(bytes);
  return hash.FinishHex();
}

Result<std::string> Sha256File(const std::filesystem::path& file) {
  std::unique_ptr<FILE, int (*)(FILE*)> in(std::fopen(file.c_str(), "rb"), &std::fclose);
  if (!in) {
    return Fail(ErrorCode::kInternal,
                "cannot read '" + file.string() + "': " + std::strerror(errno));
  }
  Sha256 hash;
  std::string buffer(1 << 20, '\0');
  while (size_t n = std::fread(buffer.data(), 1, buffer.size(), in.get())) {
    hash.Update(std::string_view(buffer.data(), n));
  }
  if (std::ferror(in.get())) {
    return Fail(ErrorCode::kInternal, "read error in '" + file.string() + "'");
  }
  return hash.FinishHex();
}

std::string RandomHex(size_t bytes) {
  EnsureSodium();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return ToHex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace aimass
