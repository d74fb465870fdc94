#include "security/crypto/master_key.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <new>

#include "common/files.h"
#include "common/hash.h"
#include "security/secret_file.h"

namespace aimass::security::crypto {
namespace fs = std::filesystem;
namespace {

// Changing this text changes every key id, so files written before would name unknown keys.
constexpr std::string_view kIdContext = "aimass master key id v1";
constexpr size_t kIdBytes = 8;
constexpr size_t kHexSize = SecretKey::kSize * 2;
// A key file is 65 bytes; anything much larger is not one, and is not read into memory.
constexpr size_t kMaxKeyFileSize = 4096;

std::string_view TrimSpace(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

std::string KeyIdOf(const SecretKey& key) {
  std::array<unsigned char, crypto_generichash_BYTES_MIN> hash;
  crypto_generichash(hash.data(), hash.size(),
                     reinterpret_cast<const unsigned char*>(kIdContext.data()), kIdContext.size(),
                     key.data(), SecretKey::kSize);
  std::array<char, kIdBytes * 2 + 1> hex;
  sodium_bin2hex(hex.data(), hex.size(), hash.data(), kIdBytes);
  return std::string(hex.data(), kIdBytes * 2);
}

}  // namespace

std::optional<SecretKey> SecretKey::Make(
    const std::function<bool(std::span<unsigned char, kSize>)>& fill) {
  EnsureSodium();
  auto* bytes = static_cast<unsigned char*>(sodium_malloc(kSize));
  if (bytes == nullptr) throw std::bad_alloc();
  if (!fill(std::span<unsigned char, kSize>(bytes, kSize))) {
    sodium_free(bytes);  // zeroes what fill may have written
    return std::nullopt;
  }
  sodium_mprotect_readonly(bytes);
  return SecretKey(bytes);
}

SecretKey SecretKey::Random() {
  return *Make([](std::span<unsigned char, kSize> bytes) {
    randombytes_buf(bytes.data(), bytes.size());
    return true;
  });
}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
  if (this != &other) {
    if (bytes_ != nullptr) sodium_free(bytes_);
    bytes_ = std::exchange(other.bytes_, nullptr);
  }
  return *this;
}

SecretKey::~SecretKey() {
  if (bytes_ != nullptr) sodium_free(bytes_);
}

MasterKey::MasterKey(SecretKey key, std::string source)
    : key_(std::move(key)), id_(KeyIdOf(key_)), source_(std::move(source)) {}

Result<MasterKey> MasterKey::FromHex(std::string_view hex, std::string source) {
  hex = TrimSpace(hex);
  if (hex.size() != kHexSize) {
    return Fail(ErrorCode::kInvalidArgument,
                source + " must hold 64 hex characters (a 256-bit key, as `openssl rand -hex " +
                    "32` prints one); it holds " + std::to_string(hex.size()) + " characters");
  }
  auto key = SecretKey::Make([&](std::span<unsigned char, SecretKey::kSize> bytes) {
    size_t size = 0;
    const char* end = nullptr;
    return sodium_hex2bin(bytes.data(), bytes.size(), hex.data(), hex.size(), nullptr, &size,
                          &end) == 0 &&
           size == SecretKey::kSize && end == hex.data() + hex.size();
  });
  if (!key) {
    return Fail(ErrorCode::kInvalidArgument,
                source + " must hold 64 hex characters (0-9, a-f), as `openssl rand -hex 32` " +
                    "prints one; it holds other characters");
  }
  return MasterKey(std::move(*key), std::move(source));
}

MasterKey MasterKey::Generate(std::string source) {
  return MasterKey(SecretKey::Random(), std::move(source));
}

fs::path DefaultMasterKeyPath(const fs::path& data_dir) { return data_dir / "keys" / "master.key"; }

Result<MasterKey> ReadMasterKeyFile(const fs::path& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0 && errno == ENOENT) {
    return Fail(ErrorCode::kNotFound, "master key file '" + path.string() + "' does not exist");
  }
  if (fd.get() < 0) return IoError("cannot open master key file", path);
  // fstat on the open file, not stat on the name: the file checked is the file read.
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return IoError("cannot stat master key file", path);
  if (!S_ISREG(info.st_mode)) {
    return Fail(ErrorCode::kInvalidArgument,
                "master key file '" + path.string() + "' is not a regular file");
  }
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    return Fail(ErrorCode::kPermissionDenied,
                "master key file '" + path.string() + "' has mode " + mode +
                    ", so other users may read or replace it; run `chmod 600 " + path.string() +
                    "` (and consider the key exposed if others could read it)");
  }
  if (static_cast<uint64_t>(info.st_size) > kMaxKeyFileSize) {
    return Fail(ErrorCode::kInvalidArgument,
                "master key file '" + path.string() + "' holds " + std::to_string(info.st_size) +
                    " bytes, but a key file holds 64 hex characters (make one with `(umask 077; "
                    "openssl rand -hex 32 > " +
                    path.string() + ")`)");
  }
  std::array<char, kMaxKeyFileSize> buffer;
  size_t size = 0;
  while (size < buffer.size()) {
    ssize_t n = ::read(fd.get(), buffer.data() + size, buffer.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      sodium_memzero(buffer.data(), buffer.size());
      return IoError("cannot read master key file", path);
    }
    if (n == 0) break;
    size += static_cast<size_t>(n);
  }
  auto key = MasterKey::FromHex(std::string_view(buffer.data(), size),
                                "master key file '" + path.string() + "'");
  sodium_memzero(buffer.data(), buffer.size());
  return key;
}

