#include "data/sources/redis_source.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <compare>
#include <fstream>
#include <memory>
#include <utility>

#include "data/sources/json_text.h"
#include "data/sources/kind_settings.h"
#include "data/sources/redis_connection.h"

namespace aimass::data::sources {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kReadCount = 10'000;   // entries per XREADGROUP
constexpr int64_t kPipelineDepth = 4;    // XREADGROUPs in flight at once
constexpr int64_t kBlockMillis = 1'000;  // the longest wait before checking for a stop
constexpr size_t kAckChunk = 10'000;
constexpr size_t kWriteBytes = 1 << 20;

// A stream entry id, "1700000000000-3".
struct StreamId {
  uint64_t millis = 0;
  uint64_t seq = 0;
  auto operator<=>(const StreamId&) const = default;
};

std::optional<StreamId> ParseStreamId(std::string_view text) {
  size_t dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  StreamId id;
  auto [end1, error1] = std::from_chars(text.data(), text.data() + dash, id.millis);
  auto [end2, error2] = std::from_chars(text.data() + dash + 1, text.data() + text.size(), id.seq);
  if (error1 != std::errc() || error2 != std::errc() || end1 != text.data() + dash ||
      end2 != text.data() + text.size()) {
    return std::nullopt;
  }
  return id;
}

std::string DefaultConsumer() {
  char host[256] = "";
  gethostname(host, sizeof(host) - 1);
  return std::string("aimass-") + (host[0] ? host : "host");
}

std::string_view Text(const redisReply* reply) { return std::string_view(reply->str, reply->len); }

// The entries of one batch, written as JSON lines as they come.
class StreamBatch {
 public:
  explicit StreamBatch(fs::path path) : path_(std::move(path)), out_(path_, std::ios::binary) {}

  void Add(std::string_view id, const redisReply* fields) {
    buffer_ += "{\"id\":";
    AppendJsonString(buffer_, id);
    for (size_t i = 0; i + 1 < fields->elements; i += 2) {
      std::string_view field = Text(fields->element[i]);
      buffer_ += ',';
      AppendJsonString(buffer_, field == "id" ? std::string_view("field_id") : field);
      buffer_ += ':';
      AppendJsonString(buffer_, Text(fields->element[i + 1]));
    }
    buffer_ += "}\n";
    ids_.emplace_back(id);
    if (buffer_.size() >= kWriteBytes) Write();
  }
  Status Close() {
    Write();
    out_.close();
    if (!out_) return Fail(ErrorCode::kInternal, "cannot write " + path_.string());
    return Ok();
  }
  int64_t size() const { return static_cast<int64_t>(ids_.size()); }
  std::vector<std::string>& ids() { return ids_; }
  const fs::path& path() const { return path_; }

 private:
  void Write() {
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
  }

  fs::path path_;
  std::ofstream out_;
  std::string buffer_;
  std::vector<std::string> ids_;
};

// Reads one source's stream through its consumer group.
class StreamReader {
 public:
  StreamReader(const std::string& source, const RedisSourceOptions& options, RedisConnection& db)
      : source_(source), options_(options), db_(db) {}

  // Creates the group when it is missing (and the stream, MKSTREAM).
  Status EnsureGroup() {
    AIMASS_ASSIGN_OR_RETURN(RedisReply reply,
                            db_.Command({"XGROUP", "CREATE", options_.stream, options_.group,
                                         options_.start_latest ? "$" : "0", "MKSTREAM"}));
    if (reply->type == REDIS_REPLY_ERROR && !Text(reply.get()).starts_with("BUSYGROUP")) {
      return Fail(Explain(reply.get()));
    }
    return Ok();
  }

  std::vector<std::string> ReadArgs(int64_t count, std::optional<int64_t> block_millis,
                                    std::string from) const {
    std::vector<std::string> args = {"XREADGROUP",      "GROUP", options_.group,
                                     options_.consumer, "COUNT", std::to_string(count)};
    if (block_millis) {
      args.push_back("BLOCK");
      args.push_back(std::to_string(*block_millis));
    }
    args.push_back("STREAMS");
    args.push_back(options_.stream);
    args.push_back(std::move(from));
    return args;
  }

  // Calls on_entry(id, fields or null) for each entry of an XREADGROUP reply; returns how
  // many there were.
  template <typename OnEntry>
  Result<int64_t> Entries(const redisReply* reply, OnEntry on_entry) {
    if (reply->type == REDIS_REPLY_ERROR) return Fail(Explain(reply));
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements == 0) return 0;  // nil: none
    const redisReply* stream = reply->element[0];
    if (stream->type != REDIS_REPLY_ARRAY || stream->elements < 2) return 0;
    const redisReply* entries = stream->element[1];
    for (size_t i = 0; i < entries->elements; ++i) {
      const redisReply* entry = entries->element[i];
      const redisReply* fields = entry->elements > 1 ? entry->element[1] : nullptr;
      if (fields != nullptr && fields->type != REDIS_REPLY_ARRAY) fields = nullptr;
      on_entry(Text(entry->element[0]), fields);
    }
    return static_cast<int64_t>(entries->elements);
  }

