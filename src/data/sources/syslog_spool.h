// Where a syslog source keeps the rows it received until a run takes them: JSON lines
// appended to `spool.jsonl` in the source's state folder, so rows survive a restart of the
// server between runs. A Take renames the spool to `batch-<seq>.jsonl`, and that file stays
// until its batch is stored (the cursor then holds its seq), so a crash at any point loses
// nothing and imports nothing twice.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace aimass::data::sources {

// Counters since the spool was opened.
struct SyslogSpoolCounts {
  uint64_t rows = 0;               // rows written (malformed ones included)
  uint64_t malformed = 0;          // messages that were neither RFC 5424 nor RFC 3164
  uint64_t malformed_dropped = 0;  // malformed messages past the per-batch cap: not kept
  uint64_t write_errors = 0;       // rows lost to a failed write (disk full)
};

// A rotated spool file, ready to be imported.
struct SyslogSpoolBatch {
  std::filesystem::path file;
  int64_t seq = 0;
  int64_t rows = 0;
  std::optional<int64_t> oldest_millis;  // when its first row was received, if known
};

// Thread-safe: the receiver's thread adds while a run's thread takes.
class SyslogSpool {
 public:
  // Opens (or creates) the spool in `dir`. At most `max_malformed_rows` malformed rows are
  // kept per batch; the rest are counted in malformed_dropped. A row a crash cut off at
  // the end of the spool is removed.
  static Result<std::unique_ptr<SyslogSpool>> Open(const std::filesystem::path& dir,
                                                   size_t max_malformed_rows, const Clock& clock);
  ~SyslogSpool();
  SyslogSpool(const SyslogSpool&) = delete;
  SyslogSpool& operator=(const SyslogSpool&) = delete;

  // Parses one message and buffers its row; written on Flush or when the buffer is full.
  void Add(std::string_view message, std::string_view sender);
  // Writes the buffered rows to the spool file (one write; survives a crash of the
  // process, fsynced when rotated).
  Status Flush();

  // The rows after the batch numbered `stored_seq` (the stored cursor): a batch file left
  // from before (a failed import, a crash) if any, else the spool renamed to the next
  // batch; nullopt when there is nothing. Batch files up to `stored_seq` are removed.
  Result<std::optional<SyslogSpoolBatch>> Take(int64_t stored_seq);
  // Removes batch file `seq` once its rows are stored.
  Status Remove(int64_t seq);

  SyslogSpoolCounts counts() const;
  // Why the last failed write failed; empty when none has.
  std::string last_write_error() const;

 private:
  SyslogSpool(std::filesystem::path dir, size_t max_malformed_rows, const Clock& clock);
  Status OpenFile();
  Status FlushLocked();
  std::filesystem::path BatchPath(int64_t seq) const;

  const std::filesystem::path dir_;
  const size_t max_malformed_rows_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  int fd_ = -1;
  int64_t file_bytes_ = 0;  // the spool file's size: a failed write is cut back to it
  std::string buffer_;
  size_t buffered_rows_ = 0;
  size_t malformed_in_spool_ = 0;
  std::optional<int64_t> oldest_millis_;
  SyslogSpoolCounts counts_;
  std::string last_write_error_;
};

}  // namespace aimass::data::sources
