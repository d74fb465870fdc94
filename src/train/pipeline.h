// A trained model as the registry keeps it and serving runs it: the input schema, the fitted
// preprocessors, the learners' models, and how their predictions combine (one model, a
// weighted vote, or a stacker over the members). Saved as the member "model.json" plus one
// file per learner model; Load reads them back. A loaded Pipeline is immutable: Predict may
// run concurrently.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "train/frame.h"
#include "train/learner.h"
#include "train/preprocessor.h"

namespace aimass::train {

inline constexpr const char* kPipelineManifest = "model.json";
inline constexpr int kPipelineFormatVersion = 1;

// Reads a member's bytes by name.
using MemberReader = std::function<Result<std::string>(const std::string& name)>;

// A pipeline as files: "model.json" and the members it names.
struct PipelineFiles {
  nlohmann::json manifest;
  std::map<std::string, std::string> files;  // member name -> bytes ("model.json" included)

  // Reads from `files` (kNotFound for a name not there); valid while this object lives.
  MemberReader Reader() const;
};

class Pipeline {
 public:
  struct Member {
    std::string learner;
    nlohmann::json params;
    std::string flavour;  // which preprocessor: "trees" or "linear"
    std::shared_ptr<const TrainedModel> model;
  };
  struct Parts {
    Task task = Task::kRegression;
    std::string target;
    std::vector<std::string> classes;
    std::map<std::string, std::shared_ptr<const Preprocessor>> preprocessors;  // by flavour
    std::vector<Member> members;
    std::string combination = "single";  // "single", "voting", "stacking"
    std::vector<double> weights;         // voting: one per member
    double temperature = 1;              // classification: calibration.h, applied last
    std::shared_ptr<const TrainedModel> stacker;
    nlohmann::json stacker_params;
    nlohmann::json extra = nlohmann::json::object();  // metric, score, importance, ...
  };

  explicit Pipeline(Parts parts);

  // Reads model.json and its members. Fails with a clear error on a manifest of another
  // format version or a learner this build does not know.
  static Result<std::shared_ptr<const Pipeline>> Load(const MemberReader& read,
                                                      const LearnerRegistry& learners);
  // The files to register.
  Result<PipelineFiles> Save() const;

  // rows x width: class probabilities (every class) or the predicted number.
  Result<std::vector<double>> Predict(const Frame& frame) const;
  // Prediction input as JSON records (see FrameFromRecords) to
  // [{"prediction":"good","probabilities":{"bad":0.1,"good":0.9}}, ...] (classification) or
  // [{"prediction":12.5}, ...] (regression).
  Result<nlohmann::json> PredictRecords(const nlohmann::json& records) const;

  // Per-prediction contributions (pipeline_explain.cc): how much each input column moved
  // each row's prediction away from the model's bias, in the model's margin space (log-odds
  // for binary; for multiclass, per-class scores whose softmax is the probabilities; the
  // number itself for regression; a calibrated model's margins divided by its temperature),
  // so that
  // bias + the contributions = the margin. A column's encoded parts (one-hot, datetime
  // parts, missing indicator) are summed into the column. XGBoost's exact SHAP values for
  // trees; weight x value for linear models. kInvalidArgument for an ensemble, whose
  // combined prediction is not additive in its members' margins.
  struct Explanation {
    std::vector<std::string> columns;  // the input columns, in schema order
    std::vector<std::string> groups;   // the classes of a multiclass model; else one ""
    std::vector<double> values;        // rows x groups x (columns + 1), bias last
  };
  Result<Explanation> Explain(const Frame& frame) const;
  // Records to [{"bias":-0.3,"contributions":{"age":0.8,...}}, ...]; for multiclass, "bias"
  // and "contributions" are objects by class.
  Result<nlohmann::json> ExplainRecords(const nlohmann::json& records) const;

  Task task() const { return parts_.task; }
  int width() const;
  const std::vector<std::string>& classes() const { return parts_.classes; }
  // The columns prediction input is read against (the union over the preprocessors).
  const FrameSchema& schema() const { return schema_; }
  const Parts& parts() const { return parts_; }

 private:
  Parts parts_;
  FrameSchema schema_;
};

}  // namespace aimass::train
