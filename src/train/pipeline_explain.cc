// Pipeline::Explain: per-prediction contributions of a single-model pipeline, summed from the
// model's feature columns into the input columns they were encoded from.
#include <unordered_map>

#include "train/pipeline.h"

namespace aimass::train {

Result<Pipeline::Explanation> Pipeline::Explain(const Frame& frame) const {
  if (parts_.combination != "single" || parts_.members.size() != 1) {
    return Fail(ErrorCode::kInvalidArgument,
                "contributions are computed for single models; this version is a " +
                    parts_.combination + " ensemble of " + std::to_string(parts_.members.size()) +
                    " models, whose prediction is not a sum of contributions (train with "
                    "--ensemble none for a model that can explain its predictions)");
  }
  const Member& member = parts_.members.front();
  const Preprocessor& preprocessor = *parts_.preprocessors.at(member.flavour);
  AIMASS_ASSIGN_OR_RETURN(const Matrix features, preprocessor.Transform(frame));
  AIMASS_ASSIGN_OR_RETURN(const std::vector<double> raw, member.model->Contributions(features));
  if (raw.empty() && features.rows > 0) {
    return Fail(ErrorCode::kInvalidArgument,
                "the " + member.learner + " learner does not compute contributions");
  }

  Explanation out;
  std::unordered_map<std::string, size_t> position;
  for (const auto& column : preprocessor.InputSchema().columns) {
    position.emplace(column.name, out.columns.size());
    out.columns.push_back(column.name);
  }
  if (parts_.task == Task::kMulticlass) {
    out.groups = parts_.classes;
  } else {
    out.groups = {""};
  }
  // Where each feature column's contribution goes.
  std::vector<size_t> target;
  for (const auto& column : preprocessor.FeatureColumns()) target.push_back(position.at(column));
  const size_t cols = static_cast<size_t>(features.cols) + 1;
  const size_t width = out.columns.size() + 1;
  const size_t groups = out.groups.size();
  const size_t rows = static_cast<size_t>(features.rows);
  if (raw.size() != rows * groups * cols || target.size() + 1 != cols) {
    return Fail(ErrorCode::kInternal, "the model's contributions do not match its features");
  }
  out.values.assign(rows * groups * width, 0.0);
  for (size_t block = 0; block < rows * groups; ++block) {
    const double* in = raw.data() + block * cols;
    double* sums = out.values.data() + block * width;
    for (size_t j = 0; j + 1 < cols; ++j) sums[target[j]] += in[j];
    sums[width - 1] = in[cols - 1];
    if (parts_.temperature != 1 && parts_.task != Task::kRegression) {
      for (size_t j = 0; j < width; ++j) sums[j] /= parts_.temperature;
    }
  }
  return out;
}

Result<nlohmann::json> Pipeline::ExplainRecords(const nlohmann::json& records) const {
  AIMASS_ASSIGN_OR_RETURN(Frame frame, FrameFromRecords(records, schema_));
  AIMASS_ASSIGN_OR_RETURN(const Explanation explained, Explain(frame));
  const size_t width = explained.columns.size() + 1;
  const auto group = [&](size_t row, size_t g, nlohmann::json& bias) {
    const double* values = explained.values.data() + (row * explained.groups.size() + g) * width;
    nlohmann::json contributions = nlohmann::json::object();
    for (size_t j = 0; j + 1 < width; ++j) contributions[explained.columns[j]] = values[j];
    bias = values[width - 1];
    return contributions;
  };
  nlohmann::json out = nlohmann::json::array();
  for (size_t row = 0; row < static_cast<size_t>(frame.rows); ++row) {
    nlohmann::json entry;
    if (parts_.task != Task::kMulticlass) {
      entry["contributions"] = group(row, 0, entry["bias"]);
    } else {
      for (size_t g = 0; g < explained.groups.size(); ++g) {
        const std::string& name = explained.groups[g];
        entry["contributions"][name] = group(row, g, entry["bias"][name]);
      }
    }
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace aimass::train
