#include "data/engine.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

namespace aimass::data {
namespace {

// A query that runs for minutes unless stopped.
constexpr const char* kSlowQuery =
    "SELECT count(*) FROM range(1000000000000) a WHERE hash(a.range) % 7 = 3";

std::unique_ptr<Engine> OpenEngine() {
  auto engine = Engine::Open(EngineOptions{});
  EXPECT_TRUE(engine.has_value());
  return std::move(*engine);
}

TEST(EngineTest, ReportsDuckDbVersion) { EXPECT_EQ(DuckDbVersion(), "v1.4.4"); }

TEST(EngineTest, QueryReturnsJsonTypedValues) {
  auto engine = OpenEngine();
  auto rows = engine->Query(
      "SELECT 42::BIGINT, 1.5::DOUBLE, 'it''s', true, NULL::INTEGER, 'nan'::DOUBLE, 7::UBIGINT");
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  EXPECT_EQ(rows->rows.dump(), R"([[42,1.5,"it's",true,null,null,7]])");
  EXPECT_EQ(rows->columns[0].type, "BIGINT");
}

TEST(EngineTest, BadSqlIsInvalidArgument) {
  auto engine = OpenEngine();
  auto rows = engine->Query("SELEKT 1");
  ASSERT_FALSE(rows.has_value());
  EXPECT_EQ(rows.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(rows.error().message.find("syntax error"), std::string::npos);
}

TEST(EngineTest, QuotesLiteralsAndIdentifiers) {
  EXPECT_EQ(QuoteLiteral("it's"), "'it''s'");
  EXPECT_EQ(QuoteIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(ShortDuckDbError("Binder Error: no column x\nLINE 1"), "no column x");
}

TEST(EngineTest, TimeoutIsDeadlineExceeded) {
  auto engine = OpenEngine();
  RunOptions options;
  options.timeout = std::chrono::milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  auto rows = engine->Run(kSlowQuery, options);
  ASSERT_FALSE(rows.has_value());
  EXPECT_EQ(rows.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  // The engine is usable afterwards.
  EXPECT_TRUE(engine->Query("SELECT 1").has_value());
}

TEST(EngineTest, DeadlinePassedInsideOneLongStepStillFails) {
  // DuckDB does not interrupt one scalar call, whether it folds it while planning (constant
  // arguments) or runs it as one task: the query finishes, but past its limit, and must not
  // count as a success.
  auto engine = OpenEngine();
  RunOptions options;
  options.timeout = std::chrono::milliseconds(20);
  for (const char* sql : {"SELECT length(repeat('x', 50000000)) AS n",
                          "SELECT length(repeat('x', 50000000 + range)) AS n FROM range(1)"}) {
    auto rows = engine->Run(sql, options);
    ASSERT_FALSE(rows.has_value()) << sql << ": " << rows->rows.dump();
    EXPECT_EQ(rows.error().code, ErrorCode::kDeadlineExceeded) << sql;
    EXPECT_TRUE(engine->Query("SELECT 1").has_value()) << "after " << sql;
  }
}

TEST(EngineTest, InterruptFromAnotherThreadCancels) {
  auto engine = OpenEngine();
  std::jthread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    engine->Interrupt();
  });
  auto rows = engine->Run(kSlowQuery, RunOptions{});
  ASSERT_FALSE(rows.has_value());
  EXPECT_EQ(rows.error().code, ErrorCode::kCancelled);
}

TEST(EngineTest, ProgressCallbackCanCancel) {
  auto engine = OpenEngine();
  int calls = 0;
  ProgressFn progress = [&](int percent, std::string_view message) {
    EXPECT_GE(percent, 10);
    EXPECT_LE(percent, 20);
    EXPECT_EQ(message, "counting");
    return ++calls < 2;
  };
  RunOptions options;
  options.progress = &progress;
  options.percent_from = 10;
  options.percent_to = 20;
  options.message = "counting";
  auto rows = engine->Run(kSlowQuery, options);
  ASSERT_FALSE(rows.has_value());
  EXPECT_EQ(rows.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(calls, 2);
}

TEST(EngineTest, ProgressIsMinusOneWhenIdle) {
  auto engine = OpenEngine();
  EXPECT_EQ(engine->Progress(), -1);
}

TEST(EngineTest, BadOptionsAreRefused) {
  EngineOptions options;
  options.memory_limit = "lots";
  auto engine = Engine::Open(options);
  ASSERT_FALSE(engine.has_value());
  EXPECT_EQ(engine.error().code, ErrorCode::kInvalidArgument);
}

TEST(EngineTest, OpeningIsCheap) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Engine::Open(EngineOptions{}).has_value());
  const auto each = (std::chrono::steady_clock::now() - start) / 20;
  // A guard against opening growing by orders of magnitude (loading an extension or
  // reading a file per open), not a benchmark: about 10 ms here, 130 ms under ASan on a
  // loaded two-core machine.
  EXPECT_LT(each, std::chrono::seconds(1));
  std::printf("Engine::Open + close: %.2f ms\n",
              std::chrono::duration<double, std::milli>(each).count());
}

TEST(PartialFileTest, RemovedUnlessCommitted) {
  const auto dir = std::filesystem::temp_directory_path() / "aimass_partial_test";
  std::filesystem::create_directories(dir);
  {
    PartialFile file(dir / "out.parquet");
    std::ofstream(file.partial()) << "x";
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "out.parquet.partial"));
  EXPECT_FALSE(std::filesystem::exists(dir / "out.parquet"));
  {
    PartialFile file(dir / "out.parquet");
    std::ofstream(file.partial()) << "x";
    ASSERT_TRUE(file.Commit().has_value());
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "out.parquet"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace aimass::data
