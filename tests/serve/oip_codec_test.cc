// The Open Inference Protocol v2 codec: both input layouts, every datatype, nested data, the
// errors a client can make, responses and metadata, and a round trip into a Frame.
#include "serve/oip_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace aimass::serve {
namespace {

using nlohmann::json;
using train::ColumnKind;
using train::FrameSchema;
using train::Task;

FrameSchema TestSchema() {
  return FrameSchema{{{"age", "BIGINT", ColumnKind::kNumber},
                      {"city", "VARCHAR", ColumnKind::kText},
                      {"member", "BOOLEAN", ColumnKind::kBoolean},
                      {"signup", "TIMESTAMP", ColumnKind::kDatetime}}};
}

Result<InferInput> Decode(const std::string& request, Task task = Task::kBinary,
                          int64_t max_rows = kDefaultMaxInferRows) {
  return DecodeInferRequest(json::parse(request), TestSchema(), task, max_rows);
}

// The records of a request with one input `name` of `datatype` holding `data` ([N] values).
Result<InferInput> DecodeOne(const std::string& name, const std::string& datatype,
                             const json& data) {
  const json request = {
      {"inputs",
       {{{"name", name}, {"shape", {data.size()}}, {"datatype", datatype}, {"data", data}}}}};
  return DecodeInferRequest(request, TestSchema(), Task::kBinary);
}

TEST(OipDecodeTest, OneTensorPerColumn) {
  auto decoded = Decode(R"({
    "id": "req-7",
    "parameters": {"content_type": "pd"},
    "inputs": [
      {"name": "age", "shape": [3], "datatype": "INT64", "data": [31, 40, null]},
      {"name": "city", "shape": [3, 1], "datatype": "BYTES", "data": [["lima"], ["oslo"], ["x"]],
       "parameters": {"content_type": "str"}},
      {"name": "member", "shape": [3, 1], "datatype": "BOOL", "data": [true, false, true]}
    ]})");
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(decoded->id, "req-7");
  EXPECT_EQ(decoded->rows, 3);
  EXPECT_TRUE(decoded->outputs.empty());
  EXPECT_EQ(decoded->records, json::parse(R"([
    {"age": 31, "city": "lima", "member": true},
    {"age": 40, "city": "oslo", "member": false},
    {"age": null, "city": "x", "member": true}])"))
      << "a column no input gave ('signup') is left out: a missing value";
}

TEST(OipDecodeTest, OneMatrixHoldsEveryColumnInSchemaOrder) {
  const json expected = json::parse(R"([
    {"age": "31", "city": "lima", "member": "true", "signup": "2024-03-01"},
    {"age": "40", "city": "oslo", "member": "false", "signup": null}])");
  for (const char* data :
       {R"([["31", "lima", "true", "2024-03-01"], ["40", "oslo", "false", null]])",
        R"(["31", "lima", "true", "2024-03-01", "40", "oslo", "false", null])"}) {
    auto decoded = Decode(R"({"inputs": [{"name": "input-0", "shape": [2, 4],
                                          "datatype": "BYTES", "data": )" +
                          std::string(data) + "}]}");
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
    EXPECT_EQ(decoded->rows, 2);
    EXPECT_EQ(decoded->records, expected) << "nested and flat data read alike: " << data;
  }
}

TEST(OipDecodeTest, AMatrixMayBeNamedAfterAColumn) {
  auto decoded = Decode(R"({"inputs": [{"name": "age", "shape": [1, 4], "datatype": "FP64",
                                        "data": [[31, 2, 1, 0]]}]})");
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(decoded->records, json::parse(R"([{"age": 31, "city": 2, "member": 1,
                                               "signup": 0}])"));
}

TEST(OipDecodeTest, OneColumnModelTakesAnN1MatrixOfAnyName) {
  const FrameSchema schema{{{"x", "DOUBLE", ColumnKind::kNumber}}};
  for (const char* name : {"x", "features"}) {
    const json request = {
        {"inputs",
         {{{"name", name}, {"shape", {2, 1}}, {"datatype", "FP32"}, {"data", {1.5, 2}}}}}};
    auto decoded = DecodeInferRequest(request, schema, Task::kRegression);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
    EXPECT_EQ(decoded->records, json::parse(R"([{"x": 1.5}, {"x": 2}])")) << name;
  }
}

