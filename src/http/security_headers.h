// The headers every response carries, whatever route made it: no MIME sniffing, no framing,
// no referrer, nothing cached, not readable cross-origin. CORS is closed: no response ever
// carries Access-Control-Allow-Origin, so a browser page from another origin cannot read an
// answer, and a preflight (OPTIONS) gets 405 like any method no route takes.
#pragma once

#include "http/asio.h"

namespace aimass::http {

void SetSecurityHeaders(bhttp::fields& fields);

}  // namespace aimass::http
