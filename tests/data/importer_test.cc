#include "data/importer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <string>

namespace aimass::data {
namespace {

namespace fs = std::filesystem;

class ImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("aimass_importer_" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    auto engine = Engine::Open(EngineOptions{});
    ASSERT_TRUE(engine.has_value());
    engine_ = std::move(*engine);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name, std::ios::binary) << content;
    return dir_ / name;
  }

  Result<TableInfo> Import(const std::string& name, ImportOptions options = {}) {
    return ImportFile(*engine_, dir_ / name, options, Output(), ProgressFn{});
  }

  // Imports, expects kInvalidArgument with every `parts` in the message, and no output.
  void ExpectRefused(const std::string& name, std::vector<std::string> parts,
                     ImportOptions options = {}) {
    auto info = Import(name, options);
    ASSERT_FALSE(info.has_value()) << name << " was imported";
    EXPECT_EQ(info.error().code, ErrorCode::kInvalidArgument) << info.error().message;
    for (const auto& part : parts) {
      EXPECT_NE(info.error().message.find(part), std::string::npos)
          << "'" << part << "' not in: " << info.error().message;
    }
    EXPECT_LT(info.error().message.size(), 600u) << info.error().message;
    EXPECT_FALSE(fs::exists(Output()));
    EXPECT_FALSE(fs::exists(Output().string() + ".partial"));
  }

  fs::path Output() const { return dir_ / "out.parquet"; }

  // `rows` good rows after a header, so that a bad row placed after them is past the sniffer.
  static std::string GoodRows(int rows) {
    std::string text = "name,age,city\n";
    for (int i = 0; i < rows; ++i) {
      text += "n" + std::to_string(i) + "," + std::to_string(i % 90) + ",c" +
              std::to_string(i % 7) + "\n";
    }
    return text;
  }

  fs::path dir_;
  std::unique_ptr<Engine> engine_;
};

TEST(FileFormatTest, ParsesNames) {
  EXPECT_EQ(*ParseFileFormat("CSV"), FileFormat::kCsv);
  EXPECT_EQ(*ParseFileFormat("tsv"), FileFormat::kTsv);
  EXPECT_EQ(*ParseFileFormat("ndjson"), FileFormat::kJsonLines);
  EXPECT_EQ(*ParseFileFormat("json"), FileFormat::kJsonLines);
  EXPECT_EQ(*ParseFileFormat("parquet"), FileFormat::kParquet);
  auto bad = ParseFileFormat("xlsx");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("csv, tsv, jsonl or parquet"), std::string::npos);
}

TEST_F(ImporterTest, GuessesFormatByExtensionThenContent) {
  auto csv = Write("a", "x,y\n1,2\n");
  auto tsv = Write("b", "x\ty\tz\n1\t2\t3\n");
  auto json = Write("c", "{\"x\":1}\n");
  auto parquet = Write("d", "PAR1....");
  EXPECT_EQ(GuessFileFormat(csv, "data.parquet"), FileFormat::kParquet);
  EXPECT_EQ(GuessFileFormat(csv, "upload"), FileFormat::kCsv);
  EXPECT_EQ(GuessFileFormat(tsv, ""), FileFormat::kTsv);
  EXPECT_EQ(GuessFileFormat(json, "x.bin"), FileFormat::kJsonLines);
  EXPECT_EQ(GuessFileFormat(parquet, ""), FileFormat::kParquet);
}

TEST_F(ImporterTest, ImportsCsvWithSchemaRowCountAndStats) {
  Write("people.csv", "name,age,born\nann,31,1990-01-02\nbob,,1985-05-06\ncid,40,\n");
  int last_percent = -1;
  auto info =
      ImportFile(*engine_, dir_ / "people.csv", {}, Output(), [&](int percent, std::string_view) {
        EXPECT_GE(percent, last_percent);
        last_percent = percent;
        return true;
      });
  ASSERT_TRUE(info.has_value()) << info.error().message;
  EXPECT_EQ(last_percent, 100);
  EXPECT_EQ(info->row_count, 3);
  ASSERT_EQ(info->schema.size(), 3u);
  EXPECT_EQ(info->schema[1].name, "age");
  EXPECT_EQ(info->schema[1].type, "BIGINT");
  EXPECT_EQ(info->schema[2].type, "DATE");
  const auto& age = info->stats["columns"][1];
  EXPECT_EQ(age["nulls"], 1);
  EXPECT_EQ(age["min"], 31);
  EXPECT_EQ(age["max"], 40);
  EXPECT_EQ(info->stats["columns"][2]["min"], "1985-05-06");
  EXPECT_TRUE(fs::exists(Output()));
  EXPECT_FALSE(fs::exists(Output().string() + ".partial"));
}

