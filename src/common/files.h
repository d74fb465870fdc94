// Durable file writes: write to a temporary name, fsync, rename, fsync the directory.
#pragma once

#include <filesystem>
#include <string_view>

#include "common/status.h"

namespace aimass {

// Flushes a file's contents (or a directory's entries) to stable storage.
Status SyncPath(const std::filesystem::path& path);
// Replaces `path` with `contents` so that a crash leaves either the old or the new file.
Status WriteFileAtomically(const std::filesystem::path& path, std::string_view contents,
                           std::filesystem::perms mode = std::filesystem::perms::owner_read |
                                                         std::filesystem::perms::owner_write);
Result<std::string> ReadFile(const std::filesystem::path& path);
// Creates a directory (and parents) with the given mode; an error names the directory.
Status MakeDirectories(const std::filesystem::path& dir,
                       std::filesystem::perms mode = std::filesystem::perms::owner_all);

}  // namespace aimass
