#include "data/column_profile.h"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

namespace aimass::data {
namespace {

// Strings longer than this are not counted exactly: such a column is high-cardinality text.
constexpr size_t kMaxTrackedValueBytes = 256;
constexpr size_t kMaxTextChars = 200;  // min and max of strings are cut to this

bool IsValid(const uint64_t* validity, uint64_t row) {
  return validity == nullptr || ((validity[row / 64] >> (row % 64)) & 1) != 0;
}

}  // namespace

std::string Utf8Prefix(std::string_view text, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool starts_char = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (starts_char && chars++ == max_chars) return std::string(text.substr(0, i));
  }
  return std::string(text);
}

ColumnProfile::ColumnProfile(ValueKind kind, size_t max_tracked_values)
    : kind_(kind), max_tracked_values_(max_tracked_values) {}

void ColumnProfile::SetHistogramRange(double lo, double hi) {
  has_range_ = hi > lo;
  lo_ = lo;
  hi_ = hi;
  scale_ = has_range_ ? kHistogramBins / (hi - lo) : 0;
  bins_.fill(0);
}

bool ColumnProfile::HistogramMatchesRange() const {
  return has_range_ && finite_ > 0 && lo_ == min_ && hi_ == max_;
}

bool ColumnProfile::NeedsHistogramPass() const {
  const bool number = kind_ == ValueKind::kInteger || kind_ == ValueKind::kDouble;
  return number && finite_ > 0 && max_ > min_ && !HistogramMatchesRange();
}

void ColumnProfile::RestartHistogramOnly() {
  SetHistogramRange(min_, max_);
  histogram_only_ = true;
}

// One vector of numbers, with the running state in locals (registers) for the whole loop:
// per value, a member-function call that loads and stores every sum cost three times as
// much (store-to-load forwarding on each accumulator).
template <typename T>
void ColumnProfile::AddNumbers(const T* values, const uint64_t* validity, uint64_t size) {
  int64_t count = count_, finite = finite_;
  double min = min_, max = max_, shift = shift_, sum = sum_, sum_squares = sum_squares_;
  int64_t min_integer = min_integer_, max_integer = max_integer_;
  // Locals too because the HyperLogLog's byte stores may alias any member.
  const bool histogram_only = histogram_only_, has_range = has_range_;
  const double lo = lo_, hi = hi_, scale = scale_;
  int64_t* bins = bins_.data();
  HyperLogLog& distinct = distinct_;
  const auto bin = [&](double x) {
    if (!has_range || !(x >= lo && x <= hi)) return;
    ++bins[std::min(static_cast<int>((x - lo) * scale), kHistogramBins - 1)];
  };
  for (uint64_t i = 0; i < size; ++i) {
    if (!IsValid(validity, i)) continue;
    const T value = values[i];
    const auto x = static_cast<double>(value);
    if (histogram_only) {
      bin(x);
      continue;
    }
    if constexpr (std::is_integral_v<T>) {
      min_integer = count == 0 ? value : std::min<int64_t>(min_integer, value);
      max_integer = count == 0 ? value : std::max<int64_t>(max_integer, value);
      distinct.Add(HashInteger(static_cast<uint64_t>(value)));
    } else {
      distinct.Add(HashDouble(x));
      if (!std::isfinite(x)) {
        ++count;
        continue;
      }
    }
    ++count;
    if (finite == 0) {
      min = max = shift = x;
    } else {
      min = std::min(min, x);
      max = std::max(max, x);
    }
    ++finite;
    const double d = x - shift;
    sum += d;
    sum_squares += d * d;
    bin(x);
  }
  count_ = count;
  finite_ = finite;
  min_ = min;
  max_ = max;
  shift_ = shift;
  sum_ = sum;
  sum_squares_ = sum_squares;
  min_integer_ = min_integer;
  max_integer_ = max_integer;
}

double ColumnProfile::Mean() const { return shift_ + sum_ / static_cast<double>(finite_); }

double ColumnProfile::StandardDeviation() const {
  const auto n = static_cast<double>(finite_);
  return std::sqrt(std::max(0.0, (sum_squares_ - sum_ * sum_ / n) / (n - 1)));
}

void ColumnProfile::Overflow() {
  overflowed_ = true;
  for (const auto& [value, count] : counts_) distinct_.Add(HashBytes(value));
  Counts().swap(counts_);
}

void ColumnProfile::AddString(std::string_view value) {
  ++count_;
  if (!overflowed_) {
    if (auto it = counts_.find(value); it != counts_.end()) {
      ++it->second;  // a value seen before cannot move the min or the max
      return;
    }
    UpdateTextRange(value);
    if (value.size() <= kMaxTrackedValueBytes && counts_.size() < max_tracked_values_) {
      counts_.emplace(std::string(value), 1);
      return;
    }
    Overflow();
  } else {
    UpdateTextRange(value);
  }
  distinct_.Add(HashBytes(value));
}

