#include "blob/encrypted_blob_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "common/files.h"
#include "common/hash.h"
#include "security/crypto/blob_cipher.h"

namespace aimass::blob {
namespace fs = std::filesystem;
namespace crypto = security::crypto;

EncryptedBlobStore::EncryptedBlobStore(std::unique_ptr<LocalBlobStore> inner,
                                       const crypto::KeyRing& keys)
    : inner_(std::move(inner)), keys_(keys) {}

fs::path EncryptedBlobStore::NewScratchPath(std::string_view suffix) {
  return inner_->NewScratchPath(suffix);
}

Result<bool> EncryptedBlobStore::IsEncrypted(const fs::path& stored, const std::string& hash) {
  int fd = ::open(stored.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return Fail(ErrorCode::kNotFound, "blob " + hash + " is missing from the data directory");
    }
    return Fail(ErrorCode::kInternal,
                "cannot read blob " + hash + " (" + stored.string() + "): " + std::strerror(errno));
  }
  char prefix[crypto::kEncryptedMagic.size()];
  size_t got = 0;
  while (got < sizeof prefix) {
    ssize_t n = ::read(fd, prefix + got, sizeof prefix - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  return crypto::LooksEncrypted(std::string_view(prefix, got));
}

Result<std::string> EncryptedBlobStore::PutFile(const fs::path& file) {
  std::error_code ec;
  auto hash = Sha256File(file);
  if (!hash || inner_->Contains(*hash)) {
    fs::remove(file, ec);
    return hash;
  }
  const fs::path encrypted = inner_->NewScratchPath(".enc");
  Status sealed = crypto::EncryptFile(file, encrypted, keys_, *hash);
  fs::remove(file, ec);
  if (!sealed) {
    fs::remove(encrypted, ec);
    return Fail(sealed.error().code, "cannot store blob " + *hash + ": " + sealed.error().message);
  }
  return inner_->StoreAs(encrypted, *hash);
}

Result<std::string> EncryptedBlobStore::Put(std::string_view bytes) {
  const std::string hash = Sha256Hex(bytes);
  if (inner_->Contains(hash)) return hash;
  AIMASS_ASSIGN_OR_RETURN(std::string sealed, crypto::EncryptBytes(bytes, keys_, hash));
  const fs::path encrypted = inner_->NewScratchPath(".enc");
  if (auto written = WriteFileAtomically(encrypted, sealed); !written) {
    std::error_code ec;
    fs::remove(encrypted, ec);
    return Fail(written.error());
  }
  return inner_->StoreAs(encrypted, hash);
}

Result<BlobFile> EncryptedBlobStore::Open(const std::string& hash) {
  AIMASS_ASSIGN_OR_RETURN(fs::path stored, inner_->StoredFile(hash));
  AIMASS_ASSIGN_OR_RETURN(bool encrypted, IsEncrypted(stored, hash));
  // Plaintext from before encryption: the local store checks it hashes to its name.
  if (!encrypted) return inner_->Open(hash);

  BlobFile plain = BlobFile::Scratch(inner_->NewScratchPath(".plain"));
  crypto::CipherFailure failure = crypto::CipherFailure::kNone;
  if (auto decrypted = crypto::DecryptFile(stored, plain.path(), keys_, hash, &failure);
      !decrypted) {
    // A blob from before encryption whose own bytes happen to begin with the magic is
    // still its content if it hashes to its name.
    if (failure == crypto::CipherFailure::kAuthentication ||
        failure == crypto::CipherFailure::kTruncated ||
        failure == crypto::CipherFailure::kUnknownDataKey) {
      if (auto actual = Sha256File(stored); actual && *actual == hash) return inner_->Open(hash);
    }
    if (failure == crypto::CipherFailure::kNone || failure == crypto::CipherFailure::kIo) {
      if (!fs::exists(stored)) {
        return Fail(ErrorCode::kNotFound, "blob " + hash + " is missing from the data directory");
      }
    }
    return Fail(decrypted.error().code, "blob " + hash + " cannot be read (" +
                                            std::string(crypto::CipherFailureName(failure)) +
                                            "): " + decrypted.error().message);
  }
  AIMASS_ASSIGN_OR_RETURN(std::string actual, Sha256File(plain.path()));
  if (actual != hash) {
    return Fail(ErrorCode::kInternal, "blob " + hash +
                                          " is corrupt: it decrypts, but its contents hash to " +
                                          actual + "; restore it from a backup");
  }
  return plain;
}

Result<uint64_t> EncryptedBlobStore::Size(const std::string& hash) {
  AIMASS_ASSIGN_OR_RETURN(fs::path stored, inner_->StoredFile(hash));
  AIMASS_ASSIGN_OR_RETURN(uint64_t size, inner_->Size(hash));
  AIMASS_ASSIGN_OR_RETURN(bool encrypted, IsEncrypted(stored, hash));
  if (!encrypted) return size;
  auto plain = crypto::PlaintextSize(size);
  if (!plain) {
    return Fail(ErrorCode::kInternal, "blob " + hash + " is corrupt: " + plain.error().message +
                                          "; restore it from a backup");
  }
  return *plain;
}

bool EncryptedBlobStore::Contains(const std::string& hash) { return inner_->Contains(hash); }

Status EncryptedBlobStore::Delete(const std::string& hash) { return inner_->Delete(hash); }

Result<std::vector<std::string>> EncryptedBlobStore::List() { return inner_->List(); }

Result<size_t> EncryptedBlobStore::EncryptLegacyBlobs() {
  AIMASS_ASSIGN_OR_RETURN(std::vector<std::string> hashes, inner_->List());
  size_t encrypted = 0;
  for (const auto& hash : hashes) {
    auto stored = inner_->StoredFile(hash);
    if (!stored) continue;  // deleted meanwhile
    AIMASS_ASSIGN_OR_RETURN(bool done, IsEncrypted(*stored, hash));
    if (done) continue;
    // Only bytes that are the blob's are encrypted; a corrupt one stays as it is, so that
    // reads keep reporting it instead of sealing the damage under a valid tag.
    if (auto verified = inner_->Open(hash); !verified) continue;
    const fs::path sealed = inner_->NewScratchPath(".enc");
    if (auto written = crypto::EncryptFile(*stored, sealed, keys_, hash); !written) {
      std::error_code ec;
      fs::remove(sealed, ec);
      return Fail(written.error().code,
                  "cannot encrypt blob " + hash + ": " + written.error().message);
    }
    AIMASS_RETURN_IF_ERROR(inner_->StoreAs(sealed, hash));
    ++encrypted;
  }
  return encrypted;
}

}  // namespace aimass::blob
