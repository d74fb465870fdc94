#include "blob/local_blob_store.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "common/files.h"
#include "common/hash.h"

namespace aimass::blob {
namespace fs = std::filesystem;

namespace {

int64_t MtimeOf(const fs::path& path) {
  std::error_code ec;
  auto time = fs::last_write_time(path, ec);
  return ec ? -1 : time.time_since_epoch().count();
}

std::unexpected<Error> BadHash(std::string_view hash) {
  return Fail(ErrorCode::kInvalidArgument,
              "'" + std::string(hash) + "' is not a blob hash (64 lower-case hex characters)");
}

}  // namespace

bool IsBlobHash(std::string_view hash) {
  if (hash.size() != 64) return false;
  for (char c : hash) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<std::unique_ptr<LocalBlobStore>> LocalBlobStore::Open(const fs::path& root) {
  AIMASS_RETURN_IF_ERROR(MakeDirectories(root / "tmp"));
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root / "tmp", ec)) fs::remove_all(entry, ec);
  return std::unique_ptr<LocalBlobStore>(new LocalBlobStore(root));
}

fs::path LocalBlobStore::PathOf(const std::string& hash) const {
  return root_ / hash.substr(0, 2) / hash.substr(2);
}

fs::path LocalBlobStore::NewScratchPath(std::string_view suffix) {
  return root_ / "tmp" / (RandomHex(12) + std::string(suffix));
}

Result<std::string> LocalBlobStore::PutFile(const fs::path& file) {
  std::error_code ec;
  auto hash = Sha256File(file);
  if (!hash) {
    fs::remove(file, ec);
    return hash;
  }
  if (fs::exists(PathOf(*hash), ec)) {
    fs::remove(file, ec);
    return hash;
  }
  return StoreAs(file, *hash);
}

Result<std::string> LocalBlobStore::StoreAs(const fs::path& file, const std::string& hash) {
  std::error_code ec;
  if (!IsBlobHash(hash)) {
    fs::remove(file, ec);
    return BadHash(hash);
  }
  fs::path target = PathOf(hash);
  if (auto synced = SyncPath(file); !synced) {
    fs::remove(file, ec);
    return Fail(synced.error());
  }
  if (auto made = MakeDirectories(target.parent_path()); !made) {
    fs::remove(file, ec);
    return Fail(made.error());
  }
  {
    std::lock_guard lock(mu_);
    verified_.erase(hash);
  }
  fs::rename(file, target, ec);
  if (ec) {
    // Another filesystem: copy, then the same durable steps.
    fs::path staged = NewScratchPath(".copy");
    fs::copy_file(file, staged, ec);
    fs::remove(file);
    if (ec) {
      fs::remove(staged, ec);
      return Fail(ErrorCode::kInternal, "cannot store blob " + hash + ": " + ec.message());
    }
    AIMASS_RETURN_IF_ERROR(SyncPath(staged));
    fs::rename(staged, target, ec);
    if (ec) return Fail(ErrorCode::kInternal, "cannot store blob " + hash + ": " + ec.message());
  }
  AIMASS_RETURN_IF_ERROR(SyncPath(target.parent_path()));
  return hash;
}

Result<fs::path> LocalBlobStore::StoredFile(const std::string& hash) {
  if (!IsBlobHash(hash)) return BadHash(hash);
  fs::path path = PathOf(hash);
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return Fail(ErrorCode::kNotFound, "blob " + hash + " is missing from the data directory");
  }
  return path;
}

Result<std::string> LocalBlobStore::Put(std::string_view bytes) {
  fs::path scratch = NewScratchPath(".put");
  AIMASS_RETURN_IF_ERROR(WriteFileAtomically(scratch, bytes));
  return PutFile(scratch);
}

Result<BlobFile> LocalBlobStore::Open(const std::string& hash) {
  if (!IsBlobHash(hash)) return BadHash(hash);
  fs::path path = PathOf(hash);
  std::error_code ec;
  uint64_t size = fs::file_size(path, ec);
  if (ec) return Fail(ErrorCode::kNotFound, "blob " + hash + " is missing from the data directory");
  int64_t mtime = MtimeOf(path);
  {
    std::lock_guard lock(mu_);
    auto it = verified_.find(hash);
    if (it != verified_.end() && it->second == std::make_pair(size, mtime)) {
      return BlobFile::Stored(path);
    }
  }
  AIMASS_ASSIGN_OR_RETURN(std::string actual, Sha256File(path));
  if (actual != hash) {
    return Fail(ErrorCode::kInternal, "blob " + hash + " is corrupt: its contents hash to " +
                                          actual + "; restore it from a backup");
  }
  std::lock_guard lock(mu_);
  verified_[hash] = {size, mtime};
  return BlobFile::Stored(path);
}

Result<uint64_t> LocalBlobStore::Size(const std::string& hash) {
  if (!IsBlobHash(hash)) return BadHash(hash);
  std::error_code ec;
  uint64_t size = fs::file_size(PathOf(hash), ec);
  if (ec) return Fail(ErrorCode::kNotFound, "blob " + hash + " does not exist");
  return size;
}

bool LocalBlobStore::Contains(const std::string& hash) {
  std::error_code ec;
  return IsBlobHash(hash) && fs::exists(PathOf(hash), ec);
}

Status LocalBlobStore::Delete(const std::string& hash) {
  if (!IsBlobHash(hash)) return BadHash(hash);
  std::error_code ec;
  fs::remove(PathOf(hash), ec);
  if (ec) return Fail(ErrorCode::kInternal, "cannot delete blob " + hash + ": " + ec.message());
  std::lock_guard lock(mu_);
  verified_.erase(hash);
  return Ok();
}

Result<std::vector<std::string>> LocalBlobStore::List() {
  std::vector<std::string> hashes;
  std::error_code ec;
  for (const auto& dir : fs::directory_iterator(root_, ec)) {
    std::string prefix = dir.path().filename().string();
    if (prefix.size() != 2 || !dir.is_directory()) continue;
    for (const auto& file : fs::directory_iterator(dir.path(), ec)) {
      std::string hash = prefix + file.path().filename().string();
      if (IsBlobHash(hash)) hashes.push_back(hash);
    }
  }
  if (ec) return Fail(ErrorCode::kInternal, "cannot list blobs: " + ec.message());
  return hashes;
}

}  // namespace aimass::blob
