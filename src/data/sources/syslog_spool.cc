#include "data/sources/syslog_spool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <system_error>

#include "common/files.h"
#include "data/sources/syslog_parser.h"

namespace aimass::data::sources {
namespace {

namespace fs = std::filesystem;

constexpr size_t kFlushBytes = 1024 * 1024;
constexpr std::string_view kSpoolName = "spool.jsonl";

std::string ErrnoText(std::string_view what, const fs::path& path) {
  return std::string(what) + " " + path.string() + ": " + std::strerror(errno);
}

// "batch-12.jsonl" → 12.
std::optional<int64_t> BatchSeq(const std::string& name) {
  if (!name.starts_with("batch-") || !name.ends_with(".jsonl")) return std::nullopt;
  int64_t seq = 0;
  const char* begin = name.data() + 6;
  const char* end = name.data() + name.size() - 6;
  auto [stop, error] = std::from_chars(begin, end, seq);
  if (error != std::errc() || stop != end || seq <= 0) return std::nullopt;
  return seq;
}

Result<int64_t> CountLines(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Fail(ErrorCode::kInternal, ErrnoText("cannot read", file));
  std::string chunk(1 << 16, '\0');
  int64_t lines = 0;
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
    lines += std::count(chunk.data(), chunk.data() + in.gcount(), '\n');
  }
  return lines;
}

// Cuts a row that a crash left half-written off the end of the file: the file then ends
// with '\n' (or is empty). Returns the new size.
Result<int64_t> TrimPartialRow(int fd, const fs::path& path) {
  struct stat info {};
  if (fstat(fd, &info) != 0) return Fail(ErrorCode::kInternal, ErrnoText("cannot stat", path));
  int64_t end = info.st_size;
  char chunk[4096];
  while (end > 0) {
    int64_t start = std::max<int64_t>(0, end - static_cast<int64_t>(sizeof(chunk)));
    ssize_t got = pread(fd, chunk, static_cast<size_t>(end - start), start);
    if (got != end - start) return Fail(ErrorCode::kInternal, ErrnoText("cannot read", path));
    const char* newline = static_cast<const char*>(memrchr(chunk, '\n', static_cast<size_t>(got)));
    if (newline != nullptr) {
      end = start + (newline - chunk) + 1;
      break;
    }
    end = start;
  }
  if (end != info.st_size && ftruncate(fd, end) != 0) {
    return Fail(ErrorCode::kInternal, ErrnoText("cannot truncate", path));
  }
  return end;
}

}  // namespace

SyslogSpool::SyslogSpool(fs::path dir, size_t max_malformed_rows, const Clock& clock)
    : dir_(std::move(dir)), max_malformed_rows_(max_malformed_rows), clock_(clock) {}

SyslogSpool::~SyslogSpool() {
  std::lock_guard lock(mutex_);
  (void)FlushLocked();
  if (fd_ >= 0) close(fd_);
}

Result<std::unique_ptr<SyslogSpool>> SyslogSpool::Open(const fs::path& dir,
                                                       size_t max_malformed_rows,
                                                       const Clock& clock) {
  AIMASS_RETURN_IF_ERROR(MakeDirectories(dir));
  std::unique_ptr<SyslogSpool> spool(new SyslogSpool(dir, max_malformed_rows, clock));
  AIMASS_RETURN_IF_ERROR(spool->OpenFile());
  return spool;
}

Status SyslogSpool::OpenFile() {
  fs::path path = dir_ / kSpoolName;
  fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) return Fail(ErrorCode::kInternal, ErrnoText("cannot open the syslog spool", path));
  AIMASS_ASSIGN_OR_RETURN(file_bytes_, TrimPartialRow(fd_, path));
  return Ok();
}

fs::path SyslogSpool::BatchPath(int64_t seq) const {
  return dir_ / ("batch-" + std::to_string(seq) + ".jsonl");
}

