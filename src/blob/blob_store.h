// Content-addressed storage for immutable bytes (dataset versions as Parquet, model
// bundles). A blob is named by the SHA-256 of its contents, written atomically, and
// verified when read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace aimass::blob {

// The seam for storage backends. Encryption at rest (a later issue) wraps a BlobStore in
// another that encrypts on Put and decrypts on Open. Implementations are thread-safe.
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
  // A path a reader (DuckDB) may open for this blob, after checking its contents still
  // hash to its name. kNotFound when absent; kInternal naming the blob when corrupt.
  virtual Result<std::filesystem::path> OpenPath(const std::string& hash) = 0;
  virtual Result<uint64_t> Size(const std::string& hash) = 0;
  virtual bool Contains(const std::string& hash) = 0;
  virtual Status Delete(const std::string& hash) = 0;
  virtual Result<std::vector<std::string>> List() = 0;
};

// True for 64 lower-case hex characters: the only names a blob may have.
bool IsBlobHash(std::string_view hash);

}  // namespace aimass::blob
