#include "common/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace aimass {
namespace {

std::unexpected<Error> IoError(std::string_view what, const std::filesystem::path& path) {
  return Fail(ErrorCode::kInternal,
              std::string(what) + " '" + path.string() + "': " + std::strerror(errno));
}

}  // namespace

Status SyncPath(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open", path);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return IoError("cannot fsync", path);
  return Ok();
}

Status WriteFileAtomically(const std::filesystem::path& path, std::string_view contents,
                           std::filesystem::perms mode) {
  std::filesystem::path temp = path;
  temp += ".tmp-" + std::to_string(::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                  static_cast<mode_t>(mode));
  if (fd < 0) return IoError("cannot create", temp);
  const char* data = contents.data();
  size_t left = contents.size();
  while (left > 0) {
    ssize_t n = ::write(fd, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      auto error = IoError("cannot write", temp);
      ::close(fd);
      std::filesystem::remove(temp);
      return error;
    }
    data += n;
    left -= static_cast<size_t>(n);
  }
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0 || ::fsync(fd) != 0) {
    auto error = IoError("cannot sync", temp);
    ::close(fd);
    std::filesystem::remove(temp);
    return error;
  }
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    auto error = IoError("cannot rename into", path);
    std::filesystem::remove(temp);
    return error;
  }
  return SyncPath(path.parent_path().empty() ? "." : path.parent_path());
}

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot read", path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Status MakeDirectories(const std::filesystem::path& dir, std::filesystem::perms mode) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Fail(ErrorCode::kInternal,
                "cannot create directory '" + dir.string() + "': " + ec.message());
  }
  std::filesystem::permissions(dir, mode, ec);
  return Ok();
}

}  // namespace aimass
