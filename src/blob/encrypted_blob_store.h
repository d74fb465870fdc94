// Encryption at rest: a BlobStore that keeps every blob in a LocalBlobStore encrypted under
// the KeyRing's data keys (security/crypto/blob_cipher.h), bound to the blob's name.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "blob/local_blob_store.h"
#include "security/crypto/key_ring.h"

namespace aimass::blob {

// Names stay the SHA-256 of the plaintext (what the metadata store records); the file under
// that name holds the ciphertext, whose associated data is the name, so a file copied over
// another blob's is refused. Open decrypts into a scratch file (mode 0600, removed with its
// BlobFile) and checks that the plaintext hashes to the name. Blobs written before
// encryption was on (no "AIMASSE1" magic) are still read when they hash to their name;
// EncryptLegacyBlobs encrypts them. Thread-safe; a key rotation never blocks a read.
class EncryptedBlobStore final : public BlobStore {
 public:
  // Wraps `inner` (a LocalBlobStore, whose files this store reads itself: the generic
  // interface verifies a file's bytes against its name, which ciphertext never matches).
  // `keys` must outlive the store.
  EncryptedBlobStore(std::unique_ptr<LocalBlobStore> inner, const security::crypto::KeyRing& keys);

  std::filesystem::path NewScratchPath(std::string_view suffix) override;
  Result<std::string> PutFile(const std::filesystem::path& file) override;
  Result<std::string> Put(std::string_view bytes) override;
  Result<BlobFile> Open(const std::string& hash) override;
  Result<uint64_t> Size(const std::string& hash) override;
  bool Contains(const std::string& hash) override;
  Status Delete(const std::string& hash) override;
  Result<std::vector<std::string>> List() override;

  // Encrypts, in place, every blob that is still plaintext and hashes to its name; one
  // that does not is left for reads to report. Returns how many it encrypted. Run it before
  // serving: a reader given a plaintext blob's own path would see it change under it.
  Result<size_t> EncryptLegacyBlobs();

 private:
  // Whether the stored file starts with the encrypted format's magic.
  Result<bool> IsEncrypted(const std::filesystem::path& stored, const std::string& hash);

  const std::unique_ptr<LocalBlobStore> inner_;
  const security::crypto::KeyRing& keys_;
};

}  // namespace aimass::blob