TEST(OipDecodeTest, EveryDatatypeTakesItsWholeRange) {
  const struct {
    const char* datatype;
    const char* data;
    const char* expected;  // as the records hold the values
  } cases[] = {
      {"BOOL", "[true, false, 1, 0, null]", "[true, false, true, false, null]"},
      {"UINT8", "[0, 255, 7.0]", "[0, 255, 7]"},
      {"UINT16", "[0, 65535]", "[0, 65535]"},
      {"UINT32", "[0, 4294967295]", "[0, 4294967295]"},
      {"UINT64", "[0, 18446744073709551615]", "[0, 18446744073709551615]"},
      {"INT8", "[-128, 127]", "[-128, 127]"},
      {"INT16", "[-32768, 32767]", "[-32768, 32767]"},
      {"INT32", "[-2147483648, 2147483647, -3.0]", "[-2147483648, 2147483647, -3]"},
      {"INT64", "[-9223372036854775808, 9223372036854775807]",
       "[-9223372036854775808, 9223372036854775807]"},
      {"FP16", "[-65504, 0.5, 65504]", "[-65504, 0.5, 65504]"},
      {"FP32", "[1.25, -3.4e38, 7]", "[1.25, -3.4e38, 7]"},
      {"FP64", "[1e300, -0.1, null]", "[1e300, -0.1, null]"},
      {"BYTES", R"(["lima", "", "ñandú"])", R"(["lima", "", "ñandú"])"},
  };
  for (const auto& c : cases) {
    auto decoded = DecodeOne("age", c.datatype, json::parse(c.data));
    ASSERT_TRUE(decoded.has_value()) << c.datatype << ": " << decoded.error().message;
    json values = json::array();
    for (const auto& record : decoded->records) values.push_back(record["age"]);
    EXPECT_EQ(values, json::parse(c.expected)) << c.datatype;
    EXPECT_EQ(values.dump(), json::parse(c.expected).dump()) << c.datatype << ": same JSON types";
  }
}

TEST(OipDecodeTest, EmptyBatch) {
  for (const char* request :
       {R"({"inputs": [{"name": "age", "shape": [0], "datatype": "FP64", "data": []}]})",
        R"({"inputs": [{"name": "m", "shape": [0, 4], "datatype": "FP64", "data": []}]})"}) {
    auto decoded = Decode(request);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
    EXPECT_EQ(decoded->rows, 0);
    EXPECT_EQ(decoded->records, json::array());
  }
}

TEST(OipDecodeTest, OutputsAskedForAreKeptOnceInOrder) {
  auto decoded = Decode(R"({
    "inputs": [{"name": "age", "shape": [1], "datatype": "FP64", "data": [1]}],
    "outputs": [{"name": "probabilities", "parameters": {"binary_data": true}},
                {"name": "predict"}, {"name": "probabilities"}]})");
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(decoded->outputs, (std::vector<std::string>{"probabilities", "predict"}));
  EXPECT_TRUE(decoded->id.empty());
}