void SyslogSpool::Add(std::string_view message, std::string_view sender) {
  int64_t now = clock_.NowMillis();
  SyslogMessage parsed = ParseSyslog(message, now);
  std::string row = SyslogRowJson(parsed, now, sender);
  std::lock_guard lock(mutex_);
  if (parsed.format == SyslogFormat::kMalformed) {
    ++counts_.malformed;
    if (malformed_in_spool_ >= max_malformed_rows_) {
      ++counts_.malformed_dropped;
      return;
    }
    ++malformed_in_spool_;
  }
  if (!oldest_millis_) oldest_millis_ = now;
  buffer_ += row;
  buffer_ += '\n';
  ++buffered_rows_;
  if (buffer_.size() >= kFlushBytes) (void)FlushLocked();
}

Status SyslogSpool::Flush() {
  std::lock_guard lock(mutex_);
  return FlushLocked();
}

Status SyslogSpool::FlushLocked() {
  if (buffer_.empty() || fd_ < 0) return Ok();
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t wrote = write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) {
      last_write_error_ = ErrnoText("cannot write the syslog spool", dir_ / kSpoolName);
      counts_.write_errors += buffered_rows_;
      buffer_.clear();
      buffered_rows_ = 0;
      (void)!ftruncate(fd_, file_bytes_);  // no half row stays behind
      return Fail(ErrorCode::kInternal, last_write_error_);
    }
    done += static_cast<size_t>(wrote);
  }
  file_bytes_ += static_cast<int64_t>(done);
  counts_.rows += buffered_rows_;
  buffer_.clear();
  buffered_rows_ = 0;
  return Ok();
}

Result<std::optional<SyslogSpoolBatch>> SyslogSpool::Take(int64_t stored_seq) {
  std::lock_guard lock(mutex_);
  std::optional<int64_t> left_over;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir_, error)) {
    std::optional<int64_t> seq = BatchSeq(entry.path().filename().string());
    if (!seq) continue;
    if (*seq <= stored_seq) {
      fs::remove(entry.path(), error);  // stored before a crash cut its acknowledgement
    } else if (!left_over || *seq < *left_over) {
      left_over = seq;
    }
  }
  SyslogSpoolBatch batch;
  if (left_over) {
    batch.seq = *left_over;
    batch.file = BatchPath(batch.seq);
  } else {
    AIMASS_RETURN_IF_ERROR(FlushLocked());
    if (file_bytes_ == 0) return std::nullopt;
    batch.seq = stored_seq + 1;
    batch.file = BatchPath(batch.seq);
    batch.oldest_millis = oldest_millis_;
    if (fsync(fd_) != 0) {
      return Fail(ErrorCode::kInternal, ErrnoText("cannot sync the syslog spool", dir_));
    }
    close(fd_);
    fd_ = -1;
    fs::rename(dir_ / kSpoolName, batch.file, error);
    if (error) {
      (void)OpenFile();
      return Fail(ErrorCode::kInternal,
                  "cannot rotate the syslog spool in " + dir_.string() + ": " + error.message());
    }
    AIMASS_RETURN_IF_ERROR(SyncPath(dir_));
    AIMASS_RETURN_IF_ERROR(OpenFile());
    malformed_in_spool_ = 0;
    oldest_millis_.reset();
  }
  AIMASS_ASSIGN_OR_RETURN(batch.rows, CountLines(batch.file));
  return batch;
}

Status SyslogSpool::Remove(int64_t seq) {
  std::error_code error;
  fs::remove(BatchPath(seq), error);
  if (error) {
    return Fail(ErrorCode::kInternal,
                "cannot remove " + BatchPath(seq).string() + ": " + error.message());
  }
  return Ok();
}

SyslogSpoolCounts SyslogSpool::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

std::string SyslogSpool::last_write_error() const {
  std::lock_guard lock(mutex_);
  return last_write_error_;
}

}  // namespace aimass::data::sources
