// The headers every response carries, whatever route made it: no MIME sniffing, no framing,
// no referrer, nothing cached, not readable cross-origin. CORS is closed: no response ever
// carries Access-Control-Allow-Origin, so a browser page from another origin cannot read an
// answer, and a preflight (OPTIONS) gets 405 like any method no route takes.
#pragma once

#include <array>
#include <string_view>
#include <utility>

namespace aimass::http {

inline constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kSecurityHeaders{{
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    // The API answers JSON and files, never pages: nothing may load from or embed a response.
    {"Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"},
    {"Referrer-Policy", "no-referrer"},
    {"Cross-Origin-Resource-Policy", "same-origin"},
    // Answers hold tokens' views of private data: no shared or browser cache keeps them.
    {"Cache-Control", "no-store"},
}};

}  // namespace aimass::http
