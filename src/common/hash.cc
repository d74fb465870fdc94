#include "common/hash.h"

#include <openssl/evp.h>
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

// Constant time per byte: for secrets.
std::string SecretToHex(const unsigned char* bytes, size_t size) {
  EnsureSodium();
  std::string hex(size * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, size);
  hex.pop_back();
  return hex;
}

// A table lookup per byte: for digests, which are not secret.
std::string DigestToHex(const unsigned char* bytes, size_t size) {
  constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(size * 2, '\0');
  for (size_t i = 0; i < size; ++i) {
    hex[2 * i] = kDigits[bytes[i] >> 4];
    hex[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return hex;
}

// Fetched once: EVP_sha256() makes OpenSSL 3 look the method up, under a lock, on every
// digest, which cost a token check more than the hashing.
const EVP_MD* Sha256Method() {
  static EVP_MD* const method = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return method;
}

}  // namespace

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(context_, Sha256Method(), nullptr);
}

Sha256::~Sha256() { EVP_MD_CTX_free(context_); }

void Sha256::Update(std::string_view bytes) {
  EVP_DigestUpdate(context_, bytes.data(), bytes.size());
}

std::string Sha256::FinishHex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(context_, digest, &size);
  return DigestToHex(digest, size);
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, Sha256Method(), nullptr);
  return DigestToHex(digest, size);
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
  return SecretToHex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace aimass
