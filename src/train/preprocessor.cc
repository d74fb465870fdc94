#include "train/preprocessor.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>

#include "train/target_encoder.h"

namespace aimass::train {
namespace {

constexpr int kJsonFormat = 1;

// x -> ((isnan(x) ? fill : x) - center) / scale, for linear models.
struct Scaling {
  double fill = 0;
  double center = 0;
  double scale = 1;
};

// Imputation and standardization of one output column from its training values.
// `standardize` false: only filled (with the mean: a boolean's share of true).
Scaling FitScaling(std::span<const float> block, size_t width, size_t j, bool standardize) {
  std::vector<double> present;
  for (size_t i = j; i < block.size(); i += width) {
    if (!std::isnan(block[i])) present.push_back(block[i]);
  }
  if (present.empty()) return {};
  double mean = 0;
  for (double x : present) mean += x;
  mean /= static_cast<double>(present.size());
  if (!standardize) return {mean, 0, 1};
  double squares = 0;
  for (double x : present) squares += (x - mean) * (x - mean);
  const double stddev =
      present.size() > 1 ? std::sqrt(squares / static_cast<double>(present.size() - 1)) : 0;
  const auto middle = present.begin() + static_cast<std::ptrdiff_t>(present.size() / 2);
  std::nth_element(present.begin(), middle, present.end());
  double median = *middle;
  if (present.size() % 2 == 0) median = (median + *std::max_element(present.begin(), middle)) / 2;
  // A column with one value (and missing ones) is left unscaled rather than divided by 0.
  return {median, mean, stddev > 1e-12 ? stddev : 1};
}

std::string Quoted(const std::string& text) { return "'" + text + "'"; }

// The encoder for one column, or a null encoder and the note saying why it is dropped
// (all missing, one value only, an identifier).
FittedEncoder ChooseEncoder(const FrameColumn& column, const FitContext& context, int64_t missing) {
  const auto n = static_cast<int64_t>(context.rows.size());
  if (missing == n) {
    return {nullptr, {}, "dropped, missing in all " + std::to_string(n) + " training rows"};
  }
  if (column.kind == ColumnKind::kText) {
    const CategoryCounts counts = CountCategories(column, context.rows);
    const auto distinct = static_cast<int64_t>(counts.counts.size());
    if (distinct == 1 && missing == 0) {
      return {
          nullptr,
          {},
          "dropped, one value only (" + Quoted(std::string(counts.counts.begin()->first)) + ")"};
    }
    if (distinct > kMinIdentifierValues &&
        static_cast<double>(distinct) > kIdentifierShare * static_cast<double>(n)) {
      return {nullptr,
              {},
              "dropped, looks like an identifier (" + std::to_string(distinct) +
                  " distinct values in " + std::to_string(n) + " training rows)"};
    }
    return distinct <= kMaxOneHotCategories ? FitOneHot(column, counts)
                                            : FitTargetEncoder(column, context);
  }
  // One value and no missing ones: nothing to learn. One value with missing ones is kept,
  // as whether a value is missing may matter.
  double first = std::nan("");
  bool constant = missing == 0;
  for (int64_t row : context.rows) {
    const double value = column.numbers[row];
    if (std::isnan(first)) first = value;
    constant = constant && value == first;
  }
  if (constant) return {nullptr, {}, "dropped, one value only (" + CanonicalNumber(first) + ")"};
  return column.kind == ColumnKind::kDatetime ? FitDatetime(column, context.rows)
                                              : FitNumber(column);
}

}  // namespace

struct Preprocessor::ColumnPlan {
  std::string column;
  ColumnKind kind = ColumnKind::kNumber;
  std::unique_ptr<ColumnEncoder> encoder;
  std::vector<Scaling> scalings;  // linear models: one per encoder output; else empty
  bool missing_indicator = false;

