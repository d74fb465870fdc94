// ReadInstances, the records route's fast lane: every body it takes gives the frame the
// general path (nlohmann, then FrameFromRecords) gives, and each record's compact text; every
// body outside its plain form, valid or not, is left to the general path (nullopt).
#include "serve/instances_reader.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

namespace aimass::serve {
namespace {

using nlohmann::json;
using train::ColumnKind;
using train::FrameSchema;

FrameSchema TestSchema() {
  return FrameSchema{{{"age", "DOUBLE", ColumnKind::kNumber},
                      {"city", "VARCHAR", ColumnKind::kText},
                      {"member", "BOOLEAN", ColumnKind::kBoolean},
                      {"signup", "TIMESTAMP", ColumnKind::kDatetime}}};
}

// Reads `body` both ways and expects the same frame, cell by cell (NaN equal to NaN).
void ExpectSameAsGeneralPath(const std::string& body) {
  SCOPED_TRACE(body);
  const auto fast = ReadInstances(body, TestSchema());
  ASSERT_TRUE(fast.has_value()) << "the fast lane did not take it";
  const auto general = train::FrameFromRecords(json::parse(body)["instances"], TestSchema());
  ASSERT_TRUE(general.has_value()) << general.error().message;
  ASSERT_EQ(fast->frame.rows, general->rows);
  ASSERT_EQ(fast->records.size(), static_cast<size_t>(general->rows));
  ASSERT_EQ(fast->frame.columns.size(), general->columns.size());
  for (size_t c = 0; c < general->columns.size(); ++c) {
    const auto& a = fast->frame.columns[c];
    const auto& b = general->columns[c];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.texts, b.texts) << a.name;
    EXPECT_EQ(a.present, b.present) << a.name;
    ASSERT_EQ(a.numbers.size(), b.numbers.size()) << a.name;
    for (size_t r = 0; r < a.numbers.size(); ++r) {
      if (std::isnan(b.numbers[r])) {
        EXPECT_TRUE(std::isnan(a.numbers[r])) << a.name << " row " << r;
      } else {
        EXPECT_EQ(a.numbers[r], b.numbers[r]) << a.name << " row " << r;
      }
    }
  }
  // Each record's text is that record, compact.
  const json records = json::parse(body)["instances"];
  for (size_t r = 0; r < fast->records.size(); ++r) {
    EXPECT_EQ(json::parse(fast->records[r]), records[r]);
    EXPECT_EQ(fast->records[r].find('\n'), std::string::npos);
  }
}

TEST(InstancesReaderTest, TakesPlainBodiesAsTheGeneralPathReadsThem) {
  ExpectSameAsGeneralPath(
      R"({"instances":[{"age":31,"city":"lima","member":true,"signup":1700000000}]})");
  ExpectSameAsGeneralPath(
      R"({"instances":[{"age":-0.5e-3,"city":null,"member":0,"signup":null},)"
      R"({"signup":2.5,"member":false,"city":"b\"q\\u00e9\ud83d\ude00\/","age":null},)"
      R"({"age":12345678901234567890,"city":true,"member":1,"signup":-1E+2}]})");
  // Keys the model does not read are skipped; whitespace anywhere.
  ExpectSameAsGeneralPath(
      " {\n \"instances\" : [ {\"id\": \"x-1\", \"age\" : 1.0 ,\n \"city\":\"S\xC3\xA3o Paulo\","
      "\"member\":true,\"signup\":0, \"note\": null, \"score\": 3} ] } \n");
  // Numbers at the edges of doubles.
  ExpectSameAsGeneralPath(
      R"({"instances":[{"age":1.7976931348623157e308,"city":"","member":true,"signup":5e-324}]})");
  ExpectSameAsGeneralPath(
      R"({"instances":[{"age":9007199254740993,"city":"x","member":true,"signup":0.1}]})");
}

