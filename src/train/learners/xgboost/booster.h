// RAII over XGBoost 1.7's C API (DMatrixHandle, BoosterHandle). Every call is checked: a
// non-zero return becomes an Error carrying XGBGetLastError()'s text, so nothing from
// XGBoost escapes as an exception or an abort. Used by the xgboost and rf learners.
#pragma once

#include <xgboost/c_api.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "train/matrix.h"

namespace aimass::train::xgb {

// A non-zero XGBoost return code as kInternal "<what>: <XGBoost's message>".
Status Check(int rc, std::string_view what);

// Sets XGBoost's global verbosity to 0 for the calling thread (XGBoost's global settings are
// thread-local); the first call on a thread does it, later ones cost a flag check. Every
// wrapper below that can log calls it.
void SilenceXgboost();

// An XGBoost DMatrix built from a dense Matrix (NaN = missing). Move-only; one thread at a
// time.
class DMatrix {
 public:
  static Result<DMatrix> FromMatrix(const Matrix& features, int threads);
  // "label" or "weight": one value per row.
  Status SetFloatInfo(const char* field, std::span<const float> values);
  DMatrixHandle get() const { return handle_.get(); }

 private:
  struct Free {
    void operator()(void* handle) const { XGDMatrixFree(handle); }
  };
  std::unique_ptr<void, Free> handle_;
};

// XGBoost's prediction output: values row-major with their shape.
struct Prediction {
  std::vector<float> values;
  std::vector<uint64_t> shape;
};

// An XGBoost booster. Move-only. Training calls (SetParam, UpdateOneIter, EvalOneIter) need
// one thread at a time; the const calls may run concurrently once the booster is configured
// (XGBoost keeps prediction output per thread and locks its lazy configuration).
class Booster {
 public:
  // A new booster whose prediction cache holds `cache` (the training and validation sets).
  static Result<Booster> Create(std::span<const DMatrixHandle> cache);
  // A booster read from a model file's bytes, UBJSON or JSON, after CheckModelSyntax.
  static Result<Booster> Load(std::string_view bytes);

  Status SetParam(const std::string& name, const std::string& value);
  Status UpdateOneIter(int iteration, const DMatrix& train);
  // The text XGBoost prints for one evaluation, e.g. "[3]\tvalidation-logloss:0.25".
  Result<std::string> EvalOneIter(int iteration, const DMatrix& data, const char* name);
  // The trees of boosting rounds [begin, end) as a new booster.
  Result<Booster> Slice(int begin, int end) const;
  Status SetAttr(const char* key, const std::string& value);
  // Null when the model has no such attribute.
  Result<std::optional<std::string>> GetAttr(const char* key) const;

  // The model file: format "ubj" or "json".
  Result<std::string> Save(std::string_view format) const;
  // The learner's configuration (XGBoosterSaveJsonConfig) as JSON.
  Result<nlohmann::json> Config() const;
  Result<int64_t> NumFeatures() const;
  Result<int> BoostedRounds() const;
  // Names the model's features carry (empty when none were set).
  Result<std::vector<std::string>> FeatureNames() const;
  // {feature name, score} for each feature used by a split; `type` e.g. "total_gain".
  Result<std::vector<std::pair<std::string, double>>> FeatureScore(std::string_view type) const;

  // In-place prediction on a dense matrix: type 0 = transformed values, 1 = margins.
  Result<Prediction> PredictDense(const Matrix& features, int type) const;
  // Prediction through a DMatrix; type 2 = SHAP contributions (in-place prediction in
  // XGBoost 1.7 supports only types 0 and 1).
  Result<Prediction> PredictDMatrix(const DMatrix& data, int type) const;

  BoosterHandle get() const { return handle_.get(); }

 private:
  struct Free {
    void operator()(void* handle) const { XGBoosterFree(handle); }
  };
  std::unique_ptr<void, Free> handle_;
};

}  // namespace aimass::train::xgb
