#include "train/column_encoders.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "train/calendar.h"
#include "train/target_encoder.h"

namespace aimass::train {
namespace {

constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();

class NumberEncoder final : public ColumnEncoder {
 public:
  explicit NumberEncoder(ColumnKind kind) : kind_(kind) {}
  std::string_view type() const override { return "number"; }
  ColumnKind input_kind() const override { return kind_; }
  int width() const override { return 1; }
  std::vector<std::string> FeatureNames(const std::string& column) const override {
    return {column};
  }
  void Encode(const FrameColumn& column, std::span<const int64_t> rows, float* out,
              int64_t stride) const override {
    for (size_t i = 0; i < rows.size(); ++i) {
      out[static_cast<int64_t>(i) * stride] = static_cast<float>(column.numbers[rows[i]]);
    }
  }
  nlohmann::json ToJson() const override {
    return {{"type", type()}, {"kind", ColumnKindName(kind_)}};
  }

 private:
  ColumnKind kind_;
};

enum class DatetimePart { kYear, kMonth, kDay, kWeekday, kHour };
constexpr std::array<DatetimePart, 5> kAllParts = {DatetimePart::kYear, DatetimePart::kMonth,
                                                   DatetimePart::kDay, DatetimePart::kWeekday,
                                                   DatetimePart::kHour};

std::string_view PartName(DatetimePart part) {
  switch (part) {
    case DatetimePart::kYear:
      return "year";
    case DatetimePart::kMonth:
      return "month";
    case DatetimePart::kDay:
      return "day";
    case DatetimePart::kWeekday:
      return "weekday";
    case DatetimePart::kHour:
      return "hour";
  }
  return "year";
}

int PartOf(const CalendarParts& parts, DatetimePart part) {
  switch (part) {
    case DatetimePart::kYear:
      return parts.year;
    case DatetimePart::kMonth:
      return parts.month;
    case DatetimePart::kDay:
      return parts.day;
    case DatetimePart::kWeekday:
      return parts.weekday;
    case DatetimePart::kHour:
      return parts.hour;
  }
  return 0;
}

class DatetimeEncoder final : public ColumnEncoder {
 public:
  explicit DatetimeEncoder(std::vector<DatetimePart> parts) : parts_(std::move(parts)) {}
  std::string_view type() const override { return "datetime"; }
  ColumnKind input_kind() const override { return ColumnKind::kDatetime; }
  int width() const override { return static_cast<int>(parts_.size()); }
  std::vector<std::string> FeatureNames(const std::string& column) const override {
    std::vector<std::string> names;
    for (DatetimePart part : parts_) names.push_back(column + "." + std::string(PartName(part)));
    return names;
  }
  void Encode(const FrameColumn& column, std::span<const int64_t> rows, float* out,
              int64_t stride) const override {
    for (size_t i = 0; i < rows.size(); ++i) {
      float* row = out + static_cast<int64_t>(i) * stride;
      const double seconds = column.numbers[rows[i]];
      if (std::isnan(seconds)) {
        std::fill(row, row + parts_.size(), kMissing);
        continue;
      }
      const CalendarParts parts = SplitEpochSeconds(seconds);
      for (size_t p = 0; p < parts_.size(); ++p) {
        row[p] = static_cast<float>(PartOf(parts, parts_[p]));
      }
    }
  }
  nlohmann::json ToJson() const override {
    nlohmann::json parts = nlohmann::json::array();
    for (DatetimePart part : parts_) parts.push_back(PartName(part));
    return {{"type", type()}, {"parts", std::move(parts)}};
  }

 private:
  std::vector<DatetimePart> parts_;
};

class OneHotEncoder final : public ColumnEncoder {
 public:
  OneHotEncoder(std::vector<std::string> categories, bool missing_column)
      : categories_(std::move(categories)), missing_column_(missing_column) {
    for (size_t i = 0; i < categories_.size(); ++i) index_.emplace(categories_[i], i);
  }
  std::string_view type() const override { return "one_hot"; }
  ColumnKind input_kind() const override { return ColumnKind::kText; }
  int width() const override { return static_cast<int>(categories_.size()) + 1 + missing_column_; }
  std::vector<std::string> FeatureNames(const std::string& column) const override {
    std::vector<std::string> names;
    for (const auto& category : categories_) names.push_back(column + "=" + category);
    names.push_back(column + "=<other>");
    if (missing_column_) names.push_back(column + "=<missing>");
    return names;
  }
  void Encode(const FrameColumn& column, std::span<const int64_t> rows, float* out,
              int64_t stride) const override {
    const auto other = static_cast<int64_t>(categories_.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      float* row = out + static_cast<int64_t>(i) * stride;
      std::fill(row, row + width(), 0.0f);
      const int64_t r = rows[i];
      if (!column.present[r]) {
        if (missing_column_) row[other + 1] = 1;
        continue;
      }
      const auto it = index_.find(column.texts[r]);
      row[it == index_.end() ? other : static_cast<int64_t>(it->second)] = 1;
    }
  }
  nlohmann::json ToJson() const override {
    return {{"type", type()}, {"categories", categories_}, {"missing_column", missing_column_}};
  }

