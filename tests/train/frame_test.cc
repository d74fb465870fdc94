// Frames from Parquet (through DuckDB) and from prediction records in both JSON shapes.
#include "train/frame.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "train/calendar.h"

namespace aimass::train {
namespace {

namespace fs = std::filesystem;

class FrameParquetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aimass_frame_" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    auto engine = data::Engine::Open(data::EngineOptions{});
    ASSERT_TRUE(engine.has_value()) << engine.error().message;
    engine_ = std::move(*engine);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& select) {
    const fs::path path = dir_ / "t.parquet";
    auto done = engine_->Execute("COPY (" + select + ") TO " + data::QuoteLiteral(path.string()) +
                                 " (FORMAT parquet)");
    EXPECT_TRUE(done.has_value()) << done.error().message;
    return path;
  }

  fs::path dir_;
  std::unique_ptr<data::Engine> engine_;
};

TEST_F(FrameParquetTest, ReadsEveryKindWithMissingValues) {
  // 5,000 rows: more than two DuckDB chunks, so appending across chunks is exercised.
  const fs::path path = Write(R"(
    SELECT CASE WHEN i % 7 = 0 THEN NULL ELSE i END AS n,
           CAST(i AS DECIMAL(10, 2)) / 4 AS price,
           CASE WHEN i % 5 = 0 THEN 'inf'::DOUBLE ELSE i * 0.5 END AS ratio,
           CASE WHEN i % 11 = 0 THEN NULL ELSE i % 2 = 0 END AS flag,
           CASE WHEN i % 13 = 0 THEN NULL ELSE 'c' || (i % 3) END AS city,
           TIMESTAMP '2024-03-01 10:00:00' + INTERVAL (i) HOUR AS ts,
           DATE '2020-01-01' + CAST(i AS INTEGER) AS day,
           gen_random_uuid() AS id,
           TIME '01:30:00' AS t
    FROM range(5000) r(i))");
  auto frame = LoadParquet(*engine_, path);
  ASSERT_TRUE(frame.has_value()) << frame.error().message;
  ASSERT_EQ(frame->rows, 5000);
  ASSERT_EQ(frame->columns.size(), 9u);
  const FrameColumn& n = *frame->Find("n");
  EXPECT_EQ(n.kind, ColumnKind::kNumber);
  EXPECT_EQ(n.type, "BIGINT");
  EXPECT_TRUE(std::isnan(n.numbers[0]));
  EXPECT_EQ(n.numbers[4999], 4999);
  EXPECT_DOUBLE_EQ(frame->Find("price")->numbers[3], 0.75);
  EXPECT_EQ(frame->Find("price")->kind, ColumnKind::kNumber);
  EXPECT_TRUE(std::isnan(frame->Find("ratio")->numbers[5])) << "infinity reads as missing";
  EXPECT_EQ(frame->Find("ratio")->numbers[3], 1.5);
  const FrameColumn& flag = *frame->Find("flag");
  EXPECT_EQ(flag.kind, ColumnKind::kBoolean);
  EXPECT_TRUE(std::isnan(flag.numbers[0]));
  EXPECT_EQ(flag.numbers[2], 1);
  EXPECT_EQ(flag.numbers[3], 0);
  const FrameColumn& city = *frame->Find("city");
  EXPECT_EQ(city.kind, ColumnKind::kText);
  EXPECT_EQ(city.present[0], 0);
  EXPECT_EQ(city.present[4000], 1);
  EXPECT_EQ(city.texts[4000], "c1");
  const FrameColumn& ts = *frame->Find("ts");
  EXPECT_EQ(ts.kind, ColumnKind::kDatetime);
  EXPECT_EQ(ts.numbers[0], 1709287200);  // 2024-03-01 10:00 UTC
  EXPECT_EQ(SplitEpochSeconds(ts.numbers[4999]).hour, (10 + 4999) % 24);
  EXPECT_EQ(frame->Find("day")->kind, ColumnKind::kDatetime);
  EXPECT_EQ(frame->Find("day")->numbers[1], 1577836800 + 86400);
  EXPECT_EQ(frame->Find("id")->kind, ColumnKind::kText) << "UUID read as text";
  EXPECT_EQ(frame->Find("id")->texts[0].size(), 36u);
  EXPECT_EQ(frame->Find("t")->numbers[0], 5400) << "TIME as seconds since midnight";
}

TEST_F(FrameParquetTest, ReadsChosenColumnsAndNamesUnknownOnes) {
  const fs::path path = Write("SELECT 1 AS a, 'x' AS b, 2.5 AS c");
  const std::vector<std::string> columns = {"c", "a"};
  auto frame = LoadParquet(*engine_, path, columns);
  ASSERT_TRUE(frame.has_value()) << frame.error().message;
  ASSERT_EQ(frame->columns.size(), 2u);
  EXPECT_EQ(frame->columns[0].name, "c");
  EXPECT_EQ(frame->columns[1].numbers[0], 1);

  const std::vector<std::string> unknown = {"a", "nope"};
  auto missing = LoadParquet(*engine_, path, unknown);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(missing.error().message.find("'nope'"), std::string::npos);
  EXPECT_NE(missing.error().message.find("a, b, c"), std::string::npos);
}

