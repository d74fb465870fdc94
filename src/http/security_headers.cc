#include "http/security_headers.h"

namespace aimass::http {

void SetSecurityHeaders(bhttp::fields& fields) {
  fields.set("X-Content-Type-Options", "nosniff");
  fields.set("X-Frame-Options", "DENY");
  // The API answers JSON and files, never pages: nothing may load from or embed a response.
  // (The web console, when it comes, needs its own policy for its pages.)
  fields.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  fields.set("Referrer-Policy", "no-referrer");
  fields.set("Cross-Origin-Resource-Policy", "same-origin");
  // Answers hold tokens' views of private data: no shared or browser cache keeps them.
  fields.set(bhttp::field::cache_control, "no-store");
}

}  // namespace aimass::http