 private:
  std::vector<std::string> categories_;
  bool missing_column_;
  std::unordered_map<std::string, size_t> index_;
};

}  // namespace

FittedEncoder FitNumber(const FrameColumn& column) {
  const bool boolean = column.kind == ColumnKind::kBoolean;
  return {std::make_unique<NumberEncoder>(column.kind), {}, boolean ? "boolean, as 0/1" : "number"};
}

FittedEncoder FitDatetime(const FrameColumn& column, std::span<const int64_t> rows) {
  std::array<int, kAllParts.size()> first{};
  std::array<bool, kAllParts.size()> varies{};
  bool seen = false;
  for (int64_t row : rows) {
    const double seconds = column.numbers[row];
    if (std::isnan(seconds)) continue;
    const CalendarParts parts = SplitEpochSeconds(seconds);
    for (size_t p = 0; p < kAllParts.size(); ++p) {
      const int value = PartOf(parts, kAllParts[p]);
      if (!seen) first[p] = value;
      varies[p] = varies[p] || value != first[p];
    }
    seen = true;
  }
  std::vector<DatetimePart> parts;
  std::string names;
  for (size_t p = 0; p < kAllParts.size(); ++p) {
    if (!varies[p]) continue;
    parts.push_back(kAllParts[p]);
    names += (names.empty() ? "" : ", ") + std::string(PartName(kAllParts[p]));
  }
  if (parts.empty()) {
    return {nullptr, {}, "dropped: no calendar part (year, month, day, weekday, hour) varies"};
  }
  return {std::make_unique<DatetimeEncoder>(std::move(parts)), {}, "datetime, as " + names};
}

CategoryCounts CountCategories(const FrameColumn& column, std::span<const int64_t> rows) {
  CategoryCounts counts;
  for (int64_t row : rows) {
    if (column.present[row]) {
      ++counts.counts[column.texts[row]];
    } else {
      ++counts.missing;
    }
  }
  return counts;
}

FittedEncoder FitOneHot(const FrameColumn& /*column*/, const CategoryCounts& counts) {
  std::vector<std::string> kept;
  int64_t rare = 0;
  for (const auto& [category, count] : counts.counts) {
    if (count >= kMinCategoryRows) {
      kept.emplace_back(category);
    } else {
      ++rare;
    }
  }
  std::sort(kept.begin(), kept.end());
  std::string note = std::to_string(counts.counts.size()) + " categories, one-hot (" +
                     std::to_string(kept.size()) + " columns + <other>";
  if (rare > 0) {
    note += ", which also takes " + std::to_string(rare) + " seen in fewer than " +
            std::to_string(kMinCategoryRows) + " rows";
  }
  if (counts.missing > 0) note += ", + <missing>";
  note += ")";
  return {std::make_unique<OneHotEncoder>(std::move(kept), counts.missing > 0), {}, note};
}

Result<std::unique_ptr<ColumnEncoder>> EncoderFromJson(const nlohmann::json& json) {
  const std::string type = json.at("type").get<std::string>();
  if (type == "number") {
    AIMASS_ASSIGN_OR_RETURN(ColumnKind kind, ParseColumnKind(json.at("kind").get<std::string>()));
    return std::make_unique<NumberEncoder>(kind);
  }
  if (type == "datetime") {
    std::vector<DatetimePart> parts;
    for (const auto& name : json.at("parts")) {
      const auto it = std::find_if(kAllParts.begin(), kAllParts.end(),
                                   [&](DatetimePart part) { return PartName(part) == name; });
      if (it == kAllParts.end()) {
        return Fail(ErrorCode::kInvalidArgument, "unknown datetime part " + name.dump());
      }
      parts.push_back(*it);
    }
    return std::make_unique<DatetimeEncoder>(std::move(parts));
  }
  if (type == "one_hot") {
    return std::make_unique<OneHotEncoder>(json.at("categories").get<std::vector<std::string>>(),
                                           json.at("missing_column").get<bool>());
  }
  if (type == "target") return TargetEncoderFromJson(json);
  return Fail(ErrorCode::kInvalidArgument, "unknown column encoder '" + type + "'");
}

}  // namespace aimass::train
