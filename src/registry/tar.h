// POSIX ustar archives, as model bundles use them: written as a stream, read from a file
// without trusting any size or name in it. Regular files only on the writing side; the
// reader reports every entry's type so that the caller can refuse the others.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace aimass::registry::tar {

inline constexpr uint64_t kBlockBytes = 512;

// Receives archive bytes; returns false when the reader is gone (stop writing).
using Sink = std::function<bool(std::string_view bytes)>;

// Where `path` goes in a ustar header: {prefix, name} with the name at most 100 bytes and
// the prefix at most 155, split at a '/'; nullopt when it cannot be stored.
std::optional<std::pair<std::string, std::string>> SplitName(std::string_view path);

// The size of an archive of regular files with these data sizes: a header and the padded
// data per file, then the two-block end-of-archive marker.
uint64_t ArchiveSize(const std::vector<uint64_t>& sizes);

// "regular file", "symbolic link", "directory", ... for a header's typeflag.
std::string TypeName(char typeflag);
inline bool IsRegularFile(char typeflag) { return typeflag == '0' || typeflag == '\0'; }

// Writes an archive of regular files to a sink. Every entry gets mode 0644, owner 0 and the
// same mtime, so that the same files give the same bytes. Not thread-safe.
class Writer {
 public:
  Writer(Sink sink, int64_t mtime_seconds) : sink_(std::move(sink)), mtime_(mtime_seconds) {}

  Status AddBytes(std::string_view name, std::string_view data);
  // Streams `file`, which must hold exactly `size` bytes.
  Status AddFile(std::string_view name, const std::filesystem::path& file, uint64_t size);
  // The end-of-archive marker.
  Status Finish();

 private:
  Status Header(std::string_view name, uint64_t size);
  Status Pad(uint64_t size);
  Status Emit(std::string_view bytes);

  Sink sink_;
  int64_t mtime_;
};

struct Entry {
  std::string name;  // the prefix and name fields joined by '/'
  char typeflag = '0';
  uint64_t size = 0;  // data bytes; checked against what is left of the file
};

// Reads an archive file entry by entry. Every header's checksum is verified; a size that
// runs past the end of the file, or a file that ends before the end-of-archive marker, is
// reported as truncation. Not thread-safe.
class Reader {
 public:
  static Result<std::unique_ptr<Reader>> Open(const std::filesystem::path& file);

  // The next entry, or nullopt at the end-of-archive marker. Skips whatever the caller left
  // unread of the previous entry's data.
  Result<std::optional<Entry>> Next();
  // Hands the current entry's data to `chunk`, at most 1 MiB at a time; stops at the first
  // error `chunk` returns.
  Status ReadData(const std::function<Status(std::string_view)>& chunk);

 private:
  Reader(std::unique_ptr<FILE, int (*)(FILE*)> file, uint64_t size)
      : file_(std::move(file)), size_(size) {}

  std::unique_ptr<FILE, int (*)(FILE*)> file_;
  uint64_t size_;             // of the whole file
  uint64_t position_ = 0;     // where the next read starts
  uint64_t data_left_ = 0;    // unread data bytes of the current entry
  uint64_t next_header_ = 0;  // offset of the next header (after the padded data)
  std::string current_name_;  // for messages
};

}  // namespace aimass::registry::tar
