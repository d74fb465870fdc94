// A hiredis connection for the redis source kind, with Redis's errors turned into messages
// that name the server and the fix.
#pragma once

#include <hiredis/hiredis.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace aimass::data::sources {

struct RedisReplyFree {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using RedisReply = std::unique_ptr<redisReply, RedisReplyFree>;

// One connection, closed when destroyed. Not thread-safe.
class RedisConnection {
 public:
  // Connects to "host:port" and authenticates with `password` if any. An unreachable server
  // is kUnavailable; a refused password kInvalidArgument.
  static Result<RedisConnection> Open(const std::string& address,
                                      const std::optional<std::string>& password,
                                      int64_t timeout_millis);

  // Sends one command and waits for its reply; a lost connection is kUnavailable. An error
  // reply is returned as a reply (REDIS_REPLY_ERROR), for the caller to explain.
  Result<RedisReply> Command(const std::vector<std::string>& args);
  // Pipelining: queue commands, then read their replies in order.
  void Append(const std::vector<std::string>& args);
  Result<RedisReply> Reply();

  const std::string& address() const { return address_; }

 private:
  struct ContextFree {
    void operator()(redisContext* context) const { redisFree(context); }
  };
  RedisConnection(redisContext* context, std::string address)
      : context_(context), address_(std::move(address)) {}
  Error Lost() const;

  std::unique_ptr<redisContext, ContextFree> context_;
  std::string address_;
};

// "host:port" ("[v6]:port") split; an error names settings.address.
Result<std::pair<std::string, int>> ParseRedisAddress(std::string_view address);

}  // namespace aimass::data::sources