FrameSchema TestSchema() {
  return FrameSchema{{{"age", "BIGINT", ColumnKind::kNumber},
                      {"city", "VARCHAR", ColumnKind::kText},
                      {"member", "BOOLEAN", ColumnKind::kBoolean},
                      {"signup", "TIMESTAMP", ColumnKind::kDatetime}}};
}

TEST(FrameRecordsTest, ArrayOfRecords) {
  const auto records = nlohmann::json::parse(R"([
    {"age": 31, "city": "paris", "member": true, "signup": "2024-03-01T12:30:00Z"},
    {"age": "40.5", "city": 75001, "member": "false", "unknown": [1, 2]},
    {"age": null, "city": null, "member": 1, "signup": 86400},
    {"age": " ", "city": true, "signup": "2024-03-01 14:30:00+02:00"}
  ])");
  auto frame = FrameFromRecords(records, TestSchema());
  ASSERT_TRUE(frame.has_value()) << frame.error().message;
  ASSERT_EQ(frame->rows, 4);
  const FrameColumn& age = *frame->Find("age");
  EXPECT_EQ(age.numbers[0], 31);
  EXPECT_EQ(age.numbers[1], 40.5) << "numeric strings are numbers";
  EXPECT_TRUE(std::isnan(age.numbers[2]));
  EXPECT_TRUE(std::isnan(age.numbers[3])) << "blank is missing";
  const FrameColumn& city = *frame->Find("city");
  EXPECT_EQ(city.texts[0], "paris");
  EXPECT_EQ(city.texts[1], "75001") << "a number sent to a text column";
  EXPECT_EQ(city.present[2], 0);
  EXPECT_EQ(city.texts[3], "true");
  const FrameColumn& member = *frame->Find("member");
  EXPECT_EQ(member.numbers[0], 1);
  EXPECT_EQ(member.numbers[1], 0);
  EXPECT_EQ(member.numbers[2], 1);
  EXPECT_TRUE(std::isnan(member.numbers[3])) << "a key left out is missing";
  // The words DuckDB reads as booleans (a yes/no CSV column is sniffed as BOOLEAN).
  const FrameSchema only_member{{{"member", "BOOLEAN", ColumnKind::kBoolean}}};
  auto words = FrameFromRecords(
      nlohmann::json::parse(R"({"member": ["yes", "No", "Y", "n", "T", "f", " TRUE "]})"),
      only_member);
  ASSERT_TRUE(words) << words.error().message;
  EXPECT_EQ(words->Find("member")->numbers, (std::vector<double>{1, 0, 1, 0, 1, 0, 1}));
  const FrameColumn& signup = *frame->Find("signup");
  EXPECT_EQ(signup.numbers[0], 1709296200);
  EXPECT_TRUE(std::isnan(signup.numbers[1]));
  EXPECT_EQ(signup.numbers[2], 86400);
  EXPECT_EQ(signup.numbers[3], 1709296200) << "offsets are converted to UTC";
}

TEST(FrameRecordsTest, ColumnArraysGiveTheSameFrame) {
  const auto rows = nlohmann::json::parse(
      R"([{"age": 31, "city": "x"}, {"age": 40, "city": "y"}, {"city": "z"}])");
  const auto columns =
      nlohmann::json::parse(R"({"age": [31, 40, null], "city": ["x", "y", "z"], "extra": 5})");
  auto a = FrameFromRecords(rows, TestSchema());
  auto b = FrameFromRecords(columns, TestSchema());
  ASSERT_TRUE(a.has_value()) << a.error().message;
  ASSERT_TRUE(b.has_value()) << b.error().message;
  ASSERT_EQ(b->rows, 3);
  for (size_t c = 0; c < a->columns.size(); ++c) {
    const FrameColumn& x = a->columns[c];
    const FrameColumn& y = b->columns[c];
    EXPECT_EQ(x.texts, y.texts);
    EXPECT_EQ(x.present, y.present);
    ASSERT_EQ(x.numbers.size(), y.numbers.size());
    for (size_t i = 0; i < x.numbers.size(); ++i) {
      EXPECT_TRUE(x.numbers[i] == y.numbers[i] ||
                  (std::isnan(x.numbers[i]) && std::isnan(y.numbers[i])));
    }
  }
  EXPECT_EQ(b->Find("member")->numbers.size(), 3u) << "absent columns are all missing";
}

