// What crypto/ and ledger/ share for writing secret files (the master key, the ledger's
// signing key): such a file is created 0600 (with O_EXCL, by the caller), written fully
// (WriteAll retries short writes and EINTR), and its descriptor closed on every return path
// (FileDescriptor); IoError names the file and errno when a call fails. EnsureSodium
// initialises libsodium once before the secrets are made or used.
#pragma once

#include <expected>
#include <filesystem>
#include <string_view>

#include "common/status.h"

namespace aimass::security {

// Calls sodium_init() once per process (later calls return at once). Thread-safe.
void EnsureSodium();

// Owns a file descriptor and closes it when it goes, so that no return path leaks it. A
// negative descriptor (a failed open) is held but never closed. Not thread-safe.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor();
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;

  int get() const { return fd_; }
  // Closes now and returns close()'s result, for the error close() can report after a
  // write; the descriptor is -1 afterwards.
  int Close();

 private:
  int fd_;
};

// Writes all of `bytes` to `fd`, retrying short writes and EINTR. False when a write fails,
// with errno still set by it.
bool WriteAll(int fd, std::string_view bytes);

// The error for a failed system call on `path`: "<what> '<path>': <strerror(errno)>".
std::unexpected<Error> IoError(std::string_view what, const std::filesystem::path& path);

}  // namespace aimass::security