TEST(InstancesReaderTest, RecordsAreKeptAsCompactText) {
  const auto read = ReadInstances(
      "{\"instances\":[{\"age\": 1,\n\"city\": \"a b\\n\", \"member\":true,\"signup\":0}]}",
      TestSchema());
  ASSERT_TRUE(read.has_value());
  ASSERT_EQ(read->records.size(), 1u);
  EXPECT_EQ(read->records[0], R"({"age":1,"city":"a b\n","member":true,"signup":0})");
}

TEST(InstancesReaderTest, LeavesEverythingElseToTheGeneralPath) {
  const std::string good = R"("age":1,"city":"x","member":true,"signup":0)";
  const char* const cases[] = {
      // Other forms and other keys.
      R"({"instances":{"age":[1],"city":["x"],"member":[true],"signup":[0]}})",
      R"({"explain":true,"instances":[{"age":1,"city":"x","member":true,"signup":0}]})",
      R"({"instances":[{"age":1,"city":"x","member":true,"signup":0}],"explain":true})",
      R"({"instances":[]})",
      R"([{"age":1,"city":"x","member":true,"signup":0}])",
      // A column missing, twice, or given a value the general path would convert or refuse.
      R"({"instances":[{"age":1,"city":"x","member":true}]})",
      R"({"instances":[{"age":1,"age":2,"city":"x","member":true,"signup":0}]})",
      R"({"instances":[{"age":"1","city":"x","member":true,"signup":0}]})",
      R"({"instances":[{"age":true,"city":"x","member":true,"signup":0}]})",
      R"({"instances":[{"age":1,"city":5,"member":true,"signup":0}]})",
      R"({"instances":[{"age":1,"city":"x","member":"yes","signup":0}]})",
      R"({"instances":[{"age":1,"city":"x","member":2,"signup":0}]})",
      R"({"instances":[{"age":1,"city":"x","member":true,"signup":"2024-01-01"}]})",
      R"({"instances":[{"age":[1],"city":"x","member":true,"signup":0}]})",
      R"({"instances":[{"age":1e999,"city":"x","member":true,"signup":0}]})",
      R"({"instances":[{"age":1,"city":"x","member":true,"signup":0,"extra":{"a":1}}]})",
      R"({"instances":[{"a\u0067e":1,"city":"x","member":true,"signup":0}]})",
      R"({"instances":[1]})",
      // Not JSON.
      R"({"instances":[{"age":1,"city":"x","member":true,"signup":0}]} x)",
      R"({"instances":[{"age":1,"city":"x","member":true,"signup":0},]})",
      R"({"instances":[{"age":1,"city":"x","member":true,"signup":0})",
      R"({"instances":[{"age":01,"city":"x","member":true,"signup":0}]})",
      R"({"instances":[{"age":1.,"city":"x","member":true,"signup":0}]})",
      R"({"instances":[{"age":+1,"city":"x","member":true,"signup":0}]})",
      R"({"instances":[{"age":NaN,"city":"x","member":true,"signup":0}]})",
      R"({"instances":[{"age":1,"city":"x","member":tru,"signup":0}]})",
      R"({"instances":[{"age":1,"city":"\x","member":true,"signup":0}]})",
      R"({"instances":[{"age":1,"city":"\ud800","member":true,"signup":0}]})",
      R"({"instances":[{"age":1,"city":"\udc00x","member":true,"signup":0}]})",
      "{\"instances\":[{\"age\":1,\"city\":\"a\tb\",\"member\":true,\"signup\":0}]}",
      "{\"instances\":[{\"age\":1,\"city\":\"\xC3\",\"member\":true,\"signup\":0}]}",
      "{\"instances\":[{\"age\":1,\"city\":\"\xC0\xAF\",\"member\":true,\"signup\":0}]}",
      "{\"instances\":[{\"age\":1,\"city\":\"\xED\xA0\x80\",\"member\":true,\"signup\":0}]}",
      "",
      "{",
  };
  for (const char* body : cases) {
    EXPECT_FALSE(ReadInstances(body, TestSchema()).has_value()) << body;
  }
  EXPECT_TRUE(ReadInstances("{\"instances\":[{" + good + "}]}", TestSchema()).has_value());
}

}  // namespace
}  // namespace aimass::serve
