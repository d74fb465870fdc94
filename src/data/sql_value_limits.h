// Which scalar function calls a transform may make. DuckDB's memory limit does not count the
// strings and lists a scalar function builds, and its interrupt is only seen between tasks:
// repeat('x', 2000000000) ran 71 s past a 3 s time limit and took 2 GB past a 1 GB memory
// limit. So calls that build a value of a size the caller picks must have constant, small
// sizes, and calls that reveal the server (its settings and paths) are refused.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace aimass::data {

// The most characters, elements or bits one such call may build in a transform.
inline constexpr double kMaxBuiltValueSize = 10000;

// Why calling `name` (lower case) with `arguments` (DuckDB's serialized parse-tree
// expressions, as json_serialize_sql writes them) is not allowed in a transform; "" when it
// is. The message names the function and the fix. Thread-safe.
std::string ScalarCallRefusal(std::string_view name, const nlohmann::json& arguments);

}  // namespace aimass::data