TEST(OipDecodeTest, RoundTripIntoAFrame) {
  auto decoded = Decode(R"({"inputs": [
    {"name": "signup", "shape": [3], "datatype": "BYTES",
     "data": ["2024-03-01T12:30:00Z", null, "2024-03-01"]},
    {"name": "age", "shape": [3], "datatype": "FP32", "data": [[31.5], [null], [-2]]},
    {"name": "member", "shape": [3, 1], "datatype": "BOOL", "data": [[false], [true], [null]]},
    {"name": "city", "shape": [3], "datatype": "BYTES", "data": ["lima", "", null]}]})");
  ASSERT_FALSE(decoded.has_value()) << "[[31.5], ...] is nested deeper than shape [3]";
  EXPECT_NE(decoded.error().message.find("input 'age'"), std::string::npos);

  decoded = Decode(R"({"inputs": [
    {"name": "signup", "shape": [3], "datatype": "BYTES",
     "data": ["2024-03-01T12:30:00Z", null, "2024-03-01"]},
    {"name": "age", "shape": [3, 1], "datatype": "FP32", "data": [[31.5], [null], [-2]]},
    {"name": "member", "shape": [3, 1], "datatype": "BOOL", "data": [[false], [true], [null]]},
    {"name": "city", "shape": [3], "datatype": "BYTES", "data": ["lima", "", null]}]})");
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  auto frame = train::FrameFromRecords(decoded->records, TestSchema());
  ASSERT_TRUE(frame.has_value()) << frame.error().message;
  ASSERT_EQ(frame->rows, 3);
  const auto& age = *frame->Find("age");
  EXPECT_EQ(age.numbers[0], 31.5);
  EXPECT_TRUE(std::isnan(age.numbers[1]));
  EXPECT_EQ(age.numbers[2], -2);
  const auto& city = *frame->Find("city");
  EXPECT_EQ(city.texts[0], "lima");
  EXPECT_EQ(city.present[1], 1) << "an empty string is text, not missing";
  EXPECT_EQ(city.present[2], 0);
  const auto& member = *frame->Find("member");
  EXPECT_EQ(member.numbers[0], 0);
  EXPECT_EQ(member.numbers[1], 1);
  EXPECT_TRUE(std::isnan(member.numbers[2]));
  const auto& signup = *frame->Find("signup");
  EXPECT_EQ(signup.numbers[0], 1709296200);
  EXPECT_TRUE(std::isnan(signup.numbers[1]));
  EXPECT_EQ(signup.numbers[2], 1709251200);

  // The same rows as one BYTES matrix give the same frame.
  auto matrix = Decode(R"({"inputs": [{"name": "x", "shape": [3, 4], "datatype": "BYTES",
    "data": [["31.5", "lima", "false", "2024-03-01T12:30:00Z"],
             [null, "", "true", null],
             ["-2", null, null, "2024-03-01"]]}]})");
  ASSERT_TRUE(matrix.has_value()) << matrix.error().message;
  auto same = train::FrameFromRecords(matrix->records, TestSchema());
  ASSERT_TRUE(same.has_value()) << same.error().message;
  for (size_t c = 0; c < frame->columns.size(); ++c) {
    const auto& x = frame->columns[c];
    const auto& y = same->columns[c];
    EXPECT_EQ(x.texts, y.texts) << x.name;
    EXPECT_EQ(x.present, y.present) << x.name;
    ASSERT_EQ(x.numbers.size(), y.numbers.size()) << x.name;
    for (size_t i = 0; i < x.numbers.size(); ++i) {
      EXPECT_TRUE(x.numbers[i] == y.numbers[i] ||
                  (std::isnan(x.numbers[i]) && std::isnan(y.numbers[i])))
          << x.name << " row " << i;
    }
  }
}

