#include "http/session_cookie.h"

#include <cctype>

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

std::string WithSecureAttribute(std::string_view set_cookie) {
  // Attributes follow the first ';'; compare each one's name without case or spaces.
  size_t start = set_cookie.find(';');
  while (start != std::string_view::npos) {
    size_t end = set_cookie.find(';', start + 1);
    std::string_view attribute = set_cookie.substr(start + 1, end == std::string_view::npos
                                                                  ? std::string_view::npos
                                                                  : end - start - 1);
    while (!attribute.empty() && attribute.front() == ' ') attribute.remove_prefix(1);
    while (!attribute.empty() && attribute.back() == ' ') attribute.remove_suffix(1);
    std::string name(attribute);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "secure") return std::string(set_cookie);
    start = end;
  }
  return std::string(set_cookie) + "; Secure";
}

}  // namespace aimass::http