void ColumnProfile::UpdateTextRange(std::string_view value) {
  if (!has_text_range_) {
    min_text_ = max_text_ = value;
    has_text_range_ = true;
  } else if (value < min_text_) {
    min_text_ = value;
  } else if (value > max_text_) {
    max_text_ = value;
  }
}

void ColumnProfile::Add(duckdb_vector vector, uint64_t size) {
  const uint64_t* validity = duckdb_vector_get_validity(vector);
  void* data = duckdb_vector_get_data(vector);
  switch (kind_) {
    case ValueKind::kInteger:
      AddNumbers(static_cast<const int64_t*>(data), validity, size);
      return;
    case ValueKind::kDouble:
      AddNumbers(static_cast<const double*>(data), validity, size);
      return;
    case ValueKind::kBoolean: {
      const auto* values = static_cast<const bool*>(data);
      for (uint64_t i = 0; i < size; ++i) {
        if (!IsValid(validity, i)) continue;
        ++count_;
        trues_ += values[i];
      }
      return;
    }
    case ValueKind::kString: {
      auto* values = static_cast<duckdb_string_t*>(data);
      for (uint64_t i = 0; i < size; ++i) {
        if (!IsValid(validity, i)) continue;
        AddString(std::string_view(duckdb_string_t_data(&values[i]),
                                   duckdb_string_t_length(values[i])));
      }
      return;
    }
  }
}

nlohmann::json ColumnProfile::Histogram() const {
  if (finite_ == 0) return nullptr;
  if (max_ == min_) {  // a constant column: one bin holding every finite value
    return {{"edges", {min_, max_}}, {"counts", {finite_}}};
  }
  if (!HistogramMatchesRange()) return nullptr;
  nlohmann::json edges = nlohmann::json::array();
  for (int i = 0; i <= kHistogramBins; ++i) {
    edges.push_back(i == kHistogramBins ? max_ : min_ + (max_ - min_) * i / kHistogramBins);
  }
  return {{"edges", std::move(edges)}, {"counts", bins_}};
}

nlohmann::json ColumnProfile::Top() const {
  std::vector<std::pair<nlohmann::json, int64_t>> top;
  if (kind_ == ValueKind::kBoolean) {
    if (trues_ > 0) top.push_back({true, trues_});
    if (count_ > trues_) top.push_back({false, count_ - trues_});
  } else {
    std::vector<std::pair<std::string_view, int64_t>> all(counts_.begin(), counts_.end());
    const size_t keep = std::min<size_t>(all.size(), kTopValues);
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep), all.end(),
                      [](const auto& a, const auto& b) {
                        return a.second != b.second ? a.second > b.second : a.first < b.first;
                      });
    for (size_t i = 0; i < keep; ++i) top.push_back({std::string(all[i].first), all[i].second});
  }
  std::stable_sort(top.begin(), top.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  nlohmann::json out = nlohmann::json::array();
  for (auto& [value, count] : top) out.push_back({{"value", std::move(value)}, {"count", count}});
  return out;
}

nlohmann::json ColumnProfile::ToJson(int64_t row_count) const {
  nlohmann::json out = {{"nulls", row_count - count_}};
  switch (kind_) {
    case ValueKind::kInteger:
    case ValueKind::kDouble: {
      out["distinct"] = distinct_.Estimate();
      const bool integer = kind_ == ValueKind::kInteger;
      out["min"] = finite_ == 0 ? nlohmann::json()
                   : integer    ? nlohmann::json(min_integer_)
                                : nlohmann::json(min_);
      out["max"] = finite_ == 0 ? nlohmann::json()
                   : integer    ? nlohmann::json(max_integer_)
                                : nlohmann::json(max_);
      out["mean"] = finite_ == 0 ? nlohmann::json() : nlohmann::json(Mean());
      out["stddev"] = finite_ < 2 ? nlohmann::json() : nlohmann::json(StandardDeviation());
      if (auto histogram = Histogram(); !histogram.is_null()) out["histogram"] = histogram;
      return out;
    }
    case ValueKind::kBoolean:
      out["distinct"] = (trues_ > 0) + (count_ > trues_);
      out["top"] = Top();
      return out;
    case ValueKind::kString:
      out["distinct"] = overflowed_ ? distinct_.Estimate() : static_cast<int64_t>(counts_.size());
      out["min"] = has_text_range_ ? nlohmann::json(Utf8Prefix(min_text_, kMaxTextChars))
                                   : nlohmann::json();
      out["max"] = has_text_range_ ? nlohmann::json(Utf8Prefix(max_text_, kMaxTextChars))
                                   : nlohmann::json();
      if (!overflowed_) out["top"] = Top();
      return out;
  }
  return out;
}

}  // namespace aimass::data
