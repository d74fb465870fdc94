#include "data/preview.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "data/column_stats.h"
#include "data/exporter.h"

namespace aimass::data {
namespace {

namespace fs = std::filesystem;

class PreviewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aimass_preview_" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    auto engine = Engine::Open(EngineOptions{});
    ASSERT_TRUE(engine.has_value());
    engine_ = std::move(*engine);
    ASSERT_TRUE(engine_
                    ->Execute("COPY (SELECT range AS id, range * 1.5 AS score, "
                              "CAST(range AS DECIMAL(10,2)) AS price, DATE '2024-01-01' + "
                              "CAST(range AS INTEGER) AS day, [range, range + 1] AS pair, "
                              "{'k': range} AS obj, CASE WHEN range % 4 = 0 THEN NULL ELSE "
                              "'v' || (range % 3) END AS label, range % 2 = 0 AS even, "
                              "CASE WHEN range = 5 THEN 'nan'::DOUBLE ELSE range END AS x "
                              "FROM range(100)) TO " +
                              QuoteLiteral(Parquet().string()) + " (FORMAT parquet)")
                    .has_value());
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path Parquet() const { return dir_ / "t.parquet"; }

  fs::path dir_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(PreviewTest, ReturnsJsonTypedPage) {
  auto page = PreviewParquet(*engine_, Parquet(), 4, 2);
  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_EQ(page->total_rows, 100);
  ASSERT_EQ(page->columns.size(), 9u);
  EXPECT_EQ(page->columns[3].type, "DATE");
  ASSERT_EQ(page->rows.size(), 2u);
  EXPECT_EQ(page->rows[0].dump(), R"([4,6.0,4.0,"2024-01-05",[4,5],{"k":4},null,true,4.0])");
  EXPECT_TRUE(page->rows[1][8].is_null());  // NaN
}

TEST_F(PreviewTest, ValidatesOffsetAndLimit) {
  EXPECT_EQ(PreviewParquet(*engine_, Parquet(), -1, 10).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(PreviewParquet(*engine_, Parquet(), 0, 10001).error().code,
            ErrorCode::kInvalidArgument);
  auto past_end = PreviewParquet(*engine_, Parquet(), 1000, 10);
  ASSERT_TRUE(past_end.has_value());
  EXPECT_TRUE(past_end->rows.empty());
}

TEST_F(PreviewTest, MissingFileIsAnError) {
  auto page = PreviewParquet(*engine_, dir_ / "nope.parquet", 0, 10);
  EXPECT_FALSE(page.has_value());
}

TEST_F(PreviewTest, StatisticsFollowTheApiShape) {
  auto info = DescribeParquet(*engine_, Parquet());
  ASSERT_TRUE(info.has_value()) << info.error().message;
  const auto& stats = info->stats;
  EXPECT_EQ(stats["row_count"], 100);
  const auto& id = stats["columns"][0];
  EXPECT_EQ(id["name"], "id");
  EXPECT_EQ(id["nulls"], 0);
  EXPECT_NEAR(id["distinct"].get<double>(), 100, 10);
  EXPECT_EQ(id["min"], 0);
  EXPECT_EQ(id["max"], 99);
  EXPECT_DOUBLE_EQ(id["mean"].get<double>(), 49.5);
  EXPECT_EQ(id["histogram"]["edges"].size(), 21u);
  EXPECT_EQ(id["histogram"]["counts"].size(), 20u);
  int64_t total = 0;
  for (const auto& count : id["histogram"]["counts"]) total += count.get<int64_t>();
  EXPECT_EQ(total, 100);
  EXPECT_EQ(id["histogram"]["counts"][0], 5);
  const auto& label = stats["columns"][6];
  EXPECT_EQ(label["nulls"], 25);
  ASSERT_EQ(label["top"].size(), 3u);
  EXPECT_EQ(label["top"][0]["count"], 25);
  EXPECT_EQ(label["min"], "v0");
  const auto& day = stats["columns"][3];
  EXPECT_EQ(day["min"], "2024-01-01");
  EXPECT_FALSE(day.contains("mean"));
  const auto& x = stats["columns"][8];  // NaN is left out of min/max/mean
  EXPECT_EQ(x["max"], 99.0);
  EXPECT_TRUE(x["mean"].is_number());
  EXPECT_EQ(stats["columns"][7]["top"].size(), 2u);  // booleans
}

TEST_F(PreviewTest, ExportsCsvAndParquet) {
  ASSERT_TRUE(ExportParquet(*engine_, Parquet(), FileFormat::kCsv, dir_ / "out.csv").has_value());
  std::ifstream csv(dir_ / "out.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header, "id,score,price,day,pair,obj,label,even,x");
  ASSERT_TRUE(
      ExportParquet(*engine_, Parquet(), FileFormat::kParquet, dir_ / "out.parquet").has_value());
  EXPECT_EQ(fs::file_size(dir_ / "out.parquet"), fs::file_size(Parquet()));
  auto missing = ExportParquet(*engine_, dir_ / "nope.parquet", FileFormat::kCsv, dir_ / "x.csv");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(fs::exists(dir_ / "x.csv"));
}

}  // namespace
}  // namespace aimass::data