TEST(OipDecodeErrorTest, EachMistakeNamesTheInputAndTheFix) {
  const struct {
    const char* request;
    const char* message;
  } cases[] = {
      // The request and its inputs.
      {R"([1, 2])", "the request is [1,2], not an object"},
      {R"({})", "the request has no 'inputs'; send one tensor per column"},
      {R"({"inputs": []})", "the request has no 'inputs'"},
      {R"({"inputs": {"age": [1]}})", "the request has no 'inputs'"},
      {R"({"id": 42, "inputs": [{"name": "age", "shape": [1], "datatype": "FP64", "data": [1]}]})",
       "'id' is 42; it must be a string"},
      {R"({"parameters": [1], "inputs": [{"name": "age", "shape": [1], "datatype": "FP64",
           "data": [1]}]})",
       "'parameters' must be an object"},
      {R"({"inputs": [5]})", "inputs[0] is 5, not an object; every input is {\"name\""},
      {R"({"inputs": [{"shape": [1], "datatype": "FP64", "data": [1]}]})",
       "inputs[0] has no 'name'"},
      // Shapes.
      {R"({"inputs": [{"name": "age", "datatype": "FP64", "data": [1]}]})",
       "input 'age': 'shape' must be a list of sizes"},
      {R"({"inputs": [{"name": "age", "shape": [-1], "datatype": "FP64", "data": [1]}]})",
       "input 'age': shape [-1] holds -1; every size is a whole number >= 0"},
      {R"({"inputs": [{"name": "age", "shape": [2.5], "datatype": "FP64", "data": [1]}]})",
       "shape [2.5] holds 2.5"},
      {R"({"inputs": [{"name": "age", "shape": ["3"], "datatype": "FP64", "data": [1]}]})",
       "shape [\"3\"] holds '3'"},
      {R"({"inputs": [{"name": "age", "shape": [], "datatype": "FP64", "data": [1]}]})",
       "input 'age': shape [] has 0 dimensions; send [N] or [N, 1] for one column"},
      {R"({"inputs": [{"name": "age", "shape": [1, 1, 1], "datatype": "FP64", "data": [1]}]})",
       "shape [1, 1, 1] has 3 dimensions"},
      {R"({"inputs": [{"name": "age", "shape": [3], "datatype": "FP64", "data": [1, 2]}]})",
       "input 'age': shape [3] holds 3 values but 'data' has 2"},
      {R"({"inputs": [{"name": "m", "shape": [4294967296, 4294967296], "datatype": "FP64",
           "data": [1]}]})",
       "has 4294967296 rows; at most 100000 are taken per request: split the batch"},
      // Datatypes and data.
      {R"({"inputs": [{"name": "age", "shape": [1], "data": [1]}]})",
       "input 'age': 'datatype' is missing; use one of BOOL, UINT8,"},
      {R"({"inputs": [{"name": "age", "shape": [1], "datatype": "FLOAT", "data": [1]}]})",
       "input 'age': datatype 'FLOAT' is not an Open Inference Protocol datatype; use one of "
       "BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BYTES"},
      {R"({"inputs": [{"name": "age", "shape": [1], "datatype": "fp32", "data": [1]}]})",
       "datatype 'fp32' is not"},
      {R"({"inputs": [{"name": "age", "shape": [1], "datatype": "FP64"}]})",
       "input 'age': 'data' is missing; send the values as a JSON array"},
      {R"({"inputs": [{"name": "age", "shape": [1], "datatype": "FP64",
           "parameters": {"binary_data_size": 8}}]})",
       "input 'age': binary tensor data is not supported; send the values in 'data' as JSON"},
      {R"({"inputs": [{"name": "age", "shape": [1], "datatype": "FP64", "data": 1}]})",
       "input 'age': 'data' is 1, not an array"},
      {R"({"inputs": [{"name": "age", "shape": [1], "datatype": "FP64", "data": [1],
           "parameters": "x"}]})",
       "input 'age': 'parameters' must be an object"},
      {R"({"inputs": [{"name": "age", "shape": [2], "datatype": "FP32", "data": [1, "abc"]}]})",
       "input 'age': row 1: 'abc' is not a number; FP32 tensors hold JSON numbers"},
      {R"({"inputs": [{"name": "age", "shape": [1], "datatype": "FP64", "data": [true]}]})",
       "row 0: true is not a number"},
      {R"({"inputs": [{"name": "age", "shape": [2], "datatype": "INT32", "data": [1, 2.5]}]})",
       "input 'age': row 1: 2.5 is not a whole number; INT32 tensors hold integers"},
      {R"({"inputs": [{"name": "age", "shape": [1], "datatype": "UINT8", "data": [256]}]})",
       "input 'age': row 0: 256 is out of range for UINT8 (0 to 255)"},
      {R"({"inputs": [{"name": "age", "shape": [1], "datatype": "UINT8", "data": [-1]}]})",
       "-1 is out of range for UINT8"},
      {R"({"inputs": [{"name": "age", "shape": [1], "datatype": "INT8", "data": [128]}]})",
       "128 is out of range for INT8 (-128 to 127)"},
      {R"({"inputs": [{"name": "age", "shape": [1], "datatype": "INT16", "data": [-40000.0]}]})",
       "-40000.0 is out of range for INT16"},
      {R"({"inputs": [{"name": "age", "shape": [1], "datatype": "INT64", "data": [1e19]}]})",
       "out of range for INT64"},
      {R"({"inputs": [{"name": "age", "shape": [1], "datatype": "UINT64", "data": [2e19]}]})",
       "out of range for UINT64"},
      {R"({"inputs": [{"name": "age", "shape": [1], "datatype": "INT64",
           "data": [9223372036854775808]}]})",
       "out of range for INT64"},
      {R"({"inputs": [{"name": "age", "shape": [1], "datatype": "FP16", "data": [70000]}]})",
       "70000 is out of range for FP16 (at most ±65504); send a wider datatype"},
      {R"({"inputs": [{"name": "age", "shape": [1], "datatype": "FP32", "data": [1e39]}]})",
       "out of range for FP32"},
      {R"({"inputs": [{"name": "city", "shape": [1], "datatype": "BYTES", "data": [31]}]})",
       "input 'city': row 0: 31 is not a string; BYTES tensors hold JSON strings"},
      {R"({"inputs": [{"name": "member", "shape": [1], "datatype": "BOOL", "data": ["yes"]}]})",
       "input 'member': row 0: 'yes' is not a boolean; BOOL tensors hold true/false"},
      {R"({"inputs": [{"name": "member", "shape": [1], "datatype": "BOOL", "data": [2]}]})",
       "2 is not a boolean"},
      // Nested data that disagrees with the shape.
      {R"({"inputs": [{"name": "age", "shape": [2, 1], "datatype": "FP64",
           "data": [[1], [2, 3]]}]})",
       "input 'age': nested 'data' does not match shape [2, 1]: data[1] has 2 values, not 1"},
      {R"({"inputs": [{"name": "age", "shape": [2, 1], "datatype": "FP64", "data": [[1], 2]}]})",
       "data[1] is 2, not an array of 1 values"},
      {R"({"inputs": [{"name": "age", "shape": [2, 1], "datatype": "FP64", "data": [[1]]}]})",
       "data has 1 values, not 2"},
      {R"({"inputs": [{"name": "age", "shape": [1, 1], "datatype": "FP64", "data": [[[1]]]}]})",
       "data[0][0] is an array, but the shape has only 2 dimensions"},
      {R"({"inputs": [{"name": "age", "shape": [2], "datatype": "FP64", "data": [[1], [2]]}]})",
       "data[0] is an array, but the shape has only 1 dimensions"},
      // Layouts.
      {R"({"inputs": [{"name": "income", "shape": [1], "datatype": "FP64", "data": [1]}]})",
       "input 'income': not a column of this model; its columns are age, city, member, signup "
       "(or send a single [N, 4] tensor"},
      {R"({"inputs": [{"name": "m", "shape": [2, 3], "datatype": "FP64", "data": [1,2,3,4,5,6]}]})",
       "input 'm': shape [2, 3] has 3 columns, but the model takes 4 in this order: age, city, "
       "member, signup; send shape [N, 4]"},
      {R"({"inputs": [{"name": "m", "shape": [2, 1], "datatype": "FP64", "data": [1, 2]}]})",
       "has 1 columns, but the model takes 4"},
      {R"({"inputs": [{"name": "age", "shape": [2], "datatype": "FP64", "data": [1, 2]},
                      {"name": "city", "shape": [2, 2], "datatype": "BYTES",
                       "data": ["a", "b", "c", "d"]}]})",
       "input 'city': shape [2, 2] holds several values per row; a tensor per column has shape "
       "[N] or [N, 1]"},
      {R"({"inputs": [{"name": "age", "shape": [2], "datatype": "FP64", "data": [1, 2]},
                      {"name": "city", "shape": [3], "datatype": "BYTES",
                       "data": ["a", "b", "c"]}]})",
       "input 'city': shape [3] has 3 rows but input 'age' has 2; every input needs one value "
       "per row"},
      {R"({"inputs": [{"name": "age", "shape": [1], "datatype": "FP64", "data": [1]},
                      {"name": "age", "shape": [1], "datatype": "FP64", "data": [2]}]})",
       "input 'age': given twice"},
      {R"({"inputs": [{"name": "m", "shape": [2, 4], "datatype": "BYTES",
           "data": ["1", "a", "true", null, "2", 3, "false", null]}]})",
       "input 'm': row 1, column 'city': 3 is not a string"},
      // Outputs.
      {R"({"inputs": [{"name": "age", "shape": [1], "datatype": "FP64", "data": [1]}],
           "outputs": [{"name": "proba"}]})",
       "output 'proba' does not exist; this model's outputs are predict, probabilities"},
      {R"({"inputs": [{"name": "age", "shape": [1], "datatype": "FP64", "data": [1]}],
           "outputs": ["predict"]})",
       "outputs[0] is 'predict', which names no output; ask for outputs as [{\"name\": "
       "\"predict\"}, ...]"},
      {R"({"inputs": [{"name": "age", "shape": [1], "datatype": "FP64", "data": [1]}],
           "outputs": {"name": "predict"}})",
       "'outputs' is {\"name\":\"predict\"}, not an array"},
  };
  for (const auto& c : cases) {
    auto decoded = Decode(c.request);
    ASSERT_FALSE(decoded.has_value()) << c.request;
    EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidArgument) << c.request;
    EXPECT_NE(decoded.error().message.find(c.message), std::string::npos)
        << "wanted: " << c.message << "\ngot:    " << decoded.error().message;
  }
}

