// The access log: one line per answered request, through spdlog's default logger.
#pragma once

#include <chrono>
#include <cstdint>

#include "http/request.h"

namespace aimass::http {

// Logs "<request id> <user> <method> <path> <status> <bytes sent>B <ms>ms". Thread-safe.
void LogAccess(const Request& request, int status, uint64_t bytes_sent,
               std::chrono::steady_clock::duration elapsed);

}  // namespace aimass::http
