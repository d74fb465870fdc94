// The "directory" source kind: a folder on the server, scanned on the source's interval.
// A file is taken when it is new or changed (size, mtime, then SHA-256: the same bytes under
// a new mtime are not taken again) and stable (the same size and mtime at two scans at
// least `settle` apart, and last written at least `settle` ago). One file per batch; the
// cursor maps each taken file's name to its {size, mtime_ns, sha256}.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "data/sources/source.h"

namespace aimass::data::sources {

struct DirectorySettings {
  std::filesystem::path path;  // absolute
  std::string pattern = "*";   // a glob on file names (fnmatch)
  int64_t settle_ms = 2000;
  std::optional<FileFormat> format;  // else guessed from each file's name and bytes
};

// Reads and checks a directory source's settings; errors name the field and the fix.
Result<DirectorySettings> ReadDirectorySettings(const nlohmann::json& settings);

// Thread-compatible: the runner calls Take from one thread at a time; what the previous
// scans saw is kept between calls (lost on restart, which only delays a file by a scan).
class DirectorySource final : public Source {
 public:
  explicit DirectorySource(DirectorySettings settings) : settings_(std::move(settings)) {}
  Result<std::optional<SourceBatch>> Take(const SourceContext& context) override;

 private:
  struct Seen {
    int64_t size = 0;
    int64_t mtime_ns = 0;
    int64_t first_seen_ms = 0;  // when a scan first saw this size and mtime
    bool same_bytes = false;    // hashed: the bytes already taken, under a new mtime
  };

  DirectorySettings settings_;
  std::map<std::string, Seen> seen_;  // by file name
};

// Registers "directory" (admins only: it reads the server's files).
Status RegisterDirectorySource(SourceKinds& kinds);

}  // namespace aimass::data::sources
