#include "monitor/text_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace aimass::monitor {
namespace {

// Doubles hold every integer up to 2^53 exactly; past that an integer print would show
// digits the value does not have.
constexpr double kLargestExactInteger = 9007199254740992.0;

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

void AppendValue(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buffer[64];
  std::to_chars_result result;
  if (value == std::trunc(value) && std::fabs(value) <= kLargestExactInteger) {
    result = std::to_chars(buffer, buffer + sizeof(buffer), static_cast<int64_t>(value));
  } else {
    // The shortest digits that read back to the same double, with an exponent only for
    // very small or very large numbers, as Go's and JavaScript's number printing do.
    result = std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
    const char* exponent_text = std::find(buffer, result.ptr, 'e') + 1;  // "e-05", "e+21"
    if (exponent_text < result.ptr && *exponent_text == '+') ++exponent_text;
    int exponent = 0;
    std::from_chars(exponent_text, result.ptr, exponent);
    if (exponent >= -4 && exponent < 21) {
      result = std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::fixed);
    }
  }
  out.append(buffer, result.ptr);
}

void AppendEscapedHelp(std::string& out, std::string_view help) {
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void AppendEscapedLabelValue(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void AppendSample(std::string& out, std::string_view name, std::span<const std::string> label_names,
                  std::span<const std::string> label_values, double value,
                  std::string_view extra_name, std::string_view extra_value) {
  out += name;
  if (!label_names.empty() || !extra_name.empty()) {
    out += '{';
    bool first = true;
    auto append_label = [&](std::string_view label, std::string_view label_value) {
      if (!first) out += ',';
      first = false;
      out += label;
      out += "=\"";
      AppendEscapedLabelValue(out, label_value);
      out += '"';
    };
    for (size_t i = 0; i < label_names.size(); ++i) append_label(label_names[i], label_values[i]);
    if (!extra_name.empty()) append_label(extra_name, extra_value);
    out += '}';
  }
  out += ' ';
  AppendValue(out, value);
  out += '\n';
}

bool IsValidMetricName(std::string_view name) {
  if (name.empty() || IsAsciiDigit(name.front())) return false;
  for (char c : name) {
    if (!IsAsciiLetter(c) && !IsAsciiDigit(c) && c != '_' && c != ':') return false;
  }
  return true;
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty() || IsAsciiDigit(name.front()) || name.starts_with("__")) return false;
  for (char c : name) {
    if (!IsAsciiLetter(c) && !IsAsciiDigit(c) && c != '_') return false;
  }
  return true;
}

}  // namespace aimass::monitor
