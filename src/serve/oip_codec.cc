// Open Inference Protocol v2 JSON: request tensors to records, predictions to output tensors.
#include "serve/oip_codec.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <expected>
#include <limits>
#include <optional>
#include <span>

namespace aimass::serve {
namespace {

using nlohmann::json;

constexpr size_t kMaxQuotedChars = 60;
constexpr std::string_view kPlatform = "aimass";

enum class Datatype {
  kBool,
  kUint8,
  kUint16,
  kUint32,
  kUint64,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kFp16,
  kFp32,
  kFp64,
  kBytes,
};

// A datatype's name and, for integers, the values it holds.
struct DatatypeInfo {
  std::string_view name;
  Datatype type;
  int64_t min = 0;
  uint64_t max = 0;
};

constexpr DatatypeInfo kDatatypes[] = {
    {"BOOL", Datatype::kBool},
    {"UINT8", Datatype::kUint8, 0, UINT8_MAX},
    {"UINT16", Datatype::kUint16, 0, UINT16_MAX},
    {"UINT32", Datatype::kUint32, 0, UINT32_MAX},
    {"UINT64", Datatype::kUint64, 0, UINT64_MAX},
    {"INT8", Datatype::kInt8, INT8_MIN, INT8_MAX},
    {"INT16", Datatype::kInt16, INT16_MIN, INT16_MAX},
    {"INT32", Datatype::kInt32, INT32_MIN, INT32_MAX},
    {"INT64", Datatype::kInt64, INT64_MIN, INT64_MAX},
    {"FP16", Datatype::kFp16},
    {"FP32", Datatype::kFp32},
    {"FP64", Datatype::kFp64},
    {"BYTES", Datatype::kBytes},
};

const DatatypeInfo* FindDatatype(std::string_view name) {
  for (const auto& info : kDatatypes) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

bool IsInteger(Datatype type) { return type >= Datatype::kUint8 && type <= Datatype::kInt64; }

std::string Join(std::span<const std::string> names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

std::string DatatypeList() {
  std::string out;
  for (const auto& info : kDatatypes) out += (out.empty() ? "" : ", ") + std::string(info.name);
  return out;
}

std::vector<std::string> ColumnNames(const train::FrameSchema& schema) {
  std::vector<std::string> names;
  for (const auto& column : schema.columns) names.push_back(column.name);
  return names;
}

// The value as an error message shows it: 'abc' for text, the JSON otherwise.
std::string Shown(const json& value) {
  std::string text = value.is_string() ? "'" + value.get<std::string>() + "'" : value.dump();
  if (text.size() > kMaxQuotedChars) text = text.substr(0, kMaxQuotedChars) + "...";
  return text;
}

std::string ShapeText(std::span<const uint64_t> shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

// How many values a shape holds; UINT64_MAX when that overflows (no data can match it).
uint64_t ElementCount(std::span<const uint64_t> shape) {
  uint64_t count = 1;
  for (uint64_t dim : shape) {
    if (dim != 0 && count > UINT64_MAX / dim) return UINT64_MAX;
    count *= dim;
  }
  return count;
}

// An input tensor before its data is read.
struct TensorHeader {
  std::string name;
  std::vector<uint64_t> shape;
  const DatatypeInfo* datatype = nullptr;
  const json* data = nullptr;
};

Error InputError(const std::string& name, const std::string& why) {
  return Error{ErrorCode::kInvalidArgument, "input '" + name + "': " + why};
}

Result<TensorHeader> ReadHeader(const json& input, size_t index, int64_t max_rows) {
  const std::string where = "inputs[" + std::to_string(index) + "]";
  constexpr std::string_view kForm =
      "; every input is {\"name\": ..., \"shape\": [...], \"datatype\": ..., \"data\": [...]}";
  if (!input.is_object()) {
    return Fail(ErrorCode::kInvalidArgument,
                where + " is " + Shown(input) + ", not an object" + std::string(kForm));
  }
  TensorHeader header;
  const auto name = input.find("name");
  if (name == input.end() || !name->is_string() || name->get_ref<const std::string&>().empty()) {
    return Fail(ErrorCode::kInvalidArgument, where + " has no 'name'" + std::string(kForm));
  }
  header.name = name->get<std::string>();

  const auto shape = input.find("shape");
  if (shape == input.end() || !shape->is_array()) {
    return Fail(InputError(header.name, "'shape' must be a list of sizes, e.g. [3] or [3, 4]"));
  }
  for (const auto& dim : *shape) {
    if (!dim.is_number_unsigned() && !(dim.is_number_integer() && dim.get<int64_t>() >= 0)) {
      return Fail(InputError(header.name, "shape " + shape->dump() + " holds " + Shown(dim) +
                                              "; every size is a whole number >= 0"));
    }
    header.shape.push_back(dim.get<uint64_t>());
  }
  if (header.shape.empty() || header.shape.size() > 2) {
    return Fail(
        InputError(header.name, "shape " + ShapeText(header.shape) + " has " +
                                    std::to_string(header.shape.size()) +
                                    " dimensions; send [N] or [N, 1] for one column (N rows), or "
                                    "[N, C] for all C columns"));
  }
  if (header.shape[0] > static_cast<uint64_t>(max_rows)) {
    return Fail(InputError(header.name, "shape " + ShapeText(header.shape) + " has " +
                                            std::to_string(header.shape[0]) + " rows; at most " +
                                            std::to_string(max_rows) +
                                            " are taken per request: split the batch"));
  }

  const auto datatype = input.find("datatype");
  if (datatype == input.end() || !datatype->is_string()) {
    return Fail(InputError(header.name, "'datatype' is missing; use one of " + DatatypeList()));
  }
  header.datatype = FindDatatype(datatype->get_ref<const std::string&>());
  if (header.datatype == nullptr) {
    return Fail(InputError(header.name, "datatype " + Shown(*datatype) +
                                            " is not an Open Inference Protocol datatype; use "
                                            "one of " +
                                            DatatypeList()));
  }

  const auto parameters = input.find("parameters");
  if (parameters != input.end() && !parameters->is_null() && !parameters->is_object()) {
    return Fail(InputError(header.name, "'parameters' must be an object"));
  }
  const auto data = input.find("data");
  if (data == input.end()) {
    if (parameters != input.end() && parameters->is_object() &&
        parameters->contains("binary_data_size")) {
      return Fail(InputError(header.name,
                             "binary tensor data is not supported; send the values in 'data' as "
                             "JSON (tritonclient: set_data_from_numpy(..., binary_data=False))"));
    }
    return Fail(InputError(header.name, "'data' is missing; send the values as a JSON array"));
  }
  if (!data->is_array()) {
    return Fail(InputError(header.name, "'data' is " + Shown(*data) +
                                            ", not an array; send the values as a JSON array, "
                                            "row-major, flat or nested as the shape"));
  }
  header.data = &*data;
  return header;
}

// Where nested data stands: "data[1][0]".
std::string DataPath(std::span<const size_t> indexes) {
  std::string out = "data";
  for (size_t i : indexes) out += "[" + std::to_string(i) + "]";
  return out;
}

// Appends the values of `node`, nested as shape[indexes.size()...], or says where it differs.
std::optional<std::string> FlattenNested(const json& node, std::span<const uint64_t> shape,
                                         std::vector<size_t>& indexes,
                                         std::vector<const json*>& values) {
  const size_t dim = indexes.size();
  const std::string expected = "an array of " + std::to_string(shape[dim]) + " values";
  if (!node.is_array()) return DataPath(indexes) + " is " + Shown(node) + ", not " + expected;
  if (node.size() != shape[dim]) {
    return DataPath(indexes) + " has " + std::to_string(node.size()) + " values, not " +
           std::to_string(shape[dim]);
  }
  for (size_t i = 0; i < node.size(); ++i) {
    indexes.push_back(i);
    if (dim + 1 < shape.size()) {
      if (auto problem = FlattenNested(node[i], shape, indexes, values)) return problem;
    } else if (node[i].is_array()) {
      return DataPath(indexes) + " is an array, but the shape has only " +
             std::to_string(shape.size()) + " dimensions";
    } else {
      values.push_back(&node[i]);
    }
    indexes.pop_back();
  }
  return std::nullopt;
}

// The tensor's values in row-major order, from flat or nested data.
Result<std::vector<const json*>> FlattenData(const TensorHeader& header) {
  const json& data = *header.data;
  std::vector<const json*> values;
  const bool nested =
      std::any_of(data.begin(), data.end(), [](const json& v) { return v.is_array(); });
  if (!nested) {
    const uint64_t count = ElementCount(header.shape);
    if (data.size() != count) {
      return Fail(InputError(header.name, "shape " + ShapeText(header.shape) + " holds " +
                                              std::to_string(count) + " values but 'data' has " +
                                              std::to_string(data.size())));
    }
    values.reserve(data.size());
    for (const auto& value : data) values.push_back(&value);
    return values;
  }
  std::vector<size_t> indexes;
  if (auto problem = FlattenNested(data, header.shape, indexes, values)) {
    return Fail(InputError(header.name, "nested 'data' does not match shape " +
                                            ShapeText(header.shape) + ": " + *problem +
                                            " (or send the values flat, row-major)"));
  }
  return values;
}

std::string IntegerRange(const DatatypeInfo& info) {
  return std::to_string(info.min) + " to " + std::to_string(info.max);
}

// The value as a record holds it, or why it does not fit the datatype (the end of a sentence).
std::expected<json, std::string> ConvertValue(const json& value, const DatatypeInfo& info) {
  if (value.is_null()) return json(nullptr);  // JSON has no NaN: null is a missing value
  const std::string type(info.name);
  if (info.type == Datatype::kBool) {
    if (value.is_boolean()) return value;
    if (value.is_number_integer() && (value.get<int64_t>() == 0 || value.get<int64_t>() == 1)) {
      return json(value.get<int64_t>() == 1);
    }
    return std::unexpected(Shown(value) + " is not a boolean; BOOL tensors hold true/false");
  }
  if (info.type == Datatype::kBytes) {
    if (value.is_string()) return value;
    return std::unexpected(Shown(value) + " is not a string; BYTES tensors hold JSON strings");
  }
  if (!value.is_number()) {
    return std::unexpected(Shown(value) + " is not a number; " + type +
                           " tensors hold JSON numbers (send text as BYTES)");
  }
  if (!IsInteger(info.type)) {
    const double limit = info.type == Datatype::kFp16   ? 65504.0
                         : info.type == Datatype::kFp32 ? static_cast<double>(FLT_MAX)
                                                        : DBL_MAX;
    if (std::fabs(value.get<double>()) > limit) {
      return std::unexpected(Shown(value) + " is out of range for " + type + " (at most ±" +
                             train::CanonicalNumber(limit) +
                             "); send a wider datatype such as FP64");
    }
    return value;
  }
  const std::string out_of_range =
      Shown(value) + " is out of range for " + type + " (" + IntegerRange(info) + ")";
  if (value.is_number_unsigned()) {
    const uint64_t number = value.get<uint64_t>();
    if (number > info.max) return std::unexpected(out_of_range);
    return number <= INT64_MAX ? json(static_cast<int64_t>(number)) : json(number);
  }
  if (value.is_number_integer()) {
    const int64_t number = value.get<int64_t>();
    if (number < info.min || (number > 0 && static_cast<uint64_t>(number) > info.max)) {
      return std::unexpected(out_of_range);
    }
    return value;
  }
  const double number = value.get<double>();
  if (number != std::floor(number)) {
    return std::unexpected(Shown(value) + " is not a whole number; " + type +
                           " tensors hold integers (send fractions as FP64)");
  }
  // 2^63 and 2^64 are exact doubles; every smaller limit is too.
  const bool too_big = info.max == UINT64_MAX  ? number >= 18446744073709551616.0
                       : info.max == INT64_MAX ? number >= 9223372036854775808.0
                                               : number > static_cast<double>(info.max);
  if (number < static_cast<double>(info.min) || too_big) return std::unexpected(out_of_range);
  if (number >= 9223372036854775808.0) return json(static_cast<uint64_t>(number));
  return json(static_cast<int64_t>(number));
}

// Moves the values of one tensor into the records: values[i] is row i / width, column
// columns[i % width].
Status PlaceValues(const TensorHeader& header, std::span<const std::string> columns,
                   bool name_columns, json& records) {
  AIMASS_ASSIGN_OR_RETURN(const auto values, FlattenData(header));
  const size_t width = columns.size();
  for (size_t i = 0; i < values.size(); ++i) {
    const size_t row = i / width;
    const std::string& column = columns[i % width];
    auto converted = ConvertValue(*values[i], *header.datatype);
    if (!converted) {
      return Fail(InputError(header.name, "row " + std::to_string(row) +
                                              (name_columns ? ", column '" + column + "'" : "") +
                                              ": " + converted.error()));
    }
    records[row][column] = std::move(*converted);
  }
  return Ok();
}

// Which layout the inputs use (true: one [N, C] tensor of every column; false: one tensor
// per column), once they are checked to fit it.
Result<bool> ReadLayout(std::span<const TensorHeader> headers,
                        std::span<const std::string> columns) {
  const auto is_column = [&](const std::string& name) {
    return std::find(columns.begin(), columns.end(), name) != columns.end();
  };
  const TensorHeader& first = headers[0];
  const bool matrix = headers.size() == 1 && first.shape.size() == 2 &&
                      (first.shape[1] != 1 || !is_column(first.name));
  if (matrix) {
    if (first.shape[1] != columns.size()) {
      return Fail(InputError(
          first.name, "shape " + ShapeText(first.shape) + " has " + std::to_string(first.shape[1]) +
                          " columns, but the model takes " + std::to_string(columns.size()) +
                          " in this order: " + Join(columns) + "; send shape [N, " +
                          std::to_string(columns.size()) +
                          "], or one [N] tensor per column named after it"));
    }
    return true;
  }
  for (size_t i = 0; i < headers.size(); ++i) {
    const TensorHeader& header = headers[i];
    if (!is_column(header.name)) {
      return Fail(InputError(header.name, "not a column of this model; its columns are " +
                                              Join(columns) + " (or send a single [N, " +
                                              std::to_string(columns.size()) +
                                              "] tensor with every column in that order)"));
    }
    if (header.shape.size() == 2 && header.shape[1] != 1) {
      return Fail(
          InputError(header.name, "shape " + ShapeText(header.shape) +
                                      " holds several values per row; a tensor per column has "
                                      "shape [N] or [N, 1]"));
    }
    for (size_t j = 0; j < i; ++j) {
      if (headers[j].name == header.name) {
        return Fail(InputError(header.name, "given twice; send each column once"));
      }
    }
    if (header.shape[0] != first.shape[0]) {
      return Fail(InputError(header.name, "shape " + ShapeText(header.shape) + " has " +
                                              std::to_string(header.shape[0]) +
                                              " rows but input '" + first.name + "' has " +
                                              std::to_string(first.shape[0]) +
                                              "; every input needs one value per row"));
    }
  }
  return false;
}

Result<std::vector<std::string>> ReadOutputs(const json& request, train::Task task) {
  std::vector<std::string> asked;
  const auto outputs = request.find("outputs");
  if (outputs == request.end() || outputs->is_null()) return asked;
  const std::vector<std::string> known = InferOutputNames(task);
  constexpr std::string_view kForm = "; ask for outputs as [{\"name\": \"predict\"}, ...]";
  if (!outputs->is_array()) {
    return Fail(ErrorCode::kInvalidArgument,
                "'outputs' is " + Shown(*outputs) + ", not an array" + std::string(kForm));
  }
  for (size_t i = 0; i < outputs->size(); ++i) {
    const json& output = (*outputs)[i];
    const auto name = output.is_object() ? output.find("name") : output.end();
    if (!output.is_object() || name == output.end() || !name->is_string()) {
      return Fail(ErrorCode::kInvalidArgument, "outputs[" + std::to_string(i) + "] is " +
                                                   Shown(output) + ", which names no output" +
                                                   std::string(kForm));
    }
    const std::string& text = name->get_ref<const std::string&>();
    if (std::find(known.begin(), known.end(), text) == known.end()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "output '" + text + "' does not exist; this model's outputs are " + Join(known));
    }
    if (std::find(asked.begin(), asked.end(), text) == asked.end()) asked.push_back(text);
  }
  return asked;
}

json TensorMetadata(std::string_view name, std::string_view datatype, json shape) {
  return {{"name", name}, {"datatype", datatype}, {"shape", std::move(shape)}};
}

}  // namespace

std::vector<std::string> InferOutputNames(train::Task task) {
  if (!train::IsClassification(task)) return {std::string(kPredictOutput)};
  return {std::string(kPredictOutput), std::string(kProbabilitiesOutput)};
}

Result<InferInput> DecodeInferRequest(const json& request, const train::FrameSchema& schema,
                                      train::Task task, int64_t max_rows) {
  constexpr std::string_view kExample =
      "{\"inputs\": [{\"name\": \"age\", \"shape\": [2], \"datatype\": \"FP64\", \"data\": [31, "
      "40]}]}";
  if (!request.is_object()) {
    return Fail(ErrorCode::kInvalidArgument, "the request is " + Shown(request) +
                                                 ", not an object; send " + std::string(kExample));
  }
  InferInput decoded;
  if (const auto id = request.find("id"); id != request.end() && !id->is_null()) {
    if (!id->is_string()) {
      return Fail(ErrorCode::kInvalidArgument, "'id' is " + Shown(*id) + "; it must be a string");
    }
    decoded.id = id->get<std::string>();
  }
  if (const auto parameters = request.find("parameters");
      parameters != request.end() && !parameters->is_null() && !parameters->is_object()) {
    return Fail(ErrorCode::kInvalidArgument, "'parameters' must be an object");
  }
  const auto inputs = request.find("inputs");
  if (inputs == request.end() || !inputs->is_array() || inputs->empty()) {
    return Fail(
        ErrorCode::kInvalidArgument,
        "the request has no 'inputs'; send one tensor per column, e.g. " + std::string(kExample));
  }
  std::vector<TensorHeader> headers;
  for (size_t i = 0; i < inputs->size(); ++i) {
    AIMASS_ASSIGN_OR_RETURN(auto header, ReadHeader((*inputs)[i], i, max_rows));
    headers.push_back(std::move(header));
  }
  AIMASS_ASSIGN_OR_RETURN(decoded.outputs, ReadOutputs(request, task));

  const std::vector<std::string> columns = ColumnNames(schema);
  AIMASS_ASSIGN_OR_RETURN(const bool matrix, ReadLayout(headers, columns));
  const TensorHeader& first = headers[0];

  decoded.rows = static_cast<int64_t>(first.shape[0]);
  decoded.records = json::array();
  for (int64_t r = 0; r < decoded.rows; ++r) decoded.records.push_back(json::object());
  if (matrix) {
    AIMASS_RETURN_IF_ERROR(PlaceValues(first, columns, true, decoded.records));
  } else {
    for (const auto& header : headers) {
      AIMASS_RETURN_IF_ERROR(
          PlaceValues(header, std::span(&header.name, 1), false, decoded.records));
    }
  }
  return decoded;
}

json EncodeInferResponse(const json& predictions, std::string_view model_name,
                         std::string_view model_version, train::Task task,
                         const std::vector<std::string>& classes, std::string_view id,
                         const std::vector<std::string>& outputs) {
  const auto wanted = [&](std::string_view name) {
    return outputs.empty() || std::find(outputs.begin(), outputs.end(), name) != outputs.end();
  };
  const bool classifier = train::IsClassification(task);
  const size_t rows = predictions.is_array() ? predictions.size() : 0;
  // A field of row r's prediction; null when the row lacks it.
  const auto field = [&](size_t r, std::string_view key) -> const json& {
    static const json kNull;
    const json& row = predictions[r];
    if (!row.is_object()) return kNull;
    const auto it = row.find(key);
    return it == row.end() ? kNull : *it;
  };

  json response = {{"model_name", model_name}};
  if (!model_version.empty()) response["model_version"] = model_version;
  if (!id.empty()) response["id"] = id;
  json tensors = json::array();
  if (wanted(kPredictOutput)) {
    json data = json::array();
    for (size_t r = 0; r < rows; ++r) data.push_back(field(r, "prediction"));
    tensors.push_back({{"name", kPredictOutput},
                       {"shape", {rows}},
                       {"datatype", classifier ? "BYTES" : "FP64"},
                       {"data", std::move(data)}});
  }
  if (classifier && wanted(kProbabilitiesOutput)) {
    json data = json::array();
    for (size_t r = 0; r < rows; ++r) {
      const json& probabilities = field(r, "probabilities");
      for (const auto& name : classes) {
        const auto it = probabilities.is_object() ? probabilities.find(name) : probabilities.end();
        data.push_back(probabilities.is_object() && it != probabilities.end() ? *it : json());
      }
    }
    tensors.push_back({{"name", kProbabilitiesOutput},
                       {"shape", {rows, classes.size()}},
                       {"datatype", "FP64"},
                       {"parameters", {{"classes", classes}}},
                       {"data", std::move(data)}});
  }
  response["outputs"] = std::move(tensors);
  return response;
}

json ModelMetadata(std::string_view name, const std::vector<std::string>& versions,
                   const train::FrameSchema& schema, train::Task task,
                   const std::vector<std::string>& classes) {
  json inputs = json::array();
  for (const auto& column : schema.columns) {
    const std::string_view datatype = column.kind == train::ColumnKind::kNumber    ? "FP64"
                                      : column.kind == train::ColumnKind::kBoolean ? "BOOL"
                                                                                   : "BYTES";
    inputs.push_back(TensorMetadata(column.name, datatype, {-1}));
  }
  const bool classifier = train::IsClassification(task);
  json outputs = json::array();
  outputs.push_back(TensorMetadata(kPredictOutput, classifier ? "BYTES" : "FP64", {-1}));
  if (classifier) {
    json probabilities =
        TensorMetadata(kProbabilitiesOutput, "FP64", {-1, static_cast<int64_t>(classes.size())});
    probabilities["parameters"] = {{"classes", classes}};
    outputs.push_back(std::move(probabilities));
  }
  return {{"name", name},
          {"versions", versions},
          {"platform", kPlatform},
          {"inputs", std::move(inputs)},
          {"outputs", std::move(outputs)}};
}

}  // namespace aimass::serve
