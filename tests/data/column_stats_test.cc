// The one-pass statistics checked against DuckDB's own exact aggregates over the same file.
#include "data/column_stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "data/column_profile.h"

namespace aimass::data {
namespace {

namespace fs = std::filesystem;

class ColumnStatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aimass_stats_" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    auto engine = Engine::Open(EngineOptions{});
    ASSERT_TRUE(engine.has_value());
    engine_ = std::move(*engine);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes the SELECT's result as Parquet and describes it.
  TableInfo Describe(const std::string& select) {
    parquet_ = dir_ / "t.parquet";
    EXPECT_TRUE(engine_->Execute("COPY (" + select + ") TO " + QuoteLiteral(parquet_.string()) +
                                 " (FORMAT parquet)"));
    auto info = DescribeParquet(*engine_, parquet_);
    EXPECT_TRUE(info.has_value()) << info.error().message;
    return info.value_or(TableInfo{});
  }

  nlohmann::json Exact(const std::string& expression) {
    auto rows = engine_->Query("SELECT " + expression + " FROM " + ReadParquetSql(parquet_));
    EXPECT_TRUE(rows.has_value()) << rows.error().message;
    return rows ? rows->rows[0][0] : nlohmann::json();
  }

  static const nlohmann::json& ColumnNamed(const TableInfo& info, const std::string& name) {
    for (const auto& column : info.stats["columns"]) {
      if (column["name"] == name) return column;
    }
    static const nlohmann::json missing;
    ADD_FAILURE() << "no column " << name;
    return missing;
  }

  fs::path dir_, parquet_;
  std::unique_ptr<Engine> engine_;
};

constexpr const char* kTable = R"(
  SELECT
    CASE WHEN i % 10 = 0 THEN NULL ELSE (i * 7919) % 100003 - 50000 END AS int_col,
    CASE WHEN i % 1000 = 1 THEN 'nan'::DOUBLE WHEN i % 1000 = 2 THEN 'inf'::DOUBLE
         ELSE sin(i) * 1e6 END AS float_col,
    2.5 AS constant_col,
    CAST(NULL AS DOUBLE) AS empty_col,
    ['red', 'green', 'blue', 'black'][1 + (i * i) % 4] AS colour,
    'id-' || i AS id,
    i % 3 = 0 AS flag,
    DATE '2020-01-01' + CAST(i % 400 AS INTEGER) AS day,
    CAST(i AS DECIMAL(18, 3)) / 7 AS price
  FROM range(60000) t(i))";

TEST_F(ColumnStatsTest, NumbersMatchDuckDbExactly) {
  const TableInfo info = Describe(kTable);
  EXPECT_EQ(info.row_count, 60000);
  for (const std::string name : {"int_col", "float_col", "price"}) {
    SCOPED_TRACE(name);
    const auto& column = ColumnNamed(info, name);
    const std::string x =
        "CASE WHEN isfinite(" + name + "::DOUBLE) THEN " + name + "::DOUBLE END";
    EXPECT_EQ(column["nulls"], Exact("count(*) - count(" + name + ")"));
    EXPECT_EQ(column["min"].get<double>(), Exact("min(" + x + ")").get<double>());
    EXPECT_EQ(column["max"].get<double>(), Exact("max(" + x + ")").get<double>());
    const double mean = Exact("avg(" + x + ")").get<double>();
    const double stddev = Exact("stddev_samp(" + x + ")").get<double>();
    EXPECT_NEAR(column["mean"].get<double>(), mean, 1e-9 * std::max(1.0, std::fabs(mean)));
    EXPECT_NEAR(column["stddev"].get<double>(), stddev, 1e-9 * stddev);
    const double distinct = Exact("count(DISTINCT " + name + ")").get<double>();
    EXPECT_NEAR(column["distinct"].get<double>(), distinct, distinct * 0.05);
    // Histogram: 20 bins from min to max; bin k holds [edge k, edge k+1).
    const auto& histogram = column["histogram"];
    ASSERT_EQ(histogram["edges"].size(), 21u);
    ASSERT_EQ(histogram["counts"].size(), 20u);
    EXPECT_EQ(histogram["edges"][0], column["min"].get<double>());
    EXPECT_EQ(histogram["edges"][20], column["max"].get<double>());
    int64_t total = 0;
    for (const auto& count : histogram["counts"]) total += count.get<int64_t>();
    EXPECT_EQ(total, Exact("count(" + x + ")").get<int64_t>());
    const double lo = column["min"], hi = column["max"];
    char bin[256];
    std::snprintf(bin, sizeof bin, "count(CASE WHEN least(floor((%s - %.17g) * %.17g), 19) = 7 "
                  "THEN 1 END)", x.c_str(), lo, 20 / (hi - lo));
    EXPECT_EQ(histogram["counts"][7], Exact(bin));
  }
  EXPECT_TRUE(ColumnNamed(info, "int_col")["min"].is_number_integer());
}

