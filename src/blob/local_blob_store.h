// BlobStore on a local directory: <root>/ab/cdef… with a scratch area in <root>/tmp.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "blob/blob_store.h"

namespace aimass::blob {

// Writes go temp file → fsync → rename → fsync directory, so a crash leaves a blob either
// whole or absent. Reads verify the SHA-256 once per process (and again if the file's size
// or mtime changes). Thread-safe.
class LocalBlobStore final : public BlobStore {
 public:
  // Creates the directories; clears leftovers of interrupted writes from tmp/.
  static Result<std::unique_ptr<LocalBlobStore>> Open(const std::filesystem::path& root);

  std::filesystem::path NewScratchPath(std::string_view suffix) override;
  Result<std::string> PutFile(const std::filesystem::path& file) override;
  Result<std::string> Put(std::string_view bytes) override;
  Result<BlobFile> Open(const std::string& hash) override;
  Result<uint64_t> Size(const std::string& hash) override;
  bool Contains(const std::string& hash) override;
  Status Delete(const std::string& hash) override;
  Result<std::vector<std::string>> List() override;

  // For a store that wraps this one and keeps its own format in the files (encryption):
  // moves `file` in as blob `hash` without hashing it, replacing what is there, with the
  // same durable steps as PutFile. `file` is gone afterwards, also on error.
  Result<std::string> StoreAs(const std::filesystem::path& file, const std::string& hash);
  // The file that holds blob `hash`, not verified; kNotFound when absent.
  Result<std::filesystem::path> StoredFile(const std::string& hash);

 private:
  explicit LocalBlobStore(std::filesystem::path root) : root_(std::move(root)) {}
  std::filesystem::path PathOf(const std::string& hash) const;

  const std::filesystem::path root_;
  std::mutex mu_;
  // hash → (size, mtime) at the last successful verification.
  std::map<std::string, std::pair<uint64_t, int64_t>> verified_;
};

}  // namespace aimass::blob
