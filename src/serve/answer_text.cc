#include "serve/answer_text.h"

#include <charconv>
#include <cmath>

namespace aimass::serve {

std::string JsonText(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void AppendJsonString(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out += kHex[(c >> 4) & 0xF];
          out += kHex[c & 0xF];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void AppendJsonNumber(double value, std::string& out) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char text[32];
  const auto [end, error] = std::to_chars(text, text + sizeof text, value);
  out.append(text, error == std::errc() ? end : text);
}

void AppendPredictionFields(const train::Pipeline& pipeline, const double* row, std::string& out) {
  out += "{\"prediction\":";
  if (!train::IsClassification(pipeline.task())) {
    AppendJsonNumber(row[0], out);
    return;
  }
  const auto& classes = pipeline.classes();
  const int width = pipeline.width();
  int best = 0;
  for (int c = 1; c < width; ++c) {
    if (row[c] > row[best]) best = c;
  }
  AppendJsonString(classes[static_cast<size_t>(best)], out);
  out += ",\"probabilities\":{";
  for (int c = 0; c < width; ++c) {
    if (c > 0) out += ',';
    AppendJsonString(classes[static_cast<size_t>(c)], out);
    out += ':';
    AppendJsonNumber(row[c], out);
  }
  out += '}';
}

}  // namespace aimass::serve
