// The pieces of the Prometheus text exposition format 0.0.4 that MetricsRegistry writes:
// escaping, numbers, and one sample line.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace aimass::monitor {

// The Content-Type to answer GET /metrics with.
inline constexpr std::string_view kExpositionContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// A number as Prometheus reads it: whole numbers up to 2^53 as integers ("1000000", not
// "1e+06"), others with the fewest digits that read back to the same double, with an
// exponent only below 1e-4 or from 1e21 ("0.0005", "1e-07"); "+Inf", "-Inf", "NaN".
void AppendValue(std::string& out, double value);
// Help text with backslash and newline escaped.
void AppendEscapedHelp(std::string& out, std::string_view help);
// A label value with backslash, double quote and newline escaped.
void AppendEscapedLabelValue(std::string& out, std::string_view value);

// Appends `name{a="x",b="y",extra="z"} value\n`: the labels zipped from `label_names` and
// `label_values` (same length), then `extra_name` when not empty (a histogram's `le`);
// no braces when there are no labels at all.
void AppendSample(std::string& out, std::string_view name, std::span<const std::string> label_names,
                  std::span<const std::string> label_values, double value,
                  std::string_view extra_name = {}, std::string_view extra_value = {});

// Whether `name` may name a metric ([a-zA-Z_:][a-zA-Z0-9_:]*) or a label
// ([a-zA-Z_][a-zA-Z0-9_]*, not starting with the reserved "__").
bool IsValidMetricName(std::string_view name);
bool IsValidLabelName(std::string_view name);

}  // namespace aimass::monitor