  Status Acknowledge(const std::vector<std::string>& ids) {
    for (size_t start = 0; start < ids.size(); start += kAckChunk) {
      std::vector<std::string> args = {"XACK", options_.stream, options_.group};
      size_t end = std::min(ids.size(), start + kAckChunk);
      args.insert(args.end(), ids.begin() + static_cast<std::ptrdiff_t>(start),
                  ids.begin() + static_cast<std::ptrdiff_t>(end));
      db_.Append(args);
    }
    for (size_t start = 0; start < ids.size(); start += kAckChunk) {
      AIMASS_ASSIGN_OR_RETURN(RedisReply reply, db_.Reply());
      if (reply->type == REDIS_REPLY_ERROR) return Fail(Explain(reply.get()));
    }
    return Ok();
  }

  Error Explain(const redisReply* reply) const {
    std::string_view text = Text(reply);
    std::string where = "redis source '" + source_ + "': ";
    // NOGROUP: the group is gone; UNBLOCKED: the stream was deleted during a BLOCK read.
    if (text.starts_with("NOGROUP") || text.starts_with("UNBLOCKED")) {
      return Error{ErrorCode::kNotFound,
                   where + "the stream '" + options_.stream + "' at " + db_.address() +
                       " has no consumer group '" + options_.group +
                       "': the stream was deleted (or the server lost its data); recreate the "
                       "stream, or delete and recreate this source to start over"};
    }
    if (text.starts_with("WRONGTYPE")) {
      return Error{ErrorCode::kInvalidArgument, where + "the key '" + options_.stream + "' at " +
                                                    db_.address() +
                                                    " is not a stream; fix settings.stream"};
    }
    if (text.starts_with("NOAUTH") || text.starts_with("WRONGPASS")) {
      return Error{ErrorCode::kInvalidArgument, where + "Redis at " + db_.address() +
                                                    " wants a password: " + std::string(text) +
                                                    "; set settings.password_env"};
    }
    return Error{ErrorCode::kInternal,
                 where + "Redis at " + db_.address() + " answered: " + std::string(text)};
  }

 private:
  const std::string& source_;
  const RedisSourceOptions& options_;
  RedisConnection& db_;
};

}  // namespace

