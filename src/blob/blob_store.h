// Content-addressed storage for immutable bytes (dataset versions as Parquet, model
// bundles). A blob is named by the SHA-256 of its contents, written atomically, and
// verified when read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "common/status.h"

namespace aimass::blob {

// A readable plaintext file holding one blob's bytes, valid while the handle lives: the
// blob's own file (a store that keeps plaintext) or a decrypted scratch copy that the
// handle deletes when destroyed (an encrypting store). Keep the handle at least as long as
// anything (DuckDB, a streamed download) reads its path. Movable, not copyable.
class BlobFile {
 public:
  BlobFile() = default;
  // The store's own file: it stays when the handle goes.
  static BlobFile Stored(std::filesystem::path path) { return BlobFile(std::move(path), false); }
  // A copy made for this reader: removed with the handle.
  static BlobFile Scratch(std::filesystem::path path) { return BlobFile(std::move(path), true); }

  BlobFile(BlobFile&& other) noexcept
      : path_(std::exchange(other.path_, {})), scratch_(std::exchange(other.scratch_, false)) {}
  BlobFile& operator=(BlobFile&& other) noexcept {
    if (this != &other) {
      Remove();
      path_ = std::exchange(other.path_, {});
      scratch_ = std::exchange(other.scratch_, false);
    }
    return *this;
  }
  BlobFile(const BlobFile&) = delete;
  BlobFile& operator=(const BlobFile&) = delete;
  ~BlobFile() { Remove(); }

  const std::filesystem::path& path() const { return path_; }
  // True when the file is a copy that goes with the handle.
  bool is_scratch() const { return scratch_; }
  // Hands the file over to a caller that outlives the handle (a streamed response): the
  // handle forgets it, and the caller removes it when is_scratch() was true.
  std::filesystem::path Release() {
    scratch_ = false;
    return std::exchange(path_, {});
  }

 private:
  BlobFile(std::filesystem::path path, bool scratch) : path_(std::move(path)), scratch_(scratch) {}
  void Remove() {
    std::error_code ec;
    if (scratch_ && !path_.empty()) std::filesystem::remove(path_, ec);
  }

  std::filesystem::path path_;
  bool scratch_ = false;
};

// The seam for storage backends. Encryption at rest (EncryptedBlobStore) wraps the local
// store: it encrypts on Put and decrypts on Open. Implementations are thread-safe.
class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // A fresh path in the store's scratch area (same filesystem as the blobs), for a file
  // that will be handed to PutFile. Nothing is created.
  virtual std::filesystem::path NewScratchPath(std::string_view suffix) = 0;
  // Moves `file` into the store and returns its hash. `file` is gone afterwards, also on
  // error. Storing bytes that are already there is cheap and returns the same hash.
  virtual Result<std::string> PutFile(const std::filesystem::path& file) = 0;
  virtual Result<std::string> Put(std::string_view bytes) = 0;
  // A plaintext file a reader (DuckDB) may open for this blob, after checking its contents
  // still hash to its name (and, encrypted, that they authenticate). kNotFound when absent;
  // kInternal naming the blob when corrupt: no byte of a refused blob is returned.
  virtual Result<BlobFile> Open(const std::string& hash) = 0;
  // The size of the blob's contents (its plaintext).
  virtual Result<uint64_t> Size(const std::string& hash) = 0;
  virtual bool Contains(const std::string& hash) = 0;
  virtual Status Delete(const std::string& hash) = 0;
  virtual Result<std::vector<std::string>> List() = 0;
};

// True for 64 lower-case hex characters: the only names a blob may have.
bool IsBlobHash(std::string_view hash);

}  // namespace aimass::blob
