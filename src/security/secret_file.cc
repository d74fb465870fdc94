#include "security/secret_file.h"

#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace aimass::security {

void EnsureSodium() {
  static const int initialized = sodium_init();
  (void)initialized;  // 0 or 1 are both fine; -1 cannot happen on Linux with /dev/urandom
}

FileDescriptor::~FileDescriptor() {
  if (fd_ >= 0) ::close(fd_);
}

int FileDescriptor::Close() {
  const int rc = ::close(fd_);
  fd_ = -1;
  return rc;
}

bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::unexpected<Error> IoError(std::string_view what, const std::filesystem::path& path) {
  return Fail(ErrorCode::kInternal,
              std::string(what) + " '" + path.string() + "': " + std::strerror(errno));
}

}  // namespace aimass::security