Result<RedisSourceOptions> ParseRedisSettings(const nlohmann::json& settings) {
  AIMASS_RETURN_IF_ERROR(
      RefuseUnknownKeys(settings, "redis",
                        {"address", "password_env", "stream", "group", "consumer", "start",
                         "batch_records", "batch_seconds", "timeout_seconds"}));
  RedisSourceOptions options;
  AIMASS_ASSIGN_OR_RETURN(options.address, StringSetting(settings, "address", "", true));
  AIMASS_RETURN_IF_ERROR(ParseRedisAddress(options.address));
  AIMASS_ASSIGN_OR_RETURN(options.password_env, StringSetting(settings, "password_env"));
  AIMASS_ASSIGN_OR_RETURN(options.stream, StringSetting(settings, "stream", "", true));
  AIMASS_ASSIGN_OR_RETURN(options.group, StringSetting(settings, "group", "aimass", true));
  AIMASS_ASSIGN_OR_RETURN(options.consumer,
                          StringSetting(settings, "consumer", DefaultConsumer(), true));
  AIMASS_ASSIGN_OR_RETURN(std::string start, StringSetting(settings, "start", "earliest"));
  if (start != "earliest" && start != "latest") {
    return Fail(ErrorCode::kInvalidArgument,
                "settings.start must be \"earliest\" (the group starts with the stream's first "
                "entry) or \"latest\" (only entries added after it is made)");
  }
  options.start_latest = start == "latest";
  AIMASS_ASSIGN_OR_RETURN(options.batch_records,
                          IntSetting(settings, "batch_records", 10'000, 1, 10'000'000));
  AIMASS_ASSIGN_OR_RETURN(int64_t seconds, IntSetting(settings, "batch_seconds", 5, 0, 3600));
  options.batch_millis = seconds * 1000;
  AIMASS_ASSIGN_OR_RETURN(int64_t timeout, IntSetting(settings, "timeout_seconds", 10, 2, 3600));
  options.timeout_millis = timeout * 1000;
  return options;
}

Status RegisterRedisSource(SourceKinds& kinds) {
  return AddKind(
      kinds, "redis", ParseRedisSettings,
      [](const SourceConfig& config,
         RedisSourceOptions options) -> Result<std::unique_ptr<Source>> {
        return std::make_unique<RedisSource>(config.name, std::move(options));
      },
      SourceAccess::kAdminsOnly);
}

Result<std::optional<SourceBatch>> RedisSource::Take(const SourceContext& context) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(options_.batch_millis);
  AIMASS_ASSIGN_OR_RETURN(std::optional<std::string> password,
                          SecretFromEnv(options_.password_env, "password_env"));
  auto connected = RedisConnection::Open(options_.address, password, options_.timeout_millis);
  if (!connected) {
    Error error = std::move(connected).error();
    error.message = "redis source '" + name_ + "': " + error.message;
    return Fail(std::move(error));
  }
  StreamReader reader(name_, options_, *connected);
  std::optional<StreamId> stored;
  if (context.cursor.is_object() && context.cursor.contains("last_id") &&
      context.cursor["last_id"].is_string()) {
    stored = ParseStreamId(context.cursor["last_id"].get<std::string>());
  }
  // Once batches are stored, a missing group means the stream was deleted: an error, not
  // a silent new start.
  if (!stored) AIMASS_RETURN_IF_ERROR(reader.EnsureGroup());

  StreamBatch batch(context.scratch_dir / "redis.jsonl");
  std::optional<uint64_t> oldest_millis;
  std::vector<std::string> already_stored;
  auto on_entry = [&](std::string_view id, const redisReply* fields) {
    std::optional<StreamId> parsed = ParseStreamId(id);
    if (!parsed || (stored && *parsed <= *stored) || fields == nullptr) {
      already_stored.emplace_back(id);  // stored before a crash, or deleted: acknowledge
      return;
    }
    if (!oldest_millis) oldest_millis = parsed->millis;
    batch.Add(id, fields);
  };

  // This consumer's entries delivered before but never acknowledged (a crash or a failed
  // import), oldest first.
  std::string from = "0";
  while (batch.size() < options_.batch_records) {
    int64_t count = std::min(kReadCount, options_.batch_records - batch.size());
    AIMASS_ASSIGN_OR_RETURN(RedisReply reply,
                            connected->Command(reader.ReadArgs(count, std::nullopt, from)));
    std::string last;
    AIMASS_ASSIGN_OR_RETURN(int64_t got, reader.Entries(reply.get(), [&](auto id, auto fields) {
      last = std::string(id);
      on_entry(id, fields);
    }));
    if (got == 0) break;
    from = std::move(last);
  }
  AIMASS_RETURN_IF_ERROR(reader.Acknowledge(already_stored));

  // New entries: pipelined reads while the stream has them, then blocking reads until the
  // batch is full or batch_seconds have passed.
  bool drained = false;
  while (batch.size() < options_.batch_records) {
    if (context.stopping && context.stopping()) {
      return Fail(ErrorCode::kCancelled, "redis source '" + name_ + "': stopped");
    }
    int64_t remaining = options_.batch_records - batch.size();
    int64_t count = std::min(kReadCount, remaining);
    int64_t reads = 1;
    std::optional<int64_t> block;
    if (drained) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) break;
      block = std::min<int64_t>(left.count(), kBlockMillis);
    } else {
      reads = std::min(kPipelineDepth, (remaining + count - 1) / count);
    }
    for (int64_t i = 0; i < reads; ++i) connected->Append(reader.ReadArgs(count, block, ">"));
    int64_t got = 0;
    for (int64_t i = 0; i < reads; ++i) {
      AIMASS_ASSIGN_OR_RETURN(RedisReply reply, connected->Reply());
      AIMASS_ASSIGN_OR_RETURN(int64_t entries, reader.Entries(reply.get(), on_entry));
      got += entries;
    }
    drained = got < reads * count;
  }
  AIMASS_RETURN_IF_ERROR(batch.Close());
  if (batch.size() == 0) return std::nullopt;

  SourceBatch out;
  out.file = batch.path();
  out.format = FileFormat::kJsonLines;
  out.rows = batch.size();
  out.cursor = {{"last_id", batch.ids().back()}};
  out.oldest_record_millis = static_cast<int64_t>(*oldest_millis);
  out.description = std::to_string(batch.size()) + " entries of stream '" + options_.stream +
                    "' at " + options_.address + " up to id " + batch.ids().back();
  auto ids = std::make_shared<std::vector<std::string>>(std::move(batch.ids()));
  out.acknowledge = [name = name_, options = options_, password, ids]() -> Status {
    auto db = RedisConnection::Open(options.address, password, options.timeout_millis);
    if (!db) return Fail(std::move(db).error());
    return StreamReader(name, options, *db).Acknowledge(*ids);
  };
  return out;
}

}  // namespace aimass::data::sources