TEST_F(ImporterTest, DeclaredTypesOverrideSniffing) {
  Write("t.csv", "zip,score\n01234,1\n02345,2\n");
  ImportOptions options;
  options.column_types = {{"zip", "VARCHAR"}, {"score", "DOUBLE"}};
  auto info = Import("t.csv", options);
  ASSERT_TRUE(info.has_value()) << info.error().message;
  EXPECT_EQ(info->schema[0].type, "VARCHAR");
  EXPECT_EQ(info->schema[1].type, "DOUBLE");
  EXPECT_EQ(info->stats["columns"][0]["top"][0]["value"], "01234");
}

TEST_F(ImporterTest, WrongDeclaredTypeNamesColumnLineAndValue) {
  Write("t.csv", "name,age\nann,31\nbob,abc\n");
  ImportOptions options;
  options.column_types = {{"age", "INTEGER"}};
  ExpectRefused("t.csv", {"column 'age'", "line 3", "'abc'", "INTEGER", "types=age:VARCHAR"},
                options);
}

TEST_F(ImporterTest, UnknownDeclaredTypeOrColumnIsRefused) {
  Write("t.csv", "name,age\nann,31\n");
  ImportOptions options;
  options.column_types = {{"age", "INTEGR"}};
  ExpectRefused("t.csv", {"'INTEGR'", "'age'", "not a DuckDB type"}, options);
  options.column_types = {{"nope", "INTEGER"}};
  ExpectRefused("t.csv", {"nope"}, options);
}

TEST_F(ImporterTest, MisSniffedColumnIsWidenedNotLost) {
  // 120,000 integers, then a decimal and a word: past the sniffer's sample.
  std::string text = GoodRows(120000);
  text += "late,2.5,x\nlater,abc,y\n";
  Write("late.csv", text);
  auto info = Import("late.csv");
  ASSERT_TRUE(info.has_value()) << info.error().message;
  EXPECT_EQ(info->schema[1].type, "VARCHAR");
  EXPECT_EQ(info->row_count, 120002);
}

TEST_F(ImporterTest, RowWithTooManyFieldsIsRefused) {
  Write("rag.csv", "name,age,city\nbob,31,paris\nann,32,rome,extra\ncid,33,oslo\n");
  ExpectRefused("rag.csv", {"line 3", "4 fields", "header", "3"});
}

TEST_F(ImporterTest, RowWithTooFewFieldsIsRefused) {
  Write("few.csv", "name,age,city\nbob,31,paris\nann,32\ncid,33,oslo\n");
  ExpectRefused("few.csv", {"line 3", "2 fields"});
}

TEST_F(ImporterTest, RaggedRowPastTheSampleIsRefused) {
  Write("rag_late.csv", GoodRows(120000) + "x,1,y,z\n");
  ExpectRefused("rag_late.csv", {"line 120002", "4 fields", "3"});
}

TEST_F(ImporterTest, UnterminatedQuoteIsRefused) {
  Write("quote.csv", "name,age,city\nbob,31,\"paris\nann,32,rome\n");
  ExpectRefused("quote.csv", {"line 2", "unterminated quote"});
  Write("quote_late.csv", GoodRows(30000) + "x,1,\"yy\n" + GoodRows(100));
  ExpectRefused("quote_late.csv", {"line 30002", "unterminated quote"});
}

TEST_F(ImporterTest, InvalidUtf8IsRefused) {
  Write("latin1.csv", "name,age,city\nbob,31,par\xe9s\nann,32,rome\n");
  ExpectRefused("latin1.csv", {"line 2", "UTF-8"});
}

TEST_F(ImporterTest, NulByteIsRefused) {
  Write("nul.csv", std::string("name,age,city\nbob,31,par\0is\nann,32,rome\n", 40));
  ExpectRefused("nul.csv", {"line 2", "NUL byte"});
}

