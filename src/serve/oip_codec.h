// The Open Inference Protocol v2 (KServe / Triton "predict protocol v2") as JSON, translated
// to and from what an aimass model takes and gives: an inference request's input tensors
// become records for train::FrameFromRecords, a model's predictions (Pipeline::PredictRecords)
// become output tensors, and a model's schema becomes its metadata. Pure functions of their
// arguments: thread-safe. The routes that use them are in endpoint*.{h,cc}.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "train/frame.h"
#include "train/task.h"

namespace aimass::serve {

inline constexpr int64_t kDefaultMaxInferRows = 100'000;
// The outputs a model answers with: every model has "predict" (the class name or the number);
// classifiers also have "probabilities" (rows x classes).
inline constexpr std::string_view kPredictOutput = "predict";
inline constexpr std::string_view kProbabilitiesOutput = "probabilities";

// The names of the outputs a model of `task` answers with, in the order they are answered.
std::vector<std::string> InferOutputNames(train::Task task);

// An inference request read against a model's schema.
struct InferInput {
  // [{"age": 31, "city": "lima"}, ...]: one object per row, for train::FrameFromRecords. A
  // column no input gave is left out of every record (a missing value).
  nlohmann::json records = nlohmann::json::array();
  std::string id;  // the request's "id", echoed in the response; empty when none was given
  int64_t rows = 0;
  // The outputs asked for by name, each once, in the order asked; empty: every output.
  std::vector<std::string> outputs;
};

// Reads an inference request body ({"id", "parameters", "inputs", "outputs"}) for a model
// with input columns `schema` and outputs InferOutputNames(task). The inputs are either one
// tensor per column (named after the column, shape [N] or [N, 1], all of the same N) or a
// single [N, C] tensor holding every column in schema order. Tensor data is row-major, flat
// or nested as the shape; null is a missing value. Anything the request gets wrong
// (structure, shape, datatype, a value that does not fit its datatype, more than `max_rows`
// rows, an unknown input column or output) is kInvalidArgument naming the input and the fix.
Result<InferInput> DecodeInferRequest(const nlohmann::json& request,
                                      const train::FrameSchema& schema, train::Task task,
                                      int64_t max_rows = kDefaultMaxInferRows);

// The inference response for `predictions`, the array Pipeline::PredictRecords answers
// ([{"prediction": "good", "probabilities": {"bad": 0.1, "good": 0.9}}, ...] or
// [{"prediction": 12.5}, ...]), from a model with `task` and `classes` (classifiers, in the
// model's order). "predict" is shape [N], BYTES (class names) or FP64 (regression);
// "probabilities" is shape [N, K], FP64, row-major, with the class names, in column order,
// in its "parameters": {"classes": [...]}. Only `outputs` are answered (every output when
// empty; names checked by DecodeInferRequest). `model_version` and `id` are left out when
// empty.
nlohmann::json EncodeInferResponse(const nlohmann::json& predictions, std::string_view model_name,
                                   std::string_view model_version, train::Task task,
                                   const std::vector<std::string>& classes, std::string_view id,
                                   const std::vector<std::string>& outputs = {});

// The model metadata response ({"name", "versions", "platform": "aimass", "inputs",
// "outputs"}): one input per schema column with shape [-1] and the datatype that column is
// best sent as (FP64 for numbers, BOOL for booleans, BYTES for text and datetimes), and the
// outputs EncodeInferResponse answers with (shape [-1] and [-1, K]; "probabilities" carries
// its classes in "parameters" as there).
nlohmann::json ModelMetadata(std::string_view name, const std::vector<std::string>& versions,
                             const train::FrameSchema& schema, train::Task task,
                             const std::vector<std::string>& classes);

}  // namespace aimass::serve
