#include "registry/model_filter.h"

#include <array>
#include <charconv>
#include <cmath>
#include <utility>

#include "registry/model_ref.h"

namespace aimass::registry {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

std::unexpected<Error> BadMetric(std::string_view text) {
  return Fail(ErrorCode::kInvalidArgument,
              "metric filter '" + std::string(text.substr(0, 200)) +
                  "' must look like NAME OP NUMBER, e.g. roc_auc>=0.9 (OP: < <= = >= >)");
}

}  // namespace

Result<store::MetricThreshold> ParseMetricThreshold(std::string_view text) {
  size_t op_start = text.find_first_of("<>=");
  if (op_start == std::string_view::npos) return BadMetric(text);
  // Longest operators first, so ">=" is not read as ">" followed by "=0.9".
  constexpr std::array<std::pair<std::string_view, store::Comparison>, 6> kOps = {{
      {">=", store::Comparison::kGreaterOrEqual},
      {"<=", store::Comparison::kLessOrEqual},
      {"==", store::Comparison::kEqual},
      {">", store::Comparison::kGreater},
      {"<", store::Comparison::kLess},
      {"=", store::Comparison::kEqual},
  }};
  store::MetricThreshold threshold;
  std::string_view rest = text.substr(op_start);
  size_t op_size = 0;
  for (const auto& [spelling, op] : kOps) {
    if (rest.starts_with(spelling)) {
      threshold.op = op;
      op_size = spelling.size();
      break;
    }
  }
  threshold.metric = std::string(Trim(text.substr(0, op_start)));
  AIMASS_RETURN_IF_ERROR(CheckMetricName(threshold.metric));
  std::string_view number = Trim(rest.substr(op_size));
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), threshold.value);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size() ||
      !std::isfinite(threshold.value)) {
    return BadMetric(text);
  }
  return threshold;
}

Result<std::map<std::string, std::string>> ParseTagFilters(std::string_view text) {
  std::map<std::string, std::string> tags;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = std::min(text.find(',', start), text.size());
    std::string_view item = text.substr(start, comma - start);
    start = comma + 1;
    if (item.empty()) continue;
    size_t colon = item.find(':');
    if (colon == std::string_view::npos) {
      return Fail(ErrorCode::kInvalidArgument, "tag filter '" + std::string(item.substr(0, 200)) +
                                                   "' must look like KEY:VALUE, e.g. team:risk");
    }
    std::string key(item.substr(0, colon));
    AIMASS_RETURN_IF_ERROR(CheckTagKey(key));
    tags[key] = std::string(item.substr(colon + 1));
  }
  return tags;
}

std::string LikeContaining(std::string_view text) {
  std::string pattern = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  return pattern + "%";
}

}  // namespace aimass::registry