TEST(OipDecodeErrorTest, RowsOverTheLimit) {
  const char* request = R"({"inputs": [{"name": "age", "shape": [6], "datatype": "FP64",
                                         "data": [1, 2, 3, 4, 5, 6]}]})";
  auto decoded = Decode(request, Task::kBinary, 5);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(decoded.error().message,
            "input 'age': shape [6] has 6 rows; at most 5 are taken per request: split the batch");
  EXPECT_TRUE(Decode(request, Task::kBinary, 6).has_value());
}

TEST(OipDecodeErrorTest, RegressionHasNoProbabilities) {
  auto decoded = Decode(R"({
    "inputs": [{"name": "age", "shape": [1], "datatype": "FP64", "data": [1]}],
    "outputs": [{"name": "probabilities"}]})",
                        Task::kRegression);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().message,
            "output 'probabilities' does not exist; this model's outputs are predict");
}

TEST(OipEncodeTest, ClassifierAnswersClassNamesAndProbabilities) {
  const json predictions = json::parse(R"([
    {"prediction": "good", "probabilities": {"bad": 0.1, "good": 0.9}},
    {"prediction": "bad", "probabilities": {"bad": 0.75, "good": 0.25}}])");
  const json response =
      EncodeInferResponse(predictions, "credit", "3", Task::kBinary, {"bad", "good"}, "req-7");
  EXPECT_EQ(response, json::parse(R"({
    "model_name": "credit", "model_version": "3", "id": "req-7",
    "outputs": [
      {"name": "predict", "shape": [2], "datatype": "BYTES", "data": ["good", "bad"]},
      {"name": "probabilities", "shape": [2, 2], "datatype": "FP64",
       "parameters": {"classes": ["bad", "good"]}, "data": [0.1, 0.9, 0.75, 0.25]}]})"));
}

