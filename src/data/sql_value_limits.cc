#include "data/sql_value_limits.h"

#include <cctype>
#include <cmath>
#include <optional>

namespace aimass::data {
namespace {

using nlohmann::json;

const std::string kLimit = std::to_string(static_cast<int64_t>(kMaxBuiltValueSize));

// A literal's value (a VALUE_CONSTANT node), or nullptr for any other expression.
const json* Literal(const json& arguments, size_t i) {
  if (!arguments.is_array() || i >= arguments.size()) return nullptr;
  const json& node = arguments[i];
  if (!node.is_object() || node.value("type", json()) != "VALUE_CONSTANT") return nullptr;
  auto value = node.find("value");
  if (value == node.end() || !value->is_object() || value->value("is_null", true)) return nullptr;
  auto inner = value->find("value");
  return inner == value->end() ? nullptr : &*inner;
}

std::optional<double> NumberAt(const json& arguments, size_t i) {
  const json* value = Literal(arguments, i);
  if (value == nullptr || !value->is_number()) return std::nullopt;
  return value->get<double>();
}

std::optional<std::string> TextAt(const json& arguments, size_t i) {
  const json* value = Literal(arguments, i);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return value->get<std::string>();
}

std::string TooBig(std::string_view name, std::string_view what) {
  return std::string(name) + "() in a transform needs " + std::string(what) + " of at most " +
         kLimit + ": a value built from the data, or a bigger one, would escape the " +
         "transform's memory and time limits";
}

bool Fits(std::optional<double> size) { return size && std::fabs(*size) <= kMaxBuiltValueSize; }

// repeat(text, n): the text and n constant, together at most the limit.
std::string RepeatRefusal(const json& arguments) {
  const auto text = TextAt(arguments, 0);
  const auto count = NumberAt(arguments, 1);
  if (text && count && Fits(static_cast<double>(text->size()) * *count)) return "";
  return TooBig("repeat", "a constant text and count making a string");
}

// range(stop), range(start, stop[, step]) as a list (the table function streams instead).
std::string RangeRefusal(std::string_view name, const json& arguments) {
  const size_t n = arguments.is_array() ? arguments.size() : 0;
  const auto first = NumberAt(arguments, 0);
  const auto second = n >= 2 ? NumberAt(arguments, 1) : std::optional<double>(0);
  const auto step = n >= 3 ? NumberAt(arguments, 2) : std::optional<double>(1);
  if (first && second && step) {
    const double span = std::fabs(*second - *first);
    if (*step == 0 || Fits(span / std::fabs(*step))) return "";
  }
  return TooBig(name, "constant bounds making a list");
}

// A printf() or format() pattern: constant, no width taken from an argument ('*', or a
// nested '{}' in format()), and no width or precision past the limit. Numbers count only
// inside a conversion ("%08.2f", "{:>12}"), not in the literal text around them.
std::string PatternRefusal(std::string_view name, const json& arguments) {
  const auto pattern = TextAt(arguments, 0);
  bool ok = pattern.has_value();
  bool in_percent = false;
  int depth = 0;
  double number = 0;
  for (char c : pattern.value_or("")) {
    const bool in_spec = in_percent || depth > 0;
    if (in_spec && (c == '*' || (c == '{' && depth > 0))) ok = false;
    if (std::isdigit(static_cast<unsigned char>(c)) && in_spec) {
      number = number * 10 + (c - '0');
      if (number > kMaxBuiltValueSize) ok = false;
    } else {
      number = 0;
    }
    if (c == '{') ++depth;
    if (c == '}' && depth > 0) --depth;
    if (in_percent && (std::isalpha(static_cast<unsigned char>(c)) || c == '%')) {
      in_percent = false;
    } else if (c == '%' && !in_spec) {
      in_percent = true;
    }
  }
  return ok ? "" : TooBig(name, "a constant pattern with widths and precisions");
}

}  // namespace

std::string ScalarCallRefusal(std::string_view name, const json& arguments) {
  if (name == "current_setting" || name == "getenv") {
    return name == "getenv"
               ? "getenv() is not allowed in a transform: it reads the server's environment"
               : "current_setting() is not allowed in a transform: it reveals the server's "
                 "settings and paths";
  }
  if (name == "repeat") return RepeatRefusal(arguments);
  if (name == "range" || name == "generate_series") return RangeRefusal(name, arguments);
  if (name == "printf" || name == "format") return PatternRefusal(name, arguments);
  if (name == "lpad" || name == "rpad" || name == "list_resize" || name == "array_resize" ||
      name == "bitstring") {
    return Fits(NumberAt(arguments, 1)) ? "" : TooBig(name, "a constant length");
  }
  return "";
}

}  // namespace aimass::data
