#include "data/transform.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <random>

#include "data/sql_sandbox.h"

namespace aimass::data {
namespace {

namespace fs = std::filesystem;

void ExpectRefused(std::string_view sql, std::string_view named) {
  auto status = CheckTransformSql(sql);
  ASSERT_FALSE(status.has_value()) << sql << " was allowed";
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(status.error().message.find(named), std::string::npos)
      << "'" << named << "' not in: " << status.error().message;
}

TEST(SqlSandboxTest, AllowsSelectsOverInput) {
  for (const char* sql :
       {"SELECT * FROM input WHERE Age > 30", "with a AS (SELECT * FROM input) SELECT * FROM a",
        "FROM input SELECT Age", "SELECT 1;", "SELECT x FROM input, range(3) r(x) -- note",
        "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT * FROM t",
        "SELECT * FROM input i JOIN (SELECT 1 AS k) s ON true"}) {
    auto status = CheckTransformSql(sql);
    EXPECT_TRUE(status.has_value()) << sql << ": " << status.error().message;
  }
}

TEST(SqlSandboxTest, RefusesOtherStatements) {
  ExpectRefused("ATTACH 'x.db'", "ATTACH");
  ExpectRefused("INSTALL httpfs", "INSTALL");
  ExpectRefused("LOAD httpfs", "LOAD");
  ExpectRefused("COPY (SELECT 1) TO '/tmp/x.csv'", "COPY");
  ExpectRefused("SET threads = 64", "SET");
  ExpectRefused("PRAGMA version", "PRAGMA");
  ExpectRefused("CREATE TABLE t AS SELECT 1", "CREATE");
  ExpectRefused("INSERT INTO input VALUES (1)", "INSERT");
  ExpectRefused("EXPORT DATABASE '/tmp/x'", "EXPORT");
  ExpectRefused("/* hi */ DELETE FROM input", "DELETE");
}

TEST(SqlSandboxTest, RefusesSeveralStatements) {
  ExpectRefused("SELECT 1; SELECT 2", "2 statements");
  ExpectRefused("SELECT 1; COPY (SELECT 1) TO '/tmp/x'", "2 statements");
}

TEST(SqlSandboxTest, RefusesFileReadingFunctionsAndTables) {
  ExpectRefused("SELECT * FROM read_csv('/etc/passwd')", "read_csv");
  ExpectRefused("SELECT * FROM input WHERE x IN (SELECT * FROM read_text('/etc/passwd'))",
                "read_text");
  ExpectRefused("SELECT * FROM read_parquet('/data/other.parquet')", "read_parquet");
  ExpectRefused("SELECT * FROM '/etc/passwd'", "/etc/passwd");
  ExpectRefused("SELECT * FROM glob('/*')", "glob");
  ExpectRefused("SELECT * FROM duckdb_settings()", "duckdb_settings");
  ExpectRefused("SELECT * FROM other_table", "other_table");
  ExpectRefused("SELECT * FROM main.input", "main.input");
}

TEST(SqlSandboxTest, RefusesEmptyAndBrokenSql) {
  ExpectRefused("", "empty");
  ExpectRefused("   -- nothing", "empty");
  ExpectRefused("SELECT FROM WHERE", "does not parse");
}

TEST(SqlSandboxTest, ImportDatabaseReadsNoFileWhileChecked) {
  // DuckDB reads IMPORT DATABASE's schema.sql while it splits the statements, before any
  // check: the checking engine must not be allowed to, or a parse error quotes the file.
  const fs::path dir = fs::temp_directory_path() / ("aimass-import-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "schema.sql") << "leaked_secret_token;\n";
  std::ofstream(dir / "load.sql") << "";
  auto status = CheckTransformSql("IMPORT DATABASE '" + dir.string() + "'");
  fs::remove_all(dir);
  ASSERT_FALSE(status.has_value());
  EXPECT_NE(status.error().message.find("IMPORT is not allowed"), std::string::npos)
      << status.error().message;
  EXPECT_EQ(status.error().message.find("leaked_secret_token"), std::string::npos)
      << status.error().message;
}

TEST(SqlSandboxTest, RefusesValuesBuiltPastTheLimit) {
  // DuckDB's memory limit does not count these values and its time limit cannot stop them.
  ExpectRefused("SELECT repeat('x', 2000000000) AS s", "repeat()");
  ExpectRefused("SELECT ('x').repeat(2000000000) AS s", "repeat()");
  ExpectRefused("SELECT repeat('x', Age) FROM input", "repeat()");
  ExpectRefused("SELECT repeat(Name, 3) FROM input", "repeat()");
  ExpectRefused("SELECT lpad('x', 1000000000, 'y') AS s", "lpad()");
  ExpectRefused("SELECT rpad(Name, Age * 1000000, 'y') FROM input", "rpad()");
  ExpectRefused("SELECT range(60000000) AS l", "range()");
  ExpectRefused("SELECT generate_series(1, Age) AS l FROM input", "generate_series()");
  ExpectRefused("SELECT list_resize([1], 60000000) AS l", "list_resize()");
  ExpectRefused("SELECT bitstring('1', 400000000) AS b", "bitstring()");
  ExpectRefused("SELECT printf('%500000000d', 1) AS s", "printf()");
  ExpectRefused("SELECT printf('%*d', Age, 1) FROM input", "printf()");
  ExpectRefused("SELECT format('{:>500000000}', 1) AS s", "format()");
  ExpectRefused("SELECT format('{:>{}}', 1, Age) FROM input", "format()");
  ExpectRefused("SELECT list_transform([1], x -> repeat('x', 2000000000)) AS l", "repeat()");
  ExpectRefused("SELECT * FROM input WHERE Age IN (SELECT len(range(100000000)))", "range()");
  ExpectRefused("SELECT * FROM range(2) r(n), (SELECT range(n * 100000000) AS l)", "range()");
}

TEST(SqlSandboxTest, RefusesCallsThatRevealTheServer) {
  ExpectRefused("SELECT current_setting('allowed_paths') AS p", "current_setting()");
  ExpectRefused("SELECT getenv('HOME') AS h", "getenv()");
}

TEST(SqlSandboxTest, AllowsSmallConstantSizes) {
  for (const char* sql : {"SELECT repeat('-', 10) AS s", "SELECT range(5) AS l",
                          "SELECT lpad(CAST(Age AS VARCHAR), 8, '0') FROM input",
                          "SELECT generate_series(1, 10, 2) AS l", "SELECT * FROM range(100000000)",
                          "SELECT printf('%08.2f in 2024: %s', Age, Name) FROM input",
                          "SELECT printf('100%% of %d', 20000) AS s",
                          "SELECT format('{:>12} {}', Name, 100000) FROM input"}) {
    auto status = CheckTransformSql(sql);
    EXPECT_TRUE(status.has_value()) << sql << ": " << status.error().message;
  }
}

class TransformTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("aimass_transform_" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    auto engine = Engine::Open(EngineOptions{});
    ASSERT_TRUE(engine.has_value());
    ASSERT_TRUE((*engine)
                    ->Execute("COPY (SELECT range AS id, range % 50 + 18 AS Age, "
                              "CASE WHEN range % 3 = 0 THEN 'owner' ELSE 'rent' END AS Home "
                              "FROM range(1000)) TO " +
                              QuoteLiteral(Input().string()) + " (FORMAT parquet)")
                    .has_value());
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Input() const { return dir_ / "in.parquet"; }
  fs::path Output() const { return dir_ / "out.parquet"; }

  Result<TableInfo> Transform(std::string_view sql, TransformLimits limits = {}) {
    auto engine = Engine::Open(EngineOptions{});  // a fresh engine per transform
    if (!engine) return Fail(engine.error());
    return TransformParquet(**engine, Input(), sql, limits, Output(), ProgressFn{});
  }

  void ExpectNoOutput() {
    EXPECT_FALSE(fs::exists(Output()));
    EXPECT_FALSE(fs::exists(Output().string() + ".partial"));
  }

  fs::path dir_;
};

TEST_F(TransformTest, WritesTheResultWithStats) {
  auto info = Transform("SELECT id, Age, Home FROM input WHERE Age > 30 -- adults\n;");
  ASSERT_TRUE(info.has_value()) << info.error().message;
  EXPECT_EQ(info->row_count, 1000 - 13 * 20);
  EXPECT_EQ(info->schema.size(), 3u);
  EXPECT_EQ(info->stats["columns"][1]["min"], 31);
  EXPECT_TRUE(fs::exists(Output()));
}

TEST_F(TransformTest, RefusesSandboxBreakingSqlBeforeRunning) {
  auto info = Transform("SELECT * FROM read_csv('/etc/passwd')");
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(info.error().message.find("read_csv"), std::string::npos);
  ExpectNoOutput();
}

TEST_F(TransformTest, FileAccessIsBlockedAtRunTimeToo) {
  // After a transform the engine stays locked down: DuckDB itself refuses file reads and
  // configuration changes, whatever the parser check let through.
  auto engine = Engine::Open(EngineOptions{});
  ASSERT_TRUE(engine.has_value());
  auto info = TransformParquet(**engine, Input(), "SELECT * FROM input", {}, Output(), {});
  ASSERT_TRUE(info.has_value()) << info.error().message;
  auto read = (*engine)->Query("SELECT * FROM read_csv('/etc/passwd')");
  ASSERT_FALSE(read.has_value());
  EXPECT_NE(read.error().message.find("disabled by configuration"), std::string::npos);
  auto set = (*engine)->Execute("SET enable_external_access = true");
  EXPECT_FALSE(set.has_value());
}

TEST_F(TransformTest, UnknownColumnIsInvalidArgument) {
  auto info = Transform("SELECT nope FROM input");
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(info.error().message.find("nope"), std::string::npos) << info.error().message;
  ExpectNoOutput();
}

TEST_F(TransformTest, EndlessRecursionHitsTheTimeLimit) {
  TransformLimits limits;
  limits.timeout = std::chrono::milliseconds(500);
  const auto start = std::chrono::steady_clock::now();
  auto info = Transform(
      "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT n FROM t", limits);
  ASSERT_FALSE(info.has_value());
  EXPECT_TRUE(info.error().code == ErrorCode::kDeadlineExceeded ||
              info.error().code == ErrorCode::kInvalidArgument)
      << info.error().message;
  EXPECT_NE(info.error().message.find("limit"), std::string::npos) << info.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  ExpectNoOutput();
}

TEST_F(TransformTest, SlowQueryHitsTheTimeLimit) {
  TransformLimits limits;
  limits.timeout = std::chrono::milliseconds(300);
  auto info =
      Transform("SELECT count(*) FROM range(1000000000000) r WHERE hash(r.range) % 7 = 1", limits);
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_NE(info.error().message.find("time limit of 300ms"), std::string::npos)
      << info.error().message;
}

TEST_F(TransformTest, HugeValuesHitTheMemoryLimit) {
  TransformLimits limits;
  limits.memory_limit = "200MB";
  limits.timeout = std::chrono::seconds(60);
  auto info = Transform("SELECT string_agg(repeat('x', 10000)) FROM range(100000)", limits);
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().code, ErrorCode::kInvalidArgument) << info.error().message;
  EXPECT_NE(info.error().message.find("memory limit of 200MB"), std::string::npos)
      << info.error().message;
  info = Transform("SELECT repeat('x', 100000000000) FROM input", limits);
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().code, ErrorCode::kInvalidArgument) << info.error().message;
  ExpectNoOutput();
}

TEST_F(TransformTest, CancelThroughProgress) {
  auto engine = Engine::Open(EngineOptions{});
  ASSERT_TRUE(engine.has_value());
  auto info = TransformParquet(**engine, Input(), "SELECT * FROM input", {}, Output(),
                               [](int, std::string_view) { return false; });
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().code, ErrorCode::kCancelled);
  ExpectNoOutput();
}

}  // namespace
}  // namespace aimass::data
