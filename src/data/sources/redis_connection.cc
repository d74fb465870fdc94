#include "data/sources/redis_connection.h"

#include <sys/time.h>

#include <charconv>

namespace aimass::data::sources {
namespace {

timeval Timeval(int64_t millis) {
  return timeval{static_cast<time_t>(millis / 1000),
                 static_cast<suseconds_t>(millis % 1000 * 1000)};
}

}  // namespace

Result<std::pair<std::string, int>> ParseRedisAddress(std::string_view address) {
  size_t colon = address.rfind(':');
  int port = 0;
  if (colon != std::string_view::npos && colon > 0) {
    std::string_view digits = address.substr(colon + 1);
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (error == std::errc() && end == digits.data() + digits.size() && port > 0 && port < 65536) {
      std::string host(address.substr(0, colon));
      if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
      }
      return std::pair<std::string, int>{host, port};
    }
  }
  return Fail(ErrorCode::kInvalidArgument, "settings.address: '" + std::string(address) +
                                               "' is not host:port, like \"127.0.0.1:6379\"");
}

Result<RedisConnection> RedisConnection::Open(const std::string& address,
                                              const std::optional<std::string>& password,
                                              int64_t timeout_millis) {
  AIMASS_ASSIGN_OR_RETURN(auto host_port, ParseRedisAddress(address));
  redisContext* raw =
      redisConnectWithTimeout(host_port.first.c_str(), host_port.second, Timeval(timeout_millis));
  if (raw == nullptr) return Fail(ErrorCode::kInternal, "hiredis could not allocate a context");
  RedisConnection connection(raw, address);
  if (raw->err != 0) {
    return Fail(ErrorCode::kUnavailable, "cannot connect to Redis at " + address + ": " +
                                             raw->errstr +
                                             "; check that the server runs and settings.address");
  }
  redisSetTimeout(raw, Timeval(timeout_millis));
  if (password) {
    AIMASS_ASSIGN_OR_RETURN(RedisReply reply, connection.Command({"AUTH", *password}));
    if (reply->type == REDIS_REPLY_ERROR) {
      return Fail(ErrorCode::kInvalidArgument,
                  "Redis at " + address + " refused the password: " + reply->str +
                      "; check the variable named by settings.password_env");
    }
  }
  return connection;
}

Error RedisConnection::Lost() const {
  return Error{ErrorCode::kUnavailable, "lost the connection to Redis at " + address_ + ": " +
                                            context_->errstr +
                                            "; check that the server runs and settings.address"};
}

void RedisConnection::Append(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const std::string& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  redisAppendCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(),
                         lengths.data());
}

Result<RedisReply> RedisConnection::Reply() {
  void* reply = nullptr;
  if (redisGetReply(context_.get(), &reply) != REDIS_OK || reply == nullptr) return Fail(Lost());
  return RedisReply(static_cast<redisReply*>(reply));
}

Result<RedisReply> RedisConnection::Command(const std::vector<std::string>& args) {
  Append(args);
  return Reply();
}

}  // namespace aimass::data::sources
