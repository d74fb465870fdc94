// Request ids: the client's X-Request-Id when it is sane, else a fresh random one.
#pragma once

#include <string>
#include <string_view>

namespace aimass::http {

// True for 1 to 128 characters from [A-Za-z0-9._:-]: safe to echo and to log.
bool IsSaneRequestId(std::string_view id);

// `client_id` if sane, else 16 random hex digits. Thread-safe.
std::string RequestIdFor(std::string_view client_id);

}  // namespace aimass::http