TEST_F(ImporterTest, EmptyFileIsRefused) {
  Write("empty.csv", "");
  ExpectRefused("empty.csv", {"'empty.csv'", "empty"});
}

TEST_F(ImporterTest, HeaderOnlyFileIsRefused) {
  Write("header.csv", "name,age,city\n");
  ExpectRefused("header.csv", {"no data rows"});
}

TEST_F(ImporterTest, MissingFileIsNotFound) {
  auto info = Import("nope.csv");
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().code, ErrorCode::kNotFound);
}

TEST_F(ImporterTest, TenThousandColumnsWork) {
  std::string header, row1, row2;
  for (int c = 0; c < 10000; ++c) {
    const std::string sep = c ? "," : "";
    header += sep + "c" + std::to_string(c);
    row1 += sep + std::to_string(c);
    row2 += sep + (c % 2 ? "x" + std::to_string(c) : std::to_string(c * 2));
  }
  Write("wide.csv", header + "\n" + row1 + "\n" + row2 + "\n");
  const auto start = std::chrono::steady_clock::now();
  auto info = Import("wide.csv");
  ASSERT_TRUE(info.has_value()) << info.error().message;
  EXPECT_EQ(info->schema.size(), 10000u);
  EXPECT_EQ(info->row_count, 2);
  EXPECT_EQ(info->stats["columns"].size(), 10000u);
  EXPECT_EQ(info->stats["columns"][9998]["max"], 19996);
  std::printf("10,000 columns: %.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

TEST_F(ImporterTest, HundredMegabyteLineIsRefusedCleanly) {
  std::string text = "a,b\n1,";
  text.append(100 << 20, 'x');
  text += "\n2,y\n";
  Write("long.csv", text);
  text.clear();
  ExpectRefused("long.csv", {"longer than the limit of 8 MiB"});
}

TEST_F(ImporterTest, SemicolonSeparatedCsvIsDetected) {
  Write("semi.csv", "a;b;c\n1;2;3\n4;5;6\n");
  auto info = Import("semi.csv");
  ASSERT_TRUE(info.has_value()) << info.error().message;
  EXPECT_EQ(info->schema.size(), 3u);
  ImportOptions options;
  options.delimiter = ';';
  EXPECT_TRUE(Import("semi.csv", options).has_value());
}

TEST_F(ImporterTest, ImportsTsvJsonLinesAndParquet) {
  Write("t.tsv", "a\tb\n1\tx\n2\ty\n");
  ImportOptions tsv;
  tsv.format = FileFormat::kTsv;
  auto info = Import("t.tsv", tsv);
  ASSERT_TRUE(info.has_value()) << info.error().message;
  EXPECT_EQ(info->schema.size(), 2u);

  Write("t.jsonl", "{\"a\":1,\"b\":\"x\"}\n{\"a\":2,\"b\":\"y\"}\n");
  ImportOptions json;
  json.format = FileFormat::kJsonLines;
  json.column_types = {{"a", "DOUBLE"}};
  info = Import("t.jsonl", json);
  ASSERT_TRUE(info.has_value()) << info.error().message;
  EXPECT_EQ(info->schema[0].type, "DOUBLE");
  EXPECT_EQ(info->row_count, 2);

  fs::rename(Output(), dir_ / "in.parquet");
  ImportOptions parquet;
  parquet.format = FileFormat::kParquet;
  info = Import("in.parquet", parquet);
  ASSERT_TRUE(info.has_value()) << info.error().message;
  EXPECT_EQ(info->row_count, 2);
}

TEST_F(ImporterTest, MalformedJsonNamesTheLine) {
  Write("bad.jsonl", "{\"a\":1}\n{\"a\":2\n{\"a\":3}\n");
  ImportOptions json;
  json.format = FileFormat::kJsonLines;
  ExpectRefused("bad.jsonl", {"line 3", "JSON"}, json);
}

TEST_F(ImporterTest, CancelThroughProgressLeavesNothing) {
  Write("big.csv", GoodRows(20000));
  auto info = ImportFile(*engine_, dir_ / "big.csv", {}, Output(),
                         [](int, std::string_view) { return false; });
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().code, ErrorCode::kCancelled);
  EXPECT_FALSE(fs::exists(Output()));
  EXPECT_FALSE(fs::exists(Output().string() + ".partial"));
}

}  // namespace
}  // namespace aimass::data
