// The "directory" source kind (directory_source.h).
#include "data/sources/directory_source.h"

#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <vector>

#include "common/hash.h"
#include "data/sources/source_settings.h"

namespace aimass::data::sources {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct FileFacts {
  std::string name;
  int64_t size = 0;
  int64_t mtime_ns = 0;
};

// A file aimass should never read: hidden, or named as work in progress by its writer.
bool Ignored(const std::string& name) {
  auto ends_with = [&](std::string_view suffix) { return name.ends_with(suffix); };
  return name.empty() || name.front() == '.' || ends_with(".partial") || ends_with(".tmp") ||
         ends_with(".part") || ends_with("~");
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

Error CannotRead(const fs::path& folder, const std::error_code& ec) {
  return Error{ErrorCode::kUnavailable, "cannot read folder '" + folder.string() +
                                            "': " + Lower(ec.message()) +
                                            "; make it readable by the user running aimass"};
}

// The regular files (not links) of `folder` that match `pattern`, by name.
Result<std::vector<FileFacts>> Scan(const fs::path& folder, const std::string& pattern) {
  std::error_code ec;
  fs::directory_iterator it(folder, ec);
  if (ec) return Fail(CannotRead(folder, ec));
  std::vector<FileFacts> files;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (Ignored(name) || ::fnmatch(pattern.c_str(), name.c_str(), 0) != 0) continue;
    struct stat facts {};
    if (::lstat(it->path().c_str(), &facts) != 0 || !S_ISREG(facts.st_mode)) continue;
    files.push_back(
        {name, static_cast<int64_t>(facts.st_size),
         static_cast<int64_t>(facts.st_mtim.tv_sec) * 1'000'000'000 + facts.st_mtim.tv_nsec});
  }
  if (ec) return Fail(CannotRead(folder, ec));
  std::sort(files.begin(), files.end(), [](const FileFacts& a, const FileFacts& b) {
    return std::tie(a.mtime_ns, a.name) < std::tie(b.mtime_ns, b.name);
  });
  return files;
}

// Copies `from` to `to`, hashing the bytes copied: what is imported is what was hashed.
Result<std::string> CopyAndHash(const fs::path& from, const fs::path& to) {
  std::ifstream in(from, std::ios::binary);
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  if (!in || !out) {
    return Fail(ErrorCode::kUnavailable, "cannot read file '" + from.string() +
                                             "'; make it readable by the user running aimass");
  }
  Sha256 hash;
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const std::string_view chunk(buffer.data(), static_cast<size_t>(in.gcount()));
    hash.Update(chunk);
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  }
  if (in.bad() || !out.flush()) {
    return Fail(ErrorCode::kInternal, "cannot copy '" + from.string() + "' for its import");
  }
  return hash.FinishHex();
}

bool SameFacts(const json& entry, const FileFacts& file) {
  return entry.is_object() && entry.value("size", int64_t{-1}) == file.size &&
         entry.value("mtime_ns", int64_t{-1}) == file.mtime_ns;
}

}  // namespace

Result<DirectorySettings> ReadDirectorySettings(const json& settings) {
  DirectorySettings read;
  for (const auto& [key, value] : settings.items()) {
    if (key != "path" && key != "pattern" && key != "settle" && key != "format") {
      return Fail(ErrorCode::kInvalidArgument,
                  "config." + key +
                      ": not a setting of a directory source; use path, pattern, settle, "
                      "format, interval or mode");
    }
  }
  if (!settings.contains("path") || !settings["path"].is_string() ||
      !fs::path(settings["path"].get<std::string>()).is_absolute()) {
    return Fail(ErrorCode::kInvalidArgument,
                "config.path: a directory source needs the absolute path of a folder on the "
                "server, like \"/srv/inbox\"");
  }
  read.path = fs::path(settings["path"].get<std::string>()).lexically_normal();
  if (settings.contains("pattern")) {
    if (!settings["pattern"].is_string() || settings["pattern"].get<std::string>().empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "config.pattern: must be a file name pattern like \"*.csv\"");
    }
    read.pattern = settings["pattern"].get<std::string>();
  }
  if (settings.contains("settle")) {
    AIMASS_ASSIGN_OR_RETURN(read.settle_ms, ParseDuration(settings["settle"], "settle"));
  }
  if (settings.contains("format")) {
    if (!settings["format"].is_string()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "config.format: must be one of \"csv\", \"tsv\", \"jsonl\", \"parquet\"");
    }
    auto format = ParseFileFormat(settings["format"].get<std::string>());
    if (!format)
      return Fail(ErrorCode::kInvalidArgument, "config.format: " + format.error().message);
    read.format = *format;
  }
  return read;
}