  int64_t width() const { return encoder->width() + (missing_indicator ? 1 : 0); }
};

Preprocessor::Preprocessor() = default;
Preprocessor::~Preprocessor() = default;
Preprocessor::Preprocessor(Preprocessor&&) noexcept = default;
Preprocessor& Preprocessor::operator=(Preprocessor&&) noexcept = default;

Result<Matrix> Preprocessor::FitTransform(const Frame& frame, std::span<const int64_t> train_rows,
                                          const Target& target, const PreprocessOptions& options) {
  *this = Preprocessor();
  if (static_cast<int64_t>(target.labels.size()) != frame.rows) {
    return Fail(ErrorCode::kInvalidArgument,
                "the target has " + std::to_string(target.labels.size()) +
                    " labels but the frame " + std::to_string(frame.rows) +
                    " rows; take the target's rows of the frame first");
  }
  if (train_rows.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "no training rows to learn preprocessing from");
  }
  for (int64_t row : train_rows) {
    if (row < 0 || row >= frame.rows) {
      return Fail(ErrorCode::kInvalidArgument, "training row " + std::to_string(row) +
                                                   " is outside the frame's " +
                                                   std::to_string(frame.rows) + " rows");
    }
  }
  for (const std::string& name : options.exclude) {
    if (frame.Find(name) == nullptr) {
      return Fail(ErrorCode::kInvalidArgument,
                  "excluded column " + Quoted(name) +
                      " is not in the data; its columns are: " + frame.ColumnList());
    }
  }
  for_linear_ = options.for_linear;
  target_ = target.column;
  std::vector<float> labels;
  labels.reserve(train_rows.size());
  for (int64_t row : train_rows) labels.push_back(target.labels[row]);
  const FitContext context{train_rows, labels, target.task, target.classes, options.seed};
  const auto n = static_cast<int64_t>(train_rows.size());

  std::vector<std::vector<float>> blocks;
  for (const FrameColumn& column : frame.columns) {
    const auto note = [&](const std::string& text) { notes_.push_back(column.name + ": " + text); };
    if (column.name == target.column) {
      note("the target");
      continue;
    }
    if (std::find(options.exclude.begin(), options.exclude.end(), column.name) !=
        options.exclude.end()) {
      note("dropped, excluded by request");
      continue;
    }
    int64_t missing = 0;
    for (int64_t row : train_rows) missing += column.IsMissing(row);
    FittedEncoder fitted = ChooseEncoder(column, context, missing);
    if (fitted.encoder == nullptr) {
      note(fitted.note);
      continue;
    }
    ColumnPlan plan{column.name, column.kind, std::move(fitted.encoder), {}, false};
    const auto width = static_cast<size_t>(plan.encoder->width());
    std::vector<float> block = std::move(fitted.training_block);
    if (block.empty()) {
      block.resize(static_cast<size_t>(n) * width);
      plan.encoder->Encode(column, train_rows, block.data(), static_cast<int64_t>(width));
    }
    // Text encoders turn a missing value into a category; the others leave NaN.
    const bool has_nan = missing > 0 && column.kind != ColumnKind::kText;
    std::string extra = has_nan ? "; missing values left missing" : "";
    if (for_linear_ && plan.encoder->type() != "one_hot") {
      const bool standardize = column.kind != ColumnKind::kBoolean;
      for (size_t j = 0; j < width; ++j) {
        plan.scalings.push_back(FitScaling(block, width, j, standardize));
      }
      extra = standardize ? "; standardized (training mean and standard deviation)" : "";
      plan.missing_indicator = has_nan;
      if (has_nan) {
        extra += std::string("; missing values get the training ") +
                 (standardize ? "median" : "mean") + ", + " + column.name + ".missing";
      }
    }
    note(fitted.note + extra);
    width_ += plan.width();
    input_schema_.columns.push_back({column.name, column.type, column.kind});
    plans_.push_back(std::move(plan));
    blocks.push_back(std::move(block));
  }
  if (plans_.empty()) {
    std::string why;
    for (const auto& line : notes_) why += (why.empty() ? "" : "; ") + line;
    return Fail(ErrorCode::kInvalidArgument, "no usable feature column is left (" + why +
                                                 "); add feature columns or "
                                                 "exclude fewer");
  }
  Matrix out{n, width_, std::vector<float>(static_cast<size_t>(n * width_))};
  int64_t offset = 0;
  for (size_t p = 0; p < plans_.size(); ++p) {
    WritePlan(plans_[p], blocks[p], n, offset, out);
    offset += plans_[p].width();
  }
  return out;
}

