// The "redis" source kind: a Redis Stream read with a consumer group. Each batch is up to
// `batch_records` entries or what came within `batch_seconds`; entries are acknowledged
// (XACK) only after their version is stored, and the batch's cursor (its last entry id)
// lets the next Take acknowledge and skip entries that were stored before a crash cut
// their acknowledgement: nothing is lost and nothing imported twice.
#pragma once

#include <cstdint>
#include <string>

#include "data/sources/source.h"

namespace aimass::data::sources {

// Registers "redis" (admins only: it reaches the network and reads the server's
// environment for the password).
Status RegisterRedisSource(SourceKinds& kinds);

struct RedisSourceOptions {
  std::string address;       // "host:port"
  std::string password_env;  // the server's environment variable holding the password
  std::string stream;
  std::string group = "aimass";
  std::string consumer;       // default "aimass-<hostname>": stable across restarts
  bool start_latest = false;  // a new group starts at "$" (only new entries), else "0"
  int64_t batch_records = 10'000;
  int64_t batch_millis = 5'000;     // how long a Take waits for a batch to fill
  int64_t timeout_millis = 10'000;  // connect and read timeout
};

// Reads and checks a redis source's settings; errors name the field and the fix.
Result<RedisSourceOptions> ParseRedisSettings(const nlohmann::json& settings);

// One redis source: a connection per Take (and one per acknowledgement). Thread-safe (no
// state between calls).
class RedisSource final : public Source {
 public:
  RedisSource(std::string name, RedisSourceOptions options)
      : name_(std::move(name)), options_(std::move(options)) {}

  // JSON lines: "id" (the entry id) then the entry's fields, values as strings (a field
  // named "id" is written as "field_id"). The cursor is {"last_id": "1700000000000-0"}.
  Result<std::optional<SourceBatch>> Take(const SourceContext& context) override;

 private:
  const std::string name_;
  const RedisSourceOptions options_;
};

}  // namespace aimass::data::sources
