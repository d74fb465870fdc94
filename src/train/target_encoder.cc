#include "train/target_encoder.h"

#include <algorithm>
#include <unordered_map>

#include "train/splits.h"

namespace aimass::train {
namespace {

// "target" (the smoothed target mean) or "frequency" (the category's share of the rows).
class TargetEncoder final : public ColumnEncoder {
 public:
  // `values` holds categories x outputs; `missing` the encoding of a missing value (empty:
  // `fallback`, which also encodes unseen categories).
  TargetEncoder(std::string mode, std::vector<std::string> outputs,
                std::vector<std::string> categories, std::vector<double> values,
                std::vector<double> missing, std::vector<double> fallback)
      : mode_(std::move(mode)),
        outputs_(std::move(outputs)),
        categories_(std::move(categories)),
        values_(std::move(values)),
        missing_(std::move(missing)),
        fallback_(std::move(fallback)) {
    index_.reserve(categories_.size());
    for (size_t i = 0; i < categories_.size(); ++i) index_.emplace(categories_[i], i);
  }

  std::string_view type() const override { return "target"; }
  ColumnKind input_kind() const override { return ColumnKind::kText; }
  int width() const override { return static_cast<int>(outputs_.size()); }
  std::vector<std::string> FeatureNames(const std::string& column) const override {
    std::vector<std::string> names;
    for (const auto& output : outputs_) names.push_back(column + "~" + output);
    return names;
  }
  void Encode(const FrameColumn& column, std::span<const int64_t> rows, float* out,
              int64_t stride) const override {
    const size_t w = outputs_.size();
    for (size_t i = 0; i < rows.size(); ++i) {
      const int64_t r = rows[i];
      const double* source = fallback_.data();
      if (!column.present[r]) {
        if (!missing_.empty()) source = missing_.data();
      } else if (const auto it = index_.find(column.texts[r]); it != index_.end()) {
        source = values_.data() + it->second * w;
      }
      float* row = out + static_cast<int64_t>(i) * stride;
      for (size_t j = 0; j < w; ++j) row[j] = static_cast<float>(source[j]);
    }
  }
  nlohmann::json ToJson() const override {
    return {{"type", type()},       {"mode", mode_},
            {"outputs", outputs_},  {"categories", categories_},
            {"values", values_},    {"missing", missing_},
            {"fallback", fallback_}};
  }