Result<Matrix> Preprocessor::Transform(const Frame& frame) const {
  std::vector<int64_t> rows(static_cast<size_t>(frame.rows));
  for (int64_t i = 0; i < frame.rows; ++i) rows[i] = i;
  return Transform(frame, rows);
}

Result<Matrix> Preprocessor::Transform(const Frame& frame, std::span<const int64_t> rows) const {
  if (plans_.empty()) {
    return Fail(ErrorCode::kInternal, "the preprocessor was not fitted or loaded");
  }
  const auto n = static_cast<int64_t>(rows.size());
  for (int64_t row : rows) {
    if (row < 0 || row >= frame.rows) {
      return Fail(ErrorCode::kInvalidArgument, "row " + std::to_string(row) +
                                                   " is outside the frame's " +
                                                   std::to_string(frame.rows) + " rows");
    }
  }
  // A frame read against the model's schema has the columns in the plans' order: each is
  // looked for at the next position first. Otherwise they are indexed by name once, so that
  // a table of thousands of columns is not searched per column (a map per call would cost
  // a single-row prediction more than its trees).
  std::unordered_map<std::string_view, const FrameColumn*> by_name;
  size_t next = 0;
  const auto find = [&](const std::string& name) -> const FrameColumn* {
    if (next < frame.columns.size() && frame.columns[next].name == name) {
      return &frame.columns[next++];
    }
    if (by_name.empty()) {
      for (const FrameColumn& column : frame.columns) by_name.emplace(column.name, &column);
    }
    const auto found = by_name.find(name);
    if (found == by_name.end()) return nullptr;
    next = static_cast<size_t>(found->second - frame.columns.data()) + 1;
    return found->second;
  };
  Matrix out{n, width_, std::vector<float>(static_cast<size_t>(n * width_))};
  std::vector<float> block;
  int64_t offset = 0;
  for (const ColumnPlan& plan : plans_) {
    const FrameColumn* column = find(plan.column);
    if (column == nullptr) {
      return Fail(ErrorCode::kInvalidArgument, "column " + Quoted(plan.column) +
                                                   ", which the model was trained with, is not "
                                                   "in the input; its columns are: " +
                                                   frame.ColumnList());
    }
    if (column->kind != plan.kind) {
      return Fail(ErrorCode::kInvalidArgument,
                  "column " + Quoted(plan.column) + " is " +
                      std::string(ColumnKindName(column->kind)) + " here but was " +
                      std::string(ColumnKindName(plan.kind)) + " in training; cast it back");
    }
    const int width = plan.encoder->width();
    block.assign(static_cast<size_t>(n * width), 0.0f);
    plan.encoder->Encode(*column, rows, block.data(), width);
    WritePlan(plan, block, n, offset, out);
    offset += plan.width();
  }
  return out;
}

void Preprocessor::WritePlan(const ColumnPlan& plan, std::span<const float> block, int64_t rows,
                             int64_t offset, Matrix& out) const {
  const int64_t width = plan.encoder->width();
  for (int64_t i = 0; i < rows; ++i) {
    const float* source = block.data() + i * width;
    float* target = out.values.data() + i * out.cols + offset;
    for (int64_t j = 0; j < width; ++j) {
      double value = source[j];
      if (!plan.scalings.empty()) {
        const Scaling& s = plan.scalings[j];
        value = ((std::isnan(value) ? s.fill : value) - s.center) / s.scale;
      }
      target[j] = static_cast<float>(value);
    }
    // Numbers, booleans and datetimes are NaN in every output exactly when missing.
    if (plan.missing_indicator) target[width] = std::isnan(source[0]) ? 1.0f : 0.0f;
  }
}

std::vector<std::string> Preprocessor::FeatureNames() const {
  std::vector<std::string> names;
  for (const ColumnPlan& plan : plans_) {
    for (auto& name : plan.encoder->FeatureNames(plan.column)) names.push_back(std::move(name));
    if (plan.missing_indicator) names.push_back(plan.column + ".missing");
  }
  return names;
}

