#include "http/session_cookie.h"

#include "common/hash.h"

namespace aimass::http {

std::string CsrfTokenFor(std::string_view session_secret) {
  return Sha256Hex("aimass-csrf-v1:" + std::string(session_secret));
}

std::string SessionCookieValue(std::string_view header) {
  while (!header.empty()) {
    const size_t end = header.find(';');
    std::string_view pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const size_t equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == kSessionCookie) {
      return std::string(pair.substr(equals + 1));
    }
  }
  return "";
}

std::string SetSessionCookie(std::string_view secret, int64_t max_age_seconds) {
  return std::string(kSessionCookie) + "=" + std::string(secret) +
         "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_seconds);
}

std::string ClearSessionCookie() {
  return std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
}

}  // namespace aimass::http
