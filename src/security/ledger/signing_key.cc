#include "security/ledger/signing_key.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "common/files.h"
#include "common/hash.h"
#include "security/secret_file.h"

namespace aimass::security::ledger {
namespace {

namespace fs = std::filesystem;

// A string that holds secret bytes; wiped when it goes.
struct SecretText {
  std::string text;
  ~SecretText() { sodium_memzero(text.data(), text.size()); }
};

std::string Quoted(const fs::path& file) { return "'" + file.string() + "'"; }

std::unexpected<Error> SystemError(std::string_view what, const fs::path& file) {
  return Fail(ErrorCode::kInternal, std::string(what) + " ledger signing key " + Quoted(file) +
                                        ": " + std::strerror(errno));
}

// Why `file` is not a key file, and what to do about it.
std::unexpected<Error> NotAKeyFile(const fs::path& file, const std::string& problem) {
  return Fail(ErrorCode::kInvalidArgument,
              "ledger signing key " + Quoted(file) + " " + problem +
                  ": it was damaged or is not an aimass ledger key. Restore it from a backup, or "
                  "move it away to have a new key created (heads signed with the old key then "
                  "verify only with the old public key)");
}

Result<std::unique_ptr<LedgerSigningKey>> Parse(const fs::path& file, const std::string& text) {
  const std::string_view header = LedgerSigningKey::kFileHeader;
  if (text.compare(0, header.size(), header) != 0 || text[header.size()] != '\n' ||
      text[header.size() + 65] != '\n' || text.back() != '\n') {
    return NotAKeyFile(file, "does not have the layout '" + std::string(header) +
                                 "', seed hex, public key hex, one per line");
  }
  std::array<uint8_t, crypto_sign_SEEDBYTES> seed;
  Ed25519PublicKey stored_public;
  auto seed_read = FromHex(std::string_view(text).substr(header.size() + 1, 64), seed, "the seed");
  auto public_read = FromHex(std::string_view(text).substr(header.size() + 66, 64), stored_public,
                             "the public key");
  if (!seed_read) return NotAKeyFile(file, "is unreadable: " + seed_read.error().message);
  if (!public_read) return NotAKeyFile(file, "is unreadable: " + public_read.error().message);
  Ed25519PublicKey derived_public;
  Ed25519SecretKey secret_key;
  crypto_sign_seed_keypair(derived_public.data(), secret_key.data(), seed.data());
  sodium_memzero(seed.data(), seed.size());
  auto key =
      derived_public == stored_public ? std::make_unique<LedgerSigningKey>(secret_key) : nullptr;
  sodium_memzero(secret_key.data(), secret_key.size());
  if (!key) return NotAKeyFile(file, "holds a public key that does not belong to its seed");
  return key;
}

// Reads an existing key file through `fd`: the checks apply to the file actually read.
Result<std::unique_ptr<LedgerSigningKey>> Load(const fs::path& file, int fd) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return SystemError("cannot inspect", file);
  if (!S_ISREG(st.st_mode)) return NotAKeyFile(file, "is not a regular file");
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Fail(ErrorCode::kPermissionDenied,
                "ledger signing key " + Quoted(file) + " has mode " + mode +
                    ", so other users may read or change it; anyone with the key can sign a "
                    "rewritten ledger. Run `chmod 600 " +
                    file.string() + "` (and check who has read it)");
  }
  if (static_cast<size_t>(st.st_size) != LedgerSigningKey::kFileBytes) {
    return NotAKeyFile(file, "has " + std::to_string(st.st_size) + " bytes, not " +
                                 std::to_string(LedgerSigningKey::kFileBytes));
  }
  SecretText contents;
  contents.text.resize(LedgerSigningKey::kFileBytes);
  size_t done = 0;
  while (done < contents.text.size()) {
    const ssize_t n = ::read(fd, contents.text.data() + done, contents.text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return SystemError("cannot read", file);
    if (n == 0) return NotAKeyFile(file, "ended early (it shrank while being read)");
    done += static_cast<size_t>(n);
  }
  return Parse(file, contents.text);
}

// Creates a new key at `file`. nullptr (no error) when another process created one first:
// the caller then loads that one, so two starting processes never sign with two keys.
Result<std::unique_ptr<LedgerSigningKey>> Create(const fs::path& file) {
  EnsureSodium();
  Ed25519PublicKey public_key;
  Ed25519SecretKey secret_key;
  crypto_sign_keypair(public_key.data(), secret_key.data());
  std::array<uint8_t, crypto_sign_SEEDBYTES> seed;
  crypto_sign_ed25519_sk_to_seed(seed.data(), secret_key.data());
  SecretText contents;
  contents.text = std::string(LedgerSigningKey::kFileHeader) + "\n" + ToHex(seed) + "\n" +
                  ToHex(public_key) + "\n";
  sodium_memzero(seed.data(), seed.size());
  auto key = std::make_unique<LedgerSigningKey>(secret_key);
  sodium_memzero(secret_key.data(), secret_key.size());

  // O_EXCL with mode 0600 from the start: the secret is never readable by others, not even
  // between creating the file and a chmod, and a file planted under the temporary name is
  // never written into.
  fs::path temp = file;
  temp += ".tmp-" + std::to_string(::getpid()) + "-" + RandomHex(8);
  FileDescriptor fd(
      ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  const fs::path dir = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  if (fd.get() < 0) {
    return Fail(ErrorCode::kInternal, "cannot create ledger signing key " + Quoted(file) +
                                          " (in directory " + Quoted(dir) +
                                          "): " + std::strerror(errno));
  }
  // A umask can only take bits away from 0600; fchmod makes the owner's two exact.
  if (!WriteAll(fd.get(), contents.text) || ::fchmod(fd.get(), 0600) != 0 ||
      ::fsync(fd.get()) != 0 || fd.Close() != 0) {
    auto error = SystemError("cannot write", temp);
    ::unlink(temp.c_str());
    return error;
  }
  // link() rather than rename(): it fails when the name exists, so a key that another
  // process created meanwhile is kept, not replaced (heads it signed stay verifiable).
  if (::link(temp.c_str(), file.c_str()) != 0) {
    const int link_errno = errno;
    ::unlink(temp.c_str());
    if (link_errno == EEXIST) return std::unique_ptr<LedgerSigningKey>();
    errno = link_errno;
    return SystemError("cannot create", file);
  }
  ::unlink(temp.c_str());
  AIMASS_RETURN_IF_ERROR(SyncPath(dir));
  return key;
}

}  // namespace

LedgerSigningKey::LedgerSigningKey(const Ed25519SecretKey& secret_key) : secret_key_(secret_key) {
  EnsureSodium();
  crypto_sign_ed25519_sk_to_pk(public_key_.data(), secret_key_.data());
}

LedgerSigningKey::~LedgerSigningKey() { sodium_memzero(secret_key_.data(), secret_key_.size()); }

Ed25519Signature LedgerSigningKey::Sign(std::span<const uint8_t> message) const {
  Ed25519Signature signature;
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(),
                       secret_key_.data());
  return signature;
}

Result<std::unique_ptr<LedgerSigningKey>> LedgerSigningKey::LoadOrCreate(const fs::path& file) {
  // Two tries: when another process creates the key between our open and our link, the
  // second open finds its file.
  for (int attempt = 0; attempt < 2; ++attempt) {
    FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() >= 0) return Load(file, fd.get());
    if (errno != ENOENT) return SystemError("cannot open", file);
    AIMASS_ASSIGN_OR_RETURN(auto created, Create(file));
    if (created) return created;
  }
  return Fail(ErrorCode::kInternal, "ledger signing key " + Quoted(file) +
                                        " kept vanishing while being created (a dangling "
                                        "symlink, or another process deleting it?)");
}

}  // namespace aimass::security::ledger