std::vector<std::string> Preprocessor::FeatureColumns() const {
  std::vector<std::string> columns;
  for (const ColumnPlan& plan : plans_) columns.insert(columns.end(), plan.width(), plan.column);
  return columns;
}

nlohmann::json Preprocessor::ToJson() const {
  nlohmann::json columns = nlohmann::json::array();
  for (const ColumnPlan& plan : plans_) {
    nlohmann::json scalings = nlohmann::json::array();
    for (const Scaling& s : plan.scalings) scalings.push_back({s.fill, s.center, s.scale});
    columns.push_back({{"column", plan.column},
                       {"kind", ColumnKindName(plan.kind)},
                       {"encoder", plan.encoder->ToJson()},
                       {"scalings", std::move(scalings)},
                       {"missing_indicator", plan.missing_indicator}});
  }
  return {{"format", kJsonFormat},
          {"for_linear", for_linear_},
          {"target", target_},
          {"input_schema", input_schema_.ToJson()},
          {"columns", std::move(columns)},
          {"notes", notes_}};
}

Result<Preprocessor> Preprocessor::FromJson(const nlohmann::json& json) {
  try {
    if (json.at("format").get<int>() != kJsonFormat) {
      return Fail(ErrorCode::kInvalidArgument,
                  "preprocessing format " + json.at("format").dump() +
                      " is not supported by "
                      "this version of aimass; retrain the model or upgrade aimass");
    }
    Preprocessor out;
    out.for_linear_ = json.at("for_linear").get<bool>();
    out.target_ = json.at("target").get<std::string>();
    AIMASS_ASSIGN_OR_RETURN(out.input_schema_, FrameSchema::FromJson(json.at("input_schema")));
    out.notes_ = json.at("notes").get<std::vector<std::string>>();
    for (const auto& each : json.at("columns")) {
      ColumnPlan plan;
      plan.column = each.at("column").get<std::string>();
      AIMASS_ASSIGN_OR_RETURN(plan.kind, ParseColumnKind(each.at("kind").get<std::string>()));
      AIMASS_ASSIGN_OR_RETURN(plan.encoder, EncoderFromJson(each.at("encoder")));
      for (const auto& s : each.at("scalings")) {
        plan.scalings.push_back(
            {s.at(0).get<double>(), s.at(1).get<double>(), s.at(2).get<double>()});
      }
      plan.missing_indicator = each.at("missing_indicator").get<bool>();
      if (plan.encoder->input_kind() != plan.kind ||
          (!plan.scalings.empty() &&
           plan.scalings.size() != static_cast<size_t>(plan.encoder->width()))) {
        return Fail(ErrorCode::kInvalidArgument, "preprocessing of column " + Quoted(plan.column) +
                                                     " is inconsistent; the model file is damaged");
      }
      out.width_ += plan.width();
      out.plans_.push_back(std::move(plan));
    }
    return out;
  } catch (const nlohmann::json::exception& e) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string("preprocessing JSON is damaged (") + e.what() + "); retrain the model");
  }
}

Result<Preprocessor> Preprocessor::Numbers(const std::vector<std::string>& columns) {
  if (columns.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "no feature columns; name the model's features");
  }
  std::set<std::string_view> seen;
  Preprocessor out;
  for (const std::string& name : columns) {
    if (name.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "a feature name is empty; name every feature");
    }
    if (!seen.insert(name).second) {
      return Fail(ErrorCode::kInvalidArgument,
                  "feature " + Quoted(name) + " is named twice; feature names must be unique");
    }
    FrameColumn column;
    column.name = name;
    column.type = "DOUBLE";
    out.plans_.push_back({name, column.kind, FitNumber(column).encoder, {}, false});
    out.input_schema_.columns.push_back({name, column.type, column.kind});
    out.notes_.push_back(name + ": number, as given");
    out.width_ += 1;
  }
  return out;
}

}  // namespace aimass::train