TEST(OipEncodeTest, ProbabilitiesFollowTheModelsClassOrder) {
  const json predictions = json::parse(R"([
    {"prediction": "b", "probabilities": {"a": 0.2, "b": 0.5, "c": 0.3}}])");
  const json response =
      EncodeInferResponse(predictions, "m", "", Task::kMulticlass, {"c", "a", "b"}, "");
  const json& probabilities = response["outputs"][1];
  EXPECT_EQ(probabilities["shape"], json::parse("[1, 3]"));
  EXPECT_EQ(probabilities["data"], json::parse("[0.3, 0.2, 0.5]"));
  EXPECT_EQ(probabilities["parameters"]["classes"], json::parse(R"(["c", "a", "b"])"));
  EXPECT_FALSE(response.contains("model_version")) << "no version: left out";
  EXPECT_FALSE(response.contains("id")) << "no id: left out";
}

TEST(OipEncodeTest, RegressionAnswersNumbers) {
  const json predictions = json::parse(R"([{"prediction": 12.5}, {"prediction": -3}])");
  const json response = EncodeInferResponse(predictions, "price", "1", Task::kRegression, {}, "r");
  EXPECT_EQ(response["outputs"], json::parse(R"([
    {"name": "predict", "shape": [2], "datatype": "FP64", "data": [12.5, -3]}])"));
}

