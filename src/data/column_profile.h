// The one-pass statistics of one column. Each value of a number, boolean or string column is
// seen once, a DuckDB vector at a time, and the profile gives the column's entry of the
// "Statistics" JSON of docs/api.md: nulls, distinct, min, max, mean, stddev, histogram, top.
#pragma once

#include <duckdb.h>

#include <array>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>

#include "data/hyperloglog.h"

namespace aimass::data {

// How a column's values arrive: the SQL that feeds a profile casts to one of these.
enum class ValueKind {
  kInteger,  // BIGINT (int64)
  kDouble,   // DOUBLE
  kBoolean,  // BOOLEAN
  kString,   // VARCHAR
};

inline constexpr int kHistogramBins = 20;
inline constexpr int kTopValues = 10;

class ColumnProfile {
 public:
  // `max_tracked_values`: how many distinct strings are counted exactly before the column
  // counts as high-cardinality (its top values then need TopValuesOverflowed's SQL fallback).
  explicit ColumnProfile(ValueKind kind, size_t max_tracked_values = 1000);

  ValueKind kind() const { return kind_; }

  // Bins finite numbers in [lo, hi] (hi > lo) into the histogram while the values are fed.
  // The bounds are usually the Parquet footer's; HistogramMatchesRange() tells if they were
  // the exact finite min and max.
  void SetHistogramRange(double lo, double hi);
  bool HistogramMatchesRange() const;
  // For a second pass: clears the bins, bins between the exact min and max, and from then on
  // Add() only bins.
  void RestartHistogramOnly();
  // Whether a histogram needs that second pass: numbers, max > min, range not confirmed.
  bool NeedsHistogramPass() const;

  // Feeds the first `size` values of `vector`, whose type is this profile's ValueKind.
  void Add(duckdb_vector vector, uint64_t size);

  // Strings only: true when the column had too many distinct (or too long) values to count
  // exactly; its "top" is then left to the caller.
  bool TopValuesOverflowed() const { return overflowed_; }

  // The statistics: {"nulls","distinct",...} for a table of `row_count` rows.
  nlohmann::json ToJson(int64_t row_count) const;

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Counts = std::unordered_map<std::string, int64_t, StringHash, std::equal_to<>>;

  template <typename T>
  void AddNumbers(const T* values, const uint64_t* validity, uint64_t size);
  void AddString(std::string_view value);
  void UpdateTextRange(std::string_view value);
  double Mean() const;
  double StandardDeviation() const;
  void Overflow();
  nlohmann::json Histogram() const;
  nlohmann::json Top() const;

  ValueKind kind_;
  size_t max_tracked_values_;
  int64_t count_ = 0;  // non-null values
  HyperLogLog distinct_;
  // Numbers: finite values only.
  int64_t finite_ = 0;
  double min_ = 0, max_ = 0;
  // Sums of x - shift_ and its squares, shift_ being the first value: the shift keeps the
  // variance exact where plain sums of squares would cancel (values far from zero).
  double shift_ = 0, sum_ = 0, sum_squares_ = 0;
  int64_t min_integer_ = 0, max_integer_ = 0;
  bool histogram_only_ = false;
  bool has_range_ = false;
  double lo_ = 0, hi_ = 0, scale_ = 0;
  std::array<int64_t, kHistogramBins> bins_{};
  // Booleans.
  int64_t trues_ = 0;
  // Strings.
  bool has_text_range_ = false;
  std::string min_text_, max_text_;
  Counts counts_;
  bool overflowed_ = false;
};

// `text` cut to at most `max_chars` UTF-8 characters, never inside a character.
std::string Utf8Prefix(std::string_view text, size_t max_chars);

}  // namespace aimass::data
