#include "train/learners/xgboost/booster.h"

#include <cstdio>

#include "train/learners/xgboost/model_syntax.h"

namespace aimass::train::xgb {
namespace {

// XGBoost appends a stack trace to its message; the first line says what went wrong.
std::string LastError() {
  std::string text = XGBGetLastError();
  if (auto cut = text.find("\nStack trace"); cut != std::string::npos) text.resize(cut);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// The numpy-style __array_interface__ XGBoost reads a dense float32 matrix through (no copy
// until XGBoost builds its own structures).
std::string ArrayInterface(const Matrix& features) {
  char text[160];
  std::snprintf(
      text, sizeof text, R"({"data":[%llu,true],"shape":[%lld,%lld],"typestr":"<f4","version":3})",
      static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(features.values.data())),
      static_cast<long long>(features.rows), static_cast<long long>(features.cols));
  return text;
}

Prediction CopyPrediction(const bst_ulong* shape, bst_ulong dims, const float* values) {
  Prediction out;
  size_t count = 1;
  for (bst_ulong i = 0; i < dims; ++i) {
    out.shape.push_back(shape[i]);
    count *= shape[i];
  }
  out.values.assign(values, values + count);
  return out;
}

std::string PredictConfig(int type, bool in_place) {
  // nlohmann::json writes NaN as null, so the config is written by hand; XGBoost's reader
  // accepts NaN as Python's json.dumps writes it.
  return std::string(R"({"type":)") + std::to_string(type) +
         R"(,"training":false,"iteration_begin":0,"iteration_end":0,"strict_shape":false)" +
         (in_place ? R"(,"cache_id":0,"missing":NaN})" : "}");
}

}  // namespace

Status Check(int rc, std::string_view what) {
  if (rc == 0) return Ok();
  return Fail(ErrorCode::kInternal, "XGBoost " + std::string(what) + ": " + LastError());
}

void SilenceXgboost() {
  // XGBoost keeps its "global" configuration per thread (a dmlc::ThreadLocalStore), so
  // "once" is once per thread that calls XGBoost.
  thread_local const bool silenced = XGBSetGlobalConfig(R"({"verbosity":0})") == 0;
  (void)silenced;
}

Result<DMatrix> DMatrix::FromMatrix(const Matrix& features, int threads) {
  SilenceXgboost();
  const std::string config = R"({"missing":NaN,"nthread":)" + std::to_string(threads) + "}";
  DMatrixHandle handle = nullptr;
  AIMASS_RETURN_IF_ERROR(
      Check(XGDMatrixCreateFromDense(ArrayInterface(features).c_str(), config.c_str(), &handle),
            "could not build a DMatrix from the features"));
  DMatrix out;
  out.handle_.reset(handle);
  return out;
}

Status DMatrix::SetFloatInfo(const char* field, std::span<const float> values) {
  return Check(XGDMatrixSetFloatInfo(get(), field, values.data(), values.size()),
               std::string("could not set the ") + field + "s");
}

Result<Booster> Booster::Create(std::span<const DMatrixHandle> cache) {
  SilenceXgboost();
  BoosterHandle handle = nullptr;
  AIMASS_RETURN_IF_ERROR(
      Check(XGBoosterCreate(cache.data(), cache.size(), &handle), "could not create a booster"));
  Booster out;
  out.handle_.reset(handle);
  return out;
}

Result<Booster> Booster::Load(std::string_view bytes) {
  AIMASS_RETURN_IF_ERROR(CheckModelSyntax(bytes));
  AIMASS_ASSIGN_OR_RETURN(Booster out, Create({}));
  AIMASS_RETURN_IF_ERROR(Check(XGBoosterLoadModelFromBuffer(out.get(), bytes.data(), bytes.size()),
                               "could not read the model"));
  return out;
}

Status Booster::SetParam(const std::string& name, const std::string& value) {
  return Check(XGBoosterSetParam(get(), name.c_str(), value.c_str()),
               "rejected parameter " + name + "=" + value);
}

Status Booster::UpdateOneIter(int iteration, const DMatrix& train) {
  return Check(XGBoosterUpdateOneIter(get(), iteration, train.get()),
               "failed in boosting round " + std::to_string(iteration));
}

Result<std::string> Booster::EvalOneIter(int iteration, const DMatrix& data, const char* name) {
  DMatrixHandle sets[] = {data.get()};
  const char* names[] = {name};
  const char* text = nullptr;
  AIMASS_RETURN_IF_ERROR(Check(XGBoosterEvalOneIter(get(), iteration, sets, names, 1, &text),
                               "could not evaluate round " + std::to_string(iteration)));
  return std::string(text);
}

Result<Booster> Booster::Slice(int begin, int end) const {
  BoosterHandle handle = nullptr;
  AIMASS_RETURN_IF_ERROR(
      Check(XGBoosterSlice(get(), begin, end, 1, &handle),
            "could not keep rounds [" + std::to_string(begin) + ", " + std::to_string(end) + ")"));
  Booster out;
  out.handle_.reset(handle);
  return out;
}

Status Booster::SetAttr(const char* key, const std::string& value) {
  return Check(XGBoosterSetAttr(get(), key, value.c_str()),
               std::string("could not set attribute ") + key);
}

Result<std::optional<std::string>> Booster::GetAttr(const char* key) const {
  const char* value = nullptr;
  int found = 0;
  AIMASS_RETURN_IF_ERROR(Check(XGBoosterGetAttr(get(), key, &value, &found),
                               std::string("could not read attribute ") + key));
  if (!found) return std::optional<std::string>();
  return std::optional<std::string>(value);
}

Result<std::string> Booster::Save(std::string_view format) const {
  const std::string config = R"({"format":")" + std::string(format) + "\"}";
  bst_ulong length = 0;
  const char* bytes = nullptr;
  AIMASS_RETURN_IF_ERROR(Check(XGBoosterSaveModelToBuffer(get(), config.c_str(), &length, &bytes),
                               "could not save the model"));
  return std::string(bytes, length);
}