TEST_F(ColumnStatsTest, ConstantEmptyBooleanAndDateColumns) {
  const TableInfo info = Describe(kTable);
  const auto& constant = ColumnNamed(info, "constant_col");
  EXPECT_EQ(constant["min"], 2.5);
  EXPECT_EQ(constant["distinct"], 1);
  EXPECT_EQ(constant["histogram"]["counts"], nlohmann::json::array({60000}));
  const auto& empty = ColumnNamed(info, "empty_col");
  EXPECT_EQ(empty["nulls"], 60000);
  EXPECT_TRUE(empty["min"].is_null());
  EXPECT_FALSE(empty.contains("histogram"));
  const auto& flag = ColumnNamed(info, "flag");
  EXPECT_EQ(flag["distinct"], 2);
  EXPECT_EQ(flag["top"][0], (nlohmann::json{{"value", false}, {"count", 40000}}));
  EXPECT_EQ(flag["top"][1], (nlohmann::json{{"value", true}, {"count", 20000}}));
  const auto& day = ColumnNamed(info, "day");
  EXPECT_EQ(day["min"], "2020-01-01");
  EXPECT_EQ(day["max"], Exact("CAST(max(day) AS VARCHAR)"));
  EXPECT_EQ(day["nulls"], 0);
  EXPECT_NEAR(day["distinct"].get<double>(), 400, 40);  // DuckDB's approx_count_distinct
}

TEST_F(ColumnStatsTest, StringsHaveExactTopValues) {
  const TableInfo info = Describe(kTable);
  const auto& colour = ColumnNamed(info, "colour");
  EXPECT_EQ(colour["distinct"], Exact("count(DISTINCT colour)"));
  EXPECT_EQ(colour["min"], "green");
  EXPECT_EQ(colour["max"], "red");
  ASSERT_EQ(colour["top"].size(), 2u);  // i*i % 4 is only ever 0 or 1
  for (const auto& top : colour["top"]) {
    EXPECT_EQ(top["count"],
              Exact("count(*) FILTER (WHERE colour = " +
                    QuoteLiteral(top["value"].get<std::string>()) + ")"));
  }
}

TEST_F(ColumnStatsTest, HighCardinalityStringsFallBackToSql) {
  const TableInfo info = Describe(kTable + std::string(" UNION ALL SELECT 1, 1, 2.5, NULL, "
                                                       "'red', 'id-7', true, NULL, 1 FROM range(2000)"));
  const auto& id = ColumnNamed(info, "id");
  EXPECT_NEAR(id["distinct"].get<double>(), 60000, 3000);  // past the exact-count limit
  EXPECT_EQ(id["min"], Exact("min(id)"));
  ASSERT_FALSE(id["top"].empty());
  EXPECT_EQ(id["top"][0], (nlohmann::json{{"value", "id-7"}, {"count", 2001}}));
}

TEST_F(ColumnStatsTest, LongStringsAreCutAtCharacters) {
  const TableInfo info = Describe("SELECT repeat('é', 300) AS s UNION ALL SELECT 'a'");
  const auto& s = ColumnNamed(info, "s");
  std::string cut;
  for (int i = 0; i < 200; ++i) cut += "é";
  EXPECT_EQ(s["max"], cut);
  EXPECT_EQ(s["min"], "a");
}

TEST(Utf8PrefixTest, NeverSplitsACharacter) {
  EXPECT_EQ(Utf8Prefix("héllo", 2), "hé");
  EXPECT_EQ(Utf8Prefix("héllo", 10), "héllo");
  EXPECT_EQ(Utf8Prefix("日本語", 1), "日");
  EXPECT_EQ(Utf8Prefix("", 3), "");
}

}  // namespace
}  // namespace aimass::data