TEST(FrameRecordsTest, BadRecordsNameTheRecordAndColumn) {
  const struct {
    const char* json;
    const char* message;
  } cases[] = {
      {R"([{"age": 1}, {"age": 2}, {"age": 3}, {"age": "abc"}])",
       "record 3, column 'age': 'abc' is not a number"},
      {R"([{"member": "maybe"}])", "record 0, column 'member': 'maybe' is not a boolean"},
      {R"([{"member": 2}])", "record 0, column 'member': 2 is not a boolean"},
      {R"([{"signup": "March 1st"}])", "record 0, column 'signup': 'March 1st' is not a date"},
      {R"([{"signup": "2024-02-30"}])", "'2024-02-30' is not a date"},
      {R"([{"city": {"a": 1}}])", "record 0, column 'city': {\"a\":1} is not text"},
      {R"([{"age": [1]}])", "column 'age': [1] is not a number"},
      {R"([{"age": 1}, 7])", "record 1 is 7, not an object"},
      {R"({"age": [1, 2], "city": ["x"]})", "column 'city' has 1 values but column 'age' has 2"},
      {R"({"age": 5})", "column 'age' is 5, not an array"},
      {R"("hello")", "send an array of records"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.json);
    auto frame = FrameFromRecords(nlohmann::json::parse(c.json), TestSchema());
    ASSERT_FALSE(frame.has_value());
    EXPECT_EQ(frame.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(frame.error().message.find(c.message), std::string::npos) << frame.error().message;
  }
}

TEST(FrameSchemaTest, JsonRoundTrip) {
  const FrameSchema schema = TestSchema();
  auto back = FrameSchema::FromJson(nlohmann::json::parse(schema.ToJson().dump()));
  ASSERT_TRUE(back.has_value()) << back.error().message;
  ASSERT_EQ(back->columns.size(), 4u);
  EXPECT_EQ(back->columns[3].name, "signup");
  EXPECT_EQ(back->columns[3].type, "TIMESTAMP");
  EXPECT_EQ(back->columns[3].kind, ColumnKind::kDatetime);
  EXPECT_FALSE(FrameSchema::FromJson(nlohmann::json::parse(R"([{"name":"a","kind":"blob"}])")));
  EXPECT_FALSE(FrameSchema::FromJson(nlohmann::json::object()));
}

TEST(FrameTest, CanonicalNumbers) {
  EXPECT_EQ(CanonicalNumber(1.0), "1");
  EXPECT_EQ(CanonicalNumber(-3.0), "-3");
  EXPECT_EQ(CanonicalNumber(0.25), "0.25");
  EXPECT_EQ(CanonicalNumber(0.1), "0.1");
  EXPECT_EQ(CanonicalNumber(1e20), "1e+20");
}

TEST(FrameTest, TakeRowsKeepsEveryKind) {
  auto frame = FrameFromRecords(
      nlohmann::json::parse(R"([{"age": 1, "city": "a"}, {"age": 2}, {"age": 3, "city": "c"}])"),
      TestSchema());
  ASSERT_TRUE(frame.has_value());
  const std::vector<int64_t> rows = {2, 1};
  const Frame taken = TakeRows(*frame, rows);
  EXPECT_EQ(taken.rows, 2);
  EXPECT_EQ(taken.Find("age")->numbers, (std::vector<double>{3, 2}));
  EXPECT_EQ(taken.Find("city")->texts[0], "c");
  EXPECT_EQ(taken.Find("city")->present, (std::vector<uint8_t>{1, 0}));
}

TEST(CalendarTest, PartsAndParsing) {
  const CalendarParts parts = SplitEpochSeconds(1709296200);  // Friday 2024-03-01 12:30 UTC
  EXPECT_EQ(parts.year, 2024);
  EXPECT_EQ(parts.month, 3);
  EXPECT_EQ(parts.day, 1);
  EXPECT_EQ(parts.weekday, 5);
  EXPECT_EQ(parts.hour, 12);
  const CalendarParts before = SplitEpochSeconds(-1);  // 1969-12-31 23:59:59, a Wednesday
  EXPECT_EQ(before.year, 1969);
  EXPECT_EQ(before.day, 31);
  EXPECT_EQ(before.weekday, 3);
  EXPECT_EQ(before.hour, 23);
  EXPECT_EQ(ParseIsoDatetime("1970-01-02"), 86400);
  EXPECT_EQ(ParseIsoDatetime("1970-01-01T00:00:01.5"), 1.5);
  EXPECT_EQ(ParseIsoDatetime("1970-01-01T05:30-0530"), 39600);
  EXPECT_FALSE(ParseIsoDatetime("1970-13-01"));
  EXPECT_FALSE(ParseIsoDatetime("1970-01-01T24:00"));
  EXPECT_FALSE(ParseIsoDatetime("1970-01-01x"));
}

}  // namespace
}  // namespace aimass::train