Result<nlohmann::json> Booster::Config() const {
  bst_ulong length = 0;
  const char* text = nullptr;
  AIMASS_RETURN_IF_ERROR(
      Check(XGBoosterSaveJsonConfig(get(), &length, &text), "could not read the configuration"));
  auto config = nlohmann::json::parse(text, text + length, nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded()) {
    return Fail(ErrorCode::kInternal, "XGBoost wrote a configuration that is not JSON");
  }
  return config;
}

Result<int64_t> Booster::NumFeatures() const {
  bst_ulong count = 0;
  AIMASS_RETURN_IF_ERROR(
      Check(XGBoosterGetNumFeature(get(), &count), "could not count the model's features"));
  return static_cast<int64_t>(count);
}

Result<int> Booster::BoostedRounds() const {
  int rounds = 0;
  AIMASS_RETURN_IF_ERROR(
      Check(XGBoosterBoostedRounds(get(), &rounds), "could not count the boosting rounds"));
  return rounds;
}

Result<std::vector<std::string>> Booster::FeatureNames() const {
  bst_ulong count = 0;
  const char** names = nullptr;
  AIMASS_RETURN_IF_ERROR(Check(XGBoosterGetStrFeatureInfo(get(), "feature_name", &count, &names),
                               "could not read the feature names"));
  return std::vector<std::string>(names, names + count);
}

Result<std::vector<std::pair<std::string, double>>> Booster::FeatureScore(
    std::string_view type) const {
  const std::string config = R"({"importance_type":")" + std::string(type) + "\"}";
  bst_ulong count = 0;
  const char** names = nullptr;
  bst_ulong dims = 0;
  const bst_ulong* shape = nullptr;
  const float* scores = nullptr;
  AIMASS_RETURN_IF_ERROR(
      Check(XGBoosterFeatureScore(get(), config.c_str(), &count, &names, &dims, &shape, &scores),
            "could not compute feature importance"));
  std::vector<std::pair<std::string, double>> out;
  // One score per feature for single-output models; multi-output gblinear would give more.
  for (bst_ulong i = 0; i < count; ++i) out.emplace_back(names[i], scores[i]);
  return out;
}

Result<Prediction> Booster::PredictDense(const Matrix& features, int type) const {
  SilenceXgboost();
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* values = nullptr;
  AIMASS_RETURN_IF_ERROR(Check(
      XGBoosterPredictFromDense(get(), ArrayInterface(features).c_str(),
                                PredictConfig(type, true).c_str(), nullptr, &shape, &dims, &values),
      "could not predict"));
  return CopyPrediction(shape, dims, values);
}

Result<Prediction> Booster::PredictDMatrix(const DMatrix& data, int type) const {
  SilenceXgboost();
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* values = nullptr;
  AIMASS_RETURN_IF_ERROR(
      Check(XGBoosterPredictFromDMatrix(get(), data.get(), PredictConfig(type, false).c_str(),
                                        &shape, &dims, &values),
            "could not predict"));
  return CopyPrediction(shape, dims, values);
}

}  // namespace aimass::train::xgb
