// The DataLake's sources: things that produce new rows over time (a watched folder, a syslog
// listener, a table, a stream) and that the SourceRunner turns into new dataset versions.
// This header is the interface every kind implements, and the registry of kinds.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "data/importer.h"

namespace aimass::data::sources {

// A source as its kind sees it. `settings` holds only the kind's own keys: the keys every
// source has (`interval`, `mode`; source_settings.h) are taken out before a kind's check or
// factory sees the config, so a kind may refuse keys it does not know.
struct SourceConfig {
  std::string name;     // the source's name ("inbox"), for messages
  std::string kind;     // "directory", "syslog", ...
  std::string dataset;  // the dataset its batches become versions of
  nlohmann::json settings = nlohmann::json::object();
  // A folder of this source's own, kept across restarts (the syslog kind's spool of rows
  // received between runs); empty in config checks.
  std::filesystem::path state_dir{};
};

// New rows taken from a source: one file the import reads, owned by the batch (the runner
// removes it after the import, whether or not the import succeeded).
struct SourceBatch {
  std::filesystem::path file;  // CSV, TSV, JSON lines or Parquet, in the context's scratch_dir
  FileFormat format = FileFormat::kCsv;
  int64_t rows = -1;  // rows in `file` when the kind knows, else -1
  // The source's position after this batch. It is stored in the same transaction as the
  // dataset version that holds the batch, and handed back as SourceContext::cursor on the
  // next Take, after a restart too: a batch is stored exactly when its cursor is.
  nlohmann::json cursor;
  // Called only after the version (and so the cursor) is stored; empty when not needed.
  // A crash between the commit and this call must be harmless: the next Take sees from
  // the cursor that these records are stored (a stream kind acknowledges them then).
  std::function<Status()> acknowledge;
  // One line for the job log and the version's source: "2 files: a.csv, b.csv".
  std::string description;
  // When the oldest record in the batch was written at its origin (ms since the epoch),
  // if the kind can tell; the state's `lag` is the commit time minus this.
  std::optional<int64_t> oldest_record_millis;
};

// What a Take sees. Valid for the duration of the call.
struct SourceContext {
  nlohmann::json cursor;                      // the last stored cursor; null before the first batch
  std::filesystem::path scratch_dir;          // an existing, empty folder for the batch's file
  std::function<void(std::string_view)> log;  // a line in the run's job log
  std::function<bool()> stopping;             // true once the run must end (cancel, shutdown)
  const Clock* clock = nullptr;               // "now" for the kind (tests inject a ManualClock)
};

// One configured source. Thread-safety: the runner never calls Take twice at once for one
// source, but successive Takes may come from different threads; Start and Stop are called
// from the server's thread, possibly while a Take runs, so a kind that has both guards its
// shared state.
class Source {
 public:
  virtual ~Source() = default;

  // The rows that arrived after `context.cursor`, as one batch; nullopt when there are
  // none. One run calls Take again after each stored batch, with that batch's cursor,
  // until it returns nullopt (or a run's batch limit is reached). A failure (an
  // unreadable folder, a refused connection) fails the run: its message is shown in the
  // source's state, naming the problem and the fix, and the runner retries with backoff.
  // Take must not move anything outside the batch: only a stored batch moves the cursor.
  virtual Result<std::optional<SourceBatch>> Take(const SourceContext& context) = 0;

  // For kinds that receive (a syslog listener): called when the server starts or the
  // source is created or resumed, and Stop at shutdown, pause or deletion. Stop may be
  // called without Start and more than once.
  virtual Status Start() { return Ok(); }
  virtual void Stop() {}
};

// Builds a source of one kind from its (already checked) config.
using SourceFactory = std::function<Result<std::unique_ptr<Source>>(const SourceConfig&)>;
// Checks a config when a source is created or changed; an error names the field and the
// fix ("settings.path: must be an absolute path, like \"/srv/inbox\"").
using SourceConfigCheck = std::function<Status(const SourceConfig&)>;

// Who may create a source of a kind: kinds that read the server's files or listen on its
// ports are for admins only.
enum class SourceAccess { kProjectEditors, kAdminsOnly };

// The kinds a server knows, by name. Each kind registers with one call
// (`RegisterDirectorySource(kinds)`, builtin_kinds.cc). Filled at start-up, read-only after:
// thread-safe for concurrent reads once filled.
class SourceKinds {
 public:
  // kConflict when `kind` is already registered.
  Status Add(std::string kind, SourceFactory factory, SourceConfigCheck check,
             SourceAccess access = SourceAccess::kProjectEditors);

  bool Has(std::string_view kind) const;
  // kInvalidArgument for an unknown kind, listing the known ones.
  Result<SourceAccess> Access(std::string_view kind) const;
  Status Check(const SourceConfig& config) const;
  Result<std::unique_ptr<Source>> Create(const SourceConfig& config) const;
  std::vector<std::string> Names() const;

 private:
  struct Kind {
    SourceFactory factory;
    SourceConfigCheck check;
    SourceAccess access;
  };
  Result<const Kind*> Find(std::string_view kind) const;

  std::map<std::string, Kind, std::less<>> kinds_;
};

// Registers every kind this build has (builtin_kinds.cc). Each kind's
// `Status Register<Kind>Source(SourceKinds&)` lives beside its implementation.
Status RegisterBuiltinKinds(SourceKinds& kinds);

}  // namespace aimass::data::sources
