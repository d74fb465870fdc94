// Pieces of a request target: splitting off the query, percent-decoding, query parsing.
// Pure functions; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace aimass::http {

// Decodes %XX escapes (and '+' as a space when `plus_is_space`, as in query strings).
// nullopt when an escape is malformed ("%G1", a trailing "%").
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// Splits "/a/b?x=1" into path "/a/b" and query "x=1".
struct TargetParts {
  std::string_view path;
  std::string_view query;
};
TargetParts SplitTarget(std::string_view target);

// Parses "a=1&b=x%20y&flag" into {a:1, b:"x y", flag:""}; the first value of a repeated
// name wins. False when an escape is malformed.
bool ParseQuery(std::string_view query, std::map<std::string, std::string>& out);

}  // namespace aimass::http
