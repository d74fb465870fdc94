#include "common/scopes.h"

namespace aimass {

Result<Scopes> Scopes::Parse(std::string_view text) {
  Scopes scopes;
  bool any = false;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view name = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name.empty()) continue;
    if (name == "read") {
      scopes.read = true;
    } else if (name == "write") {
      scopes.write = true;
    } else if (name == "predict") {
      scopes.predict = true;
    } else if (name == "admin") {
      scopes.admin = true;
    } else {
      return Fail(ErrorCode::kInvalidArgument, "unknown scope '" + std::string(name) +
                                                   "'; scopes are read, write, predict, admin");
    }
    any = true;
  }
  if (!any) {
    return Fail(ErrorCode::kInvalidArgument,
                "a token needs at least one scope: read, write, predict or admin");
  }
  return scopes;
}

std::string Scopes::ToString() const {
  std::string text;
  for (const auto& [set, name] :
       {std::pair{read, "read"}, {write, "write"}, {predict, "predict"}, {admin, "admin"}}) {
    if (set) text += (text.empty() ? "" : ",") + std::string(name);
  }
  return text;
}

}  // namespace aimass
