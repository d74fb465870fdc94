#include "http/request.h"

#include <strings.h>

namespace aimass::http {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

std::string Request::Query(std::string_view name, std::string_view fallback) const {
  auto it = query.find(std::string(name));
  return it == query.end() ? std::string(fallback) : it->second;
}

void Request::Clear() {
  method.clear();
  target.clear();
  path.clear();
  query.clear();
  params.clear();
  body.clear();
  body_file.clear();
  body_size = 0;
  request_id.clear();
  principal = Principal{};
  headers.clear();
}

}  // namespace aimass::http