 private:
  std::string mode_;
  std::vector<std::string> outputs_;
  std::vector<std::string> categories_;
  std::vector<double> values_;
  std::vector<double> missing_;
  std::vector<double> fallback_;
  std::unordered_map<std::string, size_t> index_;
};

// Each training row's category as an id; missing values get the id categories.size().
struct CategoryIds {
  std::vector<std::string> categories;  // in order of first appearance
  std::vector<int32_t> ids;             // one per training row
  bool any_missing = false;
};

CategoryIds AssignIds(const FrameColumn& column, std::span<const int64_t> rows) {
  CategoryIds out;
  std::unordered_map<std::string_view, int32_t> index;
  out.ids.reserve(rows.size());
  for (int64_t row : rows) {
    if (!column.present[row]) {
      out.ids.push_back(-1);
      out.any_missing = true;
      continue;
    }
    const auto [it, added] =
        index.try_emplace(column.texts[row], static_cast<int32_t>(out.categories.size()));
    if (added) out.categories.push_back(column.texts[row]);
    out.ids.push_back(it->second);
  }
  const auto missing_id = static_cast<int32_t>(out.categories.size());
  for (int32_t& id : out.ids) id = id < 0 ? missing_id : id;
  return out;
}

FittedEncoder FitFrequency(CategoryIds ids, size_t rows) {
  const size_t slots = ids.categories.size() + 1;
  std::vector<double> counts(slots, 0);
  for (int32_t id : ids.ids) ++counts[id];
  for (double& count : counts) count /= static_cast<double>(rows);
  std::vector<double> missing;
  if (ids.any_missing) missing = {counts.back()};
  counts.pop_back();
  std::string note = std::to_string(ids.categories.size()) +
                     " categories, frequency encoding (more than " +
                     std::to_string(kMaxTargetEncodedClasses) + " classes)";
  return {std::make_unique<TargetEncoder>("frequency", std::vector<std::string>{"frequency"},
                                          std::move(ids.categories), std::move(counts),
                                          std::move(missing), std::vector<double>{0.0}),
          {},
          std::move(note)};
}

}  // namespace

FittedEncoder FitTargetEncoder(const FrameColumn& column, const FitContext& context) {
  const size_t n = context.rows.size();
  CategoryIds ids = AssignIds(column, context.rows);
  const bool multiclass = context.task == Task::kMulticlass;
  const auto num_classes = static_cast<int>(context.classes.size());
  if (multiclass && num_classes > kMaxTargetEncodedClasses) return FitFrequency(std::move(ids), n);

  std::vector<std::string> outputs;
  if (multiclass) {
    for (const auto& name : context.classes) outputs.push_back("target=" + name);
  } else {
    outputs.push_back("target");
  }
  const size_t w = outputs.size();
  const size_t slots = ids.categories.size() + 1;
  const auto y = [&](size_t pos, size_t j) -> double {
    const float label = context.labels[pos];
    return multiclass ? (static_cast<size_t>(label) == j ? 1.0 : 0.0) : label;
  };

  // Inner folds over the training rows; with fewer than 2 rows there is nothing to hold out.
  const int k = static_cast<int>(std::min<size_t>(kTargetEncodingFolds, std::max<size_t>(n, 1)));
  std::vector<int> fold_of(n, 0);
  if (auto folds = KFold(static_cast<int64_t>(n), k, context.seed); folds) {
    for (int f = 0; f < k; ++f) {
      for (int64_t pos : (*folds)[f].valid) fold_of[pos] = f;
    }
  }
  // Per fold: sums of y per category, row counts per category, and the fold's totals.
  std::vector<double> sums(k * slots * w, 0), counts(k * slots, 0), fold_y(k * w, 0), fold_n(k, 0);
  for (size_t pos = 0; pos < n; ++pos) {
    const size_t f = fold_of[pos], id = ids.ids[pos];
    ++counts[f * slots + id];
    ++fold_n[f];
    for (size_t j = 0; j < w; ++j) {
      sums[(f * slots + id) * w + j] += y(pos, j);
      fold_y[f * w + j] += y(pos, j);
    }
  }
  std::vector<double> total_sums(slots * w, 0), total_counts(slots, 0), total_y(w, 0);
  for (int f = 0; f < k; ++f) {
    for (size_t s = 0; s < slots; ++s) {
      total_counts[s] += counts[f * slots + s];
      for (size_t j = 0; j < w; ++j) total_sums[s * w + j] += sums[(f * slots + s) * w + j];
    }
    for (size_t j = 0; j < w; ++j) total_y[j] += fold_y[f * w + j];
  }
  std::vector<double> prior(w);
  for (size_t j = 0; j < w; ++j) prior[j] = total_y[j] / static_cast<double>(n);

  // Out of fold: a row in fold f sees only the statistics (prior included) of the other folds.
  std::vector<float> block(n * w);
  for (size_t pos = 0; pos < n; ++pos) {
    const size_t f = fold_of[pos], id = ids.ids[pos];
    const double others = static_cast<double>(n) - fold_n[f];
    const double count = total_counts[id] - counts[f * slots + id];
    for (size_t j = 0; j < w; ++j) {
      const double other_prior = others > 0 ? (total_y[j] - fold_y[f * w + j]) / others : prior[j];
      const double sum = total_sums[id * w + j] - sums[(f * slots + id) * w + j];
      block[pos * w + j] =
          static_cast<float>((sum + kTargetSmoothing * other_prior) / (count + kTargetSmoothing));
    }
  }
  // For new data: the smoothed mean over all training rows.
  std::vector<double> values(slots * w);
  for (size_t s = 0; s < slots; ++s) {
    for (size_t j = 0; j < w; ++j) {
      values[s * w + j] = (total_sums[s * w + j] + kTargetSmoothing * prior[j]) /
                          (total_counts[s] + kTargetSmoothing);
    }
  }
  std::vector<double> missing;
  if (ids.any_missing) missing.assign(values.end() - static_cast<std::ptrdiff_t>(w), values.end());
  values.resize((slots - 1) * w);
  std::string note = std::to_string(ids.categories.size()) +
                     " categories, out-of-fold target encoding (" + std::to_string(k) +
                     " inner folds, smoothing weight " +
                     std::to_string(static_cast<int>(kTargetSmoothing)) + " toward the prior" +
                     (multiclass ? ", one column per class)" : ")");
  return {std::make_unique<TargetEncoder>("target", std::move(outputs), std::move(ids.categories),
                                          std::move(values), std::move(missing), std::move(prior)),
          std::move(block), std::move(note)};
}

Result<std::unique_ptr<ColumnEncoder>> TargetEncoderFromJson(const nlohmann::json& json) {
  auto outputs = json.at("outputs").get<std::vector<std::string>>();
  auto categories = json.at("categories").get<std::vector<std::string>>();
  auto values = json.at("values").get<std::vector<double>>();
  auto missing = json.at("missing").get<std::vector<double>>();
  auto fallback = json.at("fallback").get<std::vector<double>>();
  const size_t w = outputs.size();
  if (w == 0 || values.size() != categories.size() * w || fallback.size() != w ||
      (!missing.empty() && missing.size() != w)) {
    return Fail(ErrorCode::kInvalidArgument,
                "target encoder JSON has inconsistent sizes; the model file is damaged");
  }
  return std::make_unique<TargetEncoder>(json.at("mode").get<std::string>(), std::move(outputs),
                                         std::move(categories), std::move(values),
                                         std::move(missing), std::move(fallback));
}

}  // namespace aimass::train