Result<std::optional<SourceBatch>> DirectorySource::Take(const SourceContext& context) {
  const int64_t now = context.clock->NowMillis();
  AIMASS_ASSIGN_OR_RETURN(auto files, Scan(settings_.path, settings_.pattern));
  const json taken = context.cursor.is_object() && context.cursor.contains("files")
                         ? context.cursor["files"]
                         : json::object();
  std::map<std::string, Seen> seen;
  std::optional<SourceBatch> batch;
  for (const FileFacts& file : files) {
    const json entry = taken.value(file.name, json());
    if (SameFacts(entry, file)) continue;  // taken as it is
    auto previous = seen_.find(file.name);
    Seen now_seen{file.size, file.mtime_ns, now, false};
    if (previous != seen_.end() && previous->second.size == file.size &&
        previous->second.mtime_ns == file.mtime_ns) {
      now_seen = previous->second;
    }
    seen[file.name] = now_seen;
    if (batch || now_seen.same_bytes) continue;
    const int64_t written_ms = file.mtime_ns / 1'000'000;
    if (now - now_seen.first_seen_ms < settings_.settle_ms ||
        now - written_ms < settings_.settle_ms) {
      context.log("'" + file.name + "' is not stable yet (" + std::to_string(file.size) +
                  " bytes, last written " + std::to_string(std::max<int64_t>(0, now - written_ms)) +
                  " ms ago); it is taken once unchanged for " +
                  std::to_string(settings_.settle_ms) + " ms");
      continue;
    }
    const fs::path copy = context.scratch_dir / file.name;
    AIMASS_ASSIGN_OR_RETURN(std::string sha256, CopyAndHash(settings_.path / file.name, copy));
    struct stat after {};
    const bool unchanged =
        ::lstat((settings_.path / file.name).c_str(), &after) == 0 && after.st_size == file.size &&
        static_cast<int64_t>(after.st_mtim.tv_sec) * 1'000'000'000 + after.st_mtim.tv_nsec ==
            file.mtime_ns;
    std::error_code ec;
    if (!unchanged) {
      fs::remove(copy, ec);
      seen.erase(file.name);
      context.log("'" + file.name + "' changed while it was read; it is taken at a later run");
      continue;
    }
    if (entry.is_object() && entry.value("sha256", "") == sha256) {
      fs::remove(copy, ec);
      seen[file.name].same_bytes = true;
      context.log("'" + file.name + "' has a new mtime but the bytes already taken; skipped");
      continue;
    }
    SourceBatch next;
    next.file = copy;
    next.format = settings_.format.value_or(GuessFileFormat(copy, file.name));
    next.description = "file '" + file.name + "' (" + std::to_string(file.size) + " bytes)";
    next.oldest_record_millis = written_ms;
    next.cursor = {{"files", taken}};
    next.cursor["files"][file.name] = {
        {"size", file.size}, {"mtime_ns", file.mtime_ns}, {"sha256", sha256}};
    batch = std::move(next);
  }
  if (batch) {
    // Files no longer in the folder leave the cursor: one that comes back is new.
    json kept = json::object();
    for (const FileFacts& file : files) {
      if (batch->cursor["files"].contains(file.name)) {
        kept[file.name] = batch->cursor["files"][file.name];
      }
    }
    batch->cursor["files"] = std::move(kept);
  }
  seen_ = std::move(seen);
  return batch;
}

Status RegisterDirectorySource(SourceKinds& kinds) {
  return kinds.Add(
      "directory",
      [](const SourceConfig& config) -> Result<std::unique_ptr<Source>> {
        AIMASS_ASSIGN_OR_RETURN(auto settings, ReadDirectorySettings(config.settings));
        return std::unique_ptr<Source>(std::make_unique<DirectorySource>(std::move(settings)));
      },
      [](const SourceConfig& config) -> Status {
        AIMASS_ASSIGN_OR_RETURN(auto settings, ReadDirectorySettings(config.settings));
        (void)settings;
        return Ok();
      },
      SourceAccess::kAdminsOnly);
}

}  // namespace aimass::data::sources
