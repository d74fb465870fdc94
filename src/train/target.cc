#include "train/target.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

namespace aimass::train {
namespace {

std::string Quoted(std::string_view name) { return "'" + std::string(name) + "'"; }

// "a, b, c" — at most `max` names, then "...".
std::string NameList(const std::vector<std::string>& names, size_t max = 10) {
  std::string list;
  for (size_t i = 0; i < names.size() && i < max; ++i) list += (i ? ", " : "") + names[i];
  if (names.size() > max) list += ", ...";
  return list;
}

Error AllMissing(const FrameColumn& column) {
  return Error{ErrorCode::kInvalidArgument,
               "target column " + Quoted(column.name) + " is missing in all " +
                   std::to_string(column.size()) + " rows; choose a column that has values"};
}

Error OneValue(const FrameColumn& column, const std::string& value) {
  return Error{ErrorCode::kInvalidArgument,
               "target column " + Quoted(column.name) + " has one value only (" + value +
                   "): nothing to learn; choose another target column"};
}

Error DatetimeTarget(const FrameColumn& column) {
  return Error{ErrorCode::kInvalidArgument,
               "target column " + Quoted(column.name) +
                   " holds dates or times; predict a number or a category (e.g. derive one "
                   "with a SQL transform)"};
}

// The distinct present values of a non-text column, sorted.
std::vector<double> DistinctNumbers(const FrameColumn& column) {
  std::vector<double> values;
  values.reserve(column.numbers.size());
  for (double value : column.numbers) {
    if (!std::isnan(value)) values.push_back(value);
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

std::vector<std::string> DistinctTexts(const FrameColumn& column) {
  std::unordered_set<std::string_view> seen;
  for (size_t i = 0; i < column.texts.size(); ++i) {
    if (column.present[i]) seen.insert(column.texts[i]);
  }
  std::vector<std::string> values(seen.begin(), seen.end());
  std::sort(values.begin(), values.end());
  return values;
}

std::string ClassName(const FrameColumn& column, double value) {
  if (column.kind == ColumnKind::kBoolean) return value != 0 ? "true" : "false";
  return CanonicalNumber(value);
}

}  // namespace

Result<TaskGuess> DetectTask(const FrameColumn& column) {
  const std::string name = Quoted(column.name);
  if (column.kind == ColumnKind::kDatetime) return Fail(DatetimeTarget(column));
  size_t distinct = 0;
  bool whole = true;
  std::string only;
  if (column.kind == ColumnKind::kText) {
    const auto values = DistinctTexts(column);
    distinct = values.size();
    if (distinct == 1) only = "'" + values[0] + "'";
  } else {
    const auto values = DistinctNumbers(column);
    distinct = values.size();
    if (distinct == 1) only = ClassName(column, values[0]);
    whole = std::all_of(values.begin(), values.end(), [](double v) { return v == std::trunc(v); });
  }
  if (distinct == 0) return Fail(AllMissing(column));
  if (distinct == 1) return Fail(OneValue(column, only));
  const std::string count = std::to_string(distinct) + " distinct values";
  if (column.kind == ColumnKind::kText || column.kind == ColumnKind::kBoolean) {
    const Task task = distinct == 2 ? Task::kBinary : Task::kMulticlass;
    return TaskGuess{task, name + " is " + std::string(ColumnKindName(column.kind)) + " with " +
                               count + ": " + std::string(TaskName(task))};
  }
  if (distinct == 2) return TaskGuess{Task::kBinary, name + " is numeric with 2 values: binary"};
  if (whole && distinct <= static_cast<size_t>(kMaxIntegerClasses)) {
    return TaskGuess{Task::kMulticlass, name + " holds whole numbers with " + count + " (at most " +
                                            std::to_string(kMaxIntegerClasses) + "): multiclass"};
  }
  return TaskGuess{Task::kRegression, name + " is numeric with " + count +
                                          (whole ? "" : ", not all whole numbers") +
                                          ": regression"};
}

Result<Target> ExtractTarget(const Frame& frame, std::string_view name, Task task) {
  const FrameColumn* column = frame.Find(name);
  if (column == nullptr) {
    return Fail(ErrorCode::kInvalidArgument,
                "target column " + Quoted(name) +
                    " is not in the data; its columns are: " + frame.ColumnList());
  }
  if (column->kind == ColumnKind::kDatetime) return Fail(DatetimeTarget(*column));
  Target target;
  target.column = column->name;
  target.task = task;
  for (int64_t row = 0; row < frame.rows; ++row) {
    if (!column->IsMissing(row)) target.rows.push_back(row);
  }
  target.missing = frame.rows - static_cast<int64_t>(target.rows.size());
  if (target.rows.empty()) return Fail(AllMissing(*column));
  target.labels.reserve(target.rows.size());

  if (task == Task::kRegression) {
    if (column->kind != ColumnKind::kNumber) {
      return Fail(ErrorCode::kInvalidArgument,
                  "target column " + Quoted(name) + " is " +
                      std::string(ColumnKindName(column->kind)) +
                      ", not numeric; a regression target must be a number (use binary or "
                      "multiclass to predict its categories)");
    }
    const double first = column->numbers[target.rows[0]];
    bool constant = true;
    for (int64_t row : target.rows) {
      const double value = column->numbers[row];
      constant = constant && value == first;
      target.labels.push_back(static_cast<float>(value));
    }
    if (constant) return Fail(OneValue(*column, CanonicalNumber(first)));
    return target;
  }

  if (column->kind == ColumnKind::kText) {
    target.classes = DistinctTexts(*column);
  } else {
    for (double value : DistinctNumbers(*column)) {
      target.classes.push_back(ClassName(*column, value));
    }
  }
  const size_t classes = target.classes.size();
  if (classes == 1) {
    return Fail(ErrorCode::kInvalidArgument,
                "target column " + Quoted(name) + " has one class only ('" + target.classes[0] +
                    "'): a classifier needs at least 2; choose another target column or add "
                    "rows of other classes");
  }
  if (classes > static_cast<size_t>(kMaxClasses)) {
    return Fail(ErrorCode::kInvalidArgument,
                "target column " + Quoted(name) + " has " + std::to_string(classes) +
                    " distinct values, more than the " + std::to_string(kMaxClasses) +
                    " classes a classifier may have; use regression if it is a number, or "
                    "group its values into fewer classes");
  }
  if (task == Task::kBinary && classes != 2) {
    return Fail(ErrorCode::kInvalidArgument,
                "target column " + Quoted(name) + " has " + std::to_string(classes) + " classes (" +
                    NameList(target.classes) + "); binary needs exactly 2: use multiclass");
  }
  if (column->kind == ColumnKind::kText) {
    std::unordered_map<std::string_view, int> index;
    for (size_t i = 0; i < classes; ++i) index.emplace(target.classes[i], static_cast<int>(i));
    for (int64_t row : target.rows) {
      target.labels.push_back(static_cast<float>(index.at(column->texts[row])));
    }
  } else {
    const auto values = DistinctNumbers(*column);
    for (int64_t row : target.rows) {
      const auto it = std::lower_bound(values.begin(), values.end(), column->numbers[row]);
      target.labels.push_back(static_cast<float>(it - values.begin()));
    }
  }
  return target;
}

}  // namespace aimass::train
