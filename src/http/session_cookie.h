// The web console's login session: its token travels in an HttpOnly, SameSite=Strict cookie,
// and every request that changes something must also carry the session's CSRF token in the
// X-CSRF-Token header, which a page of another site can neither read nor compute.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace aimass::http {

inline constexpr std::string_view kSessionCookie = "aimass_session";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

// The CSRF token of a session: a hash of its secret (so nothing more is stored).
std::string CsrfTokenFor(std::string_view session_secret);
// The value of the aimass_session cookie in a Cookie header, or "".
std::string SessionCookieValue(std::string_view cookie_header);
// Set-Cookie values that set the session (for max_age_seconds) and clear it.
std::string SetSessionCookie(std::string_view secret, int64_t max_age_seconds);
std::string ClearSessionCookie();
// A Set-Cookie value with the Secure attribute added (unless it has it), for responses
// served over HTTPS: the browser then never sends the cookie over plain HTTP.
std::string WithSecureAttribute(std::string_view set_cookie);

}  // namespace aimass::http