TEST(OipEncodeTest, OnlyTheOutputsAskedFor) {
  const json predictions =
      json::parse(R"([{"prediction": "x", "probabilities": {"x": 0.6, "y": 0.4}}])");
  const json response = EncodeInferResponse(predictions, "m", "1", Task::kBinary, {"x", "y"}, "",
                                            {std::string(kProbabilitiesOutput)});
  ASSERT_EQ(response["outputs"].size(), 1u);
  EXPECT_EQ(response["outputs"][0]["name"], "probabilities");
  EXPECT_EQ(response["outputs"][0]["data"], json::parse("[0.6, 0.4]"));
}

TEST(OipEncodeTest, EmptyBatch) {
  const json response =
      EncodeInferResponse(json::array(), "m", "1", Task::kBinary, {"no", "yes"}, "");
  EXPECT_EQ(response["outputs"], json::parse(R"([
    {"name": "predict", "shape": [0], "datatype": "BYTES", "data": []},
    {"name": "probabilities", "shape": [0, 2], "datatype": "FP64",
     "parameters": {"classes": ["no", "yes"]}, "data": []}])"));
}

TEST(OipMetadataTest, ClassifierInputsAndOutputs) {
  const json metadata =
      ModelMetadata("credit", {"1", "2", "champion"}, TestSchema(), Task::kBinary, {"bad", "good"});
  EXPECT_EQ(metadata, json::parse(R"({
    "name": "credit", "versions": ["1", "2", "champion"], "platform": "aimass",
    "inputs": [
      {"name": "age", "datatype": "FP64", "shape": [-1]},
      {"name": "city", "datatype": "BYTES", "shape": [-1]},
      {"name": "member", "datatype": "BOOL", "shape": [-1]},
      {"name": "signup", "datatype": "BYTES", "shape": [-1]}],
    "outputs": [
      {"name": "predict", "datatype": "BYTES", "shape": [-1]},
      {"name": "probabilities", "datatype": "FP64", "shape": [-1, 2],
       "parameters": {"classes": ["bad", "good"]}}]})"));
}

TEST(OipMetadataTest, RegressionHasOneOutput) {
  const json metadata = ModelMetadata("price", {"4"}, TestSchema(), Task::kRegression, {});
  EXPECT_EQ(metadata["outputs"], json::parse(R"([
    {"name": "predict", "datatype": "FP64", "shape": [-1]}])"));
  EXPECT_EQ(InferOutputNames(Task::kRegression), std::vector<std::string>{"predict"});
}

TEST(OipCodecTest, MetadataInputsDecodeAsDescribed) {
  // A client that builds one tensor per input from the metadata is understood.
  const json metadata = ModelMetadata("m", {"1"}, TestSchema(), Task::kBinary, {"a", "b"});
  const json values = {{"age", 31}, {"city", "lima"}, {"member", true}, {"signup", "2024-03-01"}};
  json request = {{"inputs", json::array()}};
  for (const auto& input : metadata["inputs"]) {
    const std::string name = input["name"];
    request["inputs"].push_back({{"name", name},
                                 {"shape", {1}},
                                 {"datatype", input["datatype"]},
                                 {"data", {values[name]}}});
  }
  auto decoded = DecodeInferRequest(request, TestSchema(), Task::kBinary);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(decoded->records, json::array({values}));
  EXPECT_TRUE(train::FrameFromRecords(decoded->records, TestSchema()).has_value());
}

}  // namespace
}  // namespace aimass::serve