Result<MasterKey> CreateMasterKeyFile(const fs::path& path) {
  const fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  std::error_code ec;
  // Only a directory made here is narrowed to 0700: an operator's existing one is theirs.
  if (!fs::exists(dir, ec)) AIMASS_RETURN_IF_ERROR(MakeDirectories(dir, fs::perms::owner_all));
  MasterKey key = MasterKey::Generate("master key file '" + path.string() + "'");

  // Written whole under a temporary name created 0600 with O_EXCL, then hard-linked to its
  // name: link() fails when the name exists, so a key file is never seen half-written, never
  // readable by others, and two first starts cannot both install a key.
  fs::path temp = path;
  temp += ".tmp-" + RandomHex(6);
  {
    FileDescriptor fd(
        ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (fd.get() < 0) return IoError("cannot create master key file", temp);
    std::array<char, kHexSize + 2> hex;
    sodium_bin2hex(hex.data(), hex.size(), key.data(), SecretKey::kSize);
    hex[kHexSize] = '\n';
    Status written = Ok();
    if (!WriteAll(fd.get(), std::string_view(hex.data(), kHexSize + 1))) {
      written = IoError("cannot write", temp);
    }
    sodium_memzero(hex.data(), hex.size());
    if (written && (::fchmod(fd.get(), 0600) != 0 || ::fsync(fd.get()) != 0)) {
      written = IoError("cannot sync master key file", temp);
    }
    if (!written) {
      ::unlink(temp.c_str());
      return Fail(written.error());
    }
  }
  if (::link(temp.c_str(), path.c_str()) != 0) {
    int error = errno;
    ::unlink(temp.c_str());
    if (error == EEXIST) {
      return Fail(ErrorCode::kConflict, "master key file '" + path.string() + "' already exists");
    }
    errno = error;
    return IoError("cannot install master key file", path);
  }
  ::unlink(temp.c_str());
  AIMASS_RETURN_IF_ERROR(SyncPath(dir));
  return key;
}

Result<MasterKey> LoadMasterKey(const MasterKeySources& sources) {
  if (!sources.env_var.empty()) {
    const char* value = std::getenv(sources.env_var.c_str());
    if (value != nullptr && *value != '\0') {
      return MasterKey::FromHex(value, "environment variable " + sources.env_var);
    }
  }
  if (!sources.key_file.empty()) return ReadMasterKeyFile(sources.key_file);
  if (sources.data_dir.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "no master key: set " + sources.env_var +
                    " to 64 hex characters, pass a key file, or give a data directory");
  }
  const fs::path path = DefaultMasterKeyPath(sources.data_dir);
  auto existing = ReadMasterKeyFile(path);
  if (existing || existing.error().code != ErrorCode::kNotFound) return existing;
  auto created = CreateMasterKeyFile(path);
  if (!created && created.error().code == ErrorCode::kConflict) {
    return ReadMasterKeyFile(path);  // another process created it first
  }
  return created;
}

}  // namespace aimass::security::crypto
