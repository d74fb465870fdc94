#include "data/column_profile.h"

#include <algorithm>
#include <cmath>
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

void ColumnProfile::Bin(double x) {
  if (!has_range_ || !(x >= lo_ && x <= hi_)) return;
  const auto bin = static_cast<int>((x - lo_) * scale_);
  ++bins_[std::min(bin, kHistogramBins - 1)];
}

void ColumnProfile::AddNumber(double x, uint64_t hash) {
  ++count_;
  distinct_.Add(hash);
  if (!std::isfinite(x)) return;
  if (finite_ == 0) {
    min_ = max_ = x;
  } else {
    min_ = std::min(min_, x);
    max_ = std::max(max_, x);
  }
  ++finite_;
  const double delta = x - mean_;
  mean_ += delta / static_cast<double>(finite_);
  m2_ += delta * (x - mean_);
  Bin(x);
}

void ColumnProfile::Overflow() {
  overflowed_ = true;
  for (const auto& [value, count] : counts_) distinct_.Add(HashBytes(value));
  Counts().swap(counts_);
}

void ColumnProfile::AddString(std::string_view value) {
  ++count_;
  if (!has_text_range_) {
    min_text_ = max_text_ = value;
    has_text_range_ = true;
  } else if (value < min_text_) {
    min_text_ = value;
  } else if (value > max_text_) {
    max_text_ = value;
  }
  if (!overflowed_) {
    if (auto it = counts_.find(value); it != counts_.end()) {
      ++it->second;
      return;
    }
    if (value.size() <= kMaxTrackedValueBytes && counts_.size() < max_tracked_values_) {
      counts_.emplace(std::string(value), 1);
      return;
    }
    Overflow();
  }
  distinct_.Add(HashBytes(value));
}

void ColumnProfile::Add(duckdb_vector vector, uint64_t size) {
  const uint64_t* validity = duckdb_vector_get_validity(vector);
  void* data = duckdb_vector_get_data(vector);
  switch (kind_) {
    case ValueKind::kInteger: {
      const auto* values = static_cast<const int64_t*>(data);
      for (uint64_t i = 0; i < size; ++i) {
        if (!IsValid(validity, i)) continue;
        const int64_t x = values[i];
        if (histogram_only_) {
          Bin(static_cast<double>(x));
          continue;
        }
        if (count_ == 0) {
          min_integer_ = max_integer_ = x;
        } else {
          min_integer_ = std::min(min_integer_, x);
          max_integer_ = std::max(max_integer_, x);
        }
        AddNumber(static_cast<double>(x), HashInteger(static_cast<uint64_t>(x)));
      }
      return;
    }
    case ValueKind::kDouble: {
      const auto* values = static_cast<const double*>(data);
      for (uint64_t i = 0; i < size; ++i) {
        if (!IsValid(validity, i)) continue;
        if (histogram_only_) {
          Bin(values[i]);
        } else {
          AddNumber(values[i], HashDouble(values[i]));
        }
      }
      return;
    }
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
      out["mean"] = finite_ == 0 ? nlohmann::json() : nlohmann::json(mean_);
      out["stddev"] = finite_ < 2 ? nlohmann::json()
                                  : nlohmann::json(std::sqrt(m2_ / static_cast<double>(finite_ - 1)));
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
