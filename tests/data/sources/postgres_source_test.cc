#include "data/sources/postgres_source.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <vector>

#include "data/sources/batch_files.h"
#include "data/sources/postgres_server.h"

namespace aimass::data::sources {
namespace {

constexpr const char* kPasswordVariable = "AIMASS_TEST_PG_PASSWORD";

// One server for the suite (starting one takes seconds). A test fails, never skips, when
// it could not start.
class PostgresSourceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = PostgresTestServer::Start();
    if (started) {
      server_ = std::move(*started).release();
    } else {
      start_error_ = new std::string(started.error().message);
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete start_error_;
    start_error_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(server_, nullptr) << "could not start PostgreSQL for the test: "
                                << (start_error_ ? *start_error_ : "");
    setenv(kPasswordVariable, server_->password().c_str(), 1);
    Sql("SET client_min_messages = warning; DROP TABLE IF EXISTS events; CREATE TABLE events (id "
        "int PRIMARY KEY, name text, "
        "score float8, ok bool, at timestamptz, day date, big int8, price numeric, "
        "tags jsonb)");
  }

  static void Sql(const std::string& sql) {
    auto done = server_->Sql(sql);
    ASSERT_TRUE(done.has_value()) << done.error().message;
  }

  static nlohmann::json Settings(std::string query, std::string cursor = "") {
    nlohmann::json settings = {
        {"dsn", server_->Dsn()}, {"password_env", kPasswordVariable}, {"query", std::move(query)}};
    if (!cursor.empty()) settings["cursor_column"] = std::move(cursor);
    return settings;
  }

  Result<std::optional<SourceBatch>> Take(const nlohmann::json& settings,
                                          nlohmann::json cursor = nullptr) {
    auto options = ParsePostgresSettings(settings);
    if (!options) return Fail(options.error());
    PostgresSource source("shop", *options);
    return runner_.Take(source, std::move(cursor));
  }

  static std::vector<int> Ids(const SourceBatch& batch) {
    std::vector<int> ids;
    for (const auto& row : ReadBatchRows(batch)) ids.push_back(row["id"]);
    return ids;
  }

  static PostgresTestServer* server_;
  static std::string* start_error_;
  TakeRunner runner_;
};

PostgresTestServer* PostgresSourceTest::server_ = nullptr;
std::string* PostgresSourceTest::start_error_ = nullptr;

TEST_F(PostgresSourceTest, FullLoadThenIncrementalTakesOnlyNewRows) {
  Sql("INSERT INTO events (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  auto settings = Settings("SELECT id, name FROM events;", "id");
  auto first = Take(settings);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ(Ids(**first), std::vector<int>({1, 2, 3}));
  EXPECT_EQ((*first)->rows, 3);
  EXPECT_EQ((*first)->cursor, nlohmann::json({{"value", "3"}, {"type", "int4"}}));

  Sql("INSERT INTO events (id, name) VALUES (5, 'e'), (4, 'd')");
  auto second = Take(settings, (*first)->cursor);
  ASSERT_TRUE(second.has_value() && second->has_value());
  EXPECT_EQ(Ids(**second), std::vector<int>({4, 5}));
  auto none = Take(settings, (*second)->cursor);
  ASSERT_TRUE(none.has_value()) << none.error().message;
  EXPECT_FALSE(none->has_value());
}

TEST_F(PostgresSourceTest, TypesAndNullsAreKept) {
  Sql("INSERT INTO events VALUES (1, 'x \"q\" é', 1.5, true, '2024-01-02 03:04:05.123+02', "
      "'2024-01-02', 9007199254740993, 12.50, '{\"k\": [1]}'), "
      "(2, NULL, 'NaN', false, NULL, NULL, NULL, NULL, NULL)");
  auto batch = Take(Settings("SELECT * FROM events", "id"));
  ASSERT_TRUE(batch.has_value() && batch->has_value()) << batch.error().message;
  auto rows = ReadBatchRows(**batch);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["name"], "x \"q\" é");
  EXPECT_EQ(rows[0]["score"], 1.5);
  EXPECT_EQ(rows[0]["ok"], true);
  EXPECT_EQ(rows[0]["at"], "2024-01-02 01:04:05.123");  // timestamptz, in UTC
  EXPECT_EQ(rows[0]["day"], "2024-01-02");
  EXPECT_EQ(rows[0]["big"], 9007199254740993);
  EXPECT_EQ(rows[0]["price"], 12.5);
  EXPECT_EQ(rows[0]["tags"], "{\"k\": [1]}");
  for (const char* column : {"name", "score", "at", "day", "big", "price", "tags"}) {
    EXPECT_TRUE(rows[1][column].is_null()) << column;
  }
  EXPECT_EQ(rows[1]["ok"], false);
  EXPECT_EQ(BatchTypes(**batch), (std::map<std::string, std::string>{{"id", "INTEGER"},
                                                                     {"name", "VARCHAR"},
                                                                     {"score", "DOUBLE"},
                                                                     {"ok", "BOOLEAN"},
                                                                     {"at", "TIMESTAMP"},
                                                                     {"day", "DATE"},
                                                                     {"big", "BIGINT"},
                                                                     {"price", "DOUBLE"},
                                                                     {"tags", "VARCHAR"}}));
}

// A batch cut at batch_rows never splits the rows that share a cursor value.
TEST_F(PostgresSourceTest, BatchRowsNeverSplitsACursorValue) {
  Sql("INSERT INTO events (id, big) VALUES (1, 10), (2, 20), (3, 20), (4, 30)");
  auto settings = Settings("SELECT id, big FROM events", "big");
  settings["batch_rows"] = 3;
  auto first = Take(settings);
  ASSERT_TRUE(first.has_value() && first->has_value()) << first.error().message;
  EXPECT_EQ(Ids(**first), std::vector<int>({1}));
  auto second = Take(settings, (*first)->cursor);
  ASSERT_TRUE(second.has_value() && second->has_value());
  EXPECT_EQ(Ids(**second), std::vector<int>({2, 3}));
  auto third = Take(settings, (*second)->cursor);
  ASSERT_TRUE(third.has_value() && third->has_value());
  EXPECT_EQ(Ids(**third), std::vector<int>({4}));
  settings["batch_rows"] = 1;
  auto stuck = Take(settings, (*first)->cursor);
  ASSERT_FALSE(stuck.has_value());
  EXPECT_NE(stuck.error().message.find("raise batch_rows"), std::string::npos);
}

TEST_F(PostgresSourceTest, WholeResultMakesABatchOnlyWhenItChanged) {
  Sql("INSERT INTO events (id) VALUES (1), (2)");
  auto settings = Settings("SELECT id FROM events ORDER BY id");
  auto first = Take(settings);
  ASSERT_TRUE(first.has_value() && first->has_value()) << first.error().message;
  EXPECT_EQ((*first)->rows, 2);
  auto same = Take(settings, (*first)->cursor);
  ASSERT_TRUE(same.has_value());
  EXPECT_FALSE(same->has_value());
  Sql("INSERT INTO events (id) VALUES (3)");
  auto changed = Take(settings, (*first)->cursor);
  ASSERT_TRUE(changed.has_value() && changed->has_value());
  EXPECT_EQ(Ids(**changed), std::vector<int>({1, 2, 3}));
}

TEST_F(PostgresSourceTest, WrongPasswordIsARefusedLogin) {
  setenv(kPasswordVariable, "wrong", 1);
  auto batch = Take(Settings("SELECT 1 AS id"));
  ASSERT_FALSE(batch.has_value());
  EXPECT_EQ(batch.error().message,
            "postgres source 'shop': PostgreSQL refused the login for user 'aimass' at "
            "127.0.0.1:" +
                std::to_string(server_->port()) +
                ": password authentication failed for user \"aimass\"; check the source's dsn "
                "and the variable named by password_env");
  unsetenv(kPasswordVariable);
  auto missing = Take(Settings("SELECT 1 AS id"));
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("names the environment variable " +
                                         std::string(kPasswordVariable)),
            std::string::npos);
}

TEST_F(PostgresSourceTest, MissingDatabaseIsARefusal) {
  auto settings = Settings("SELECT 1 AS id");
  settings["dsn"] = server_->Dsn() + " dbname=nope";
  auto batch = Take(settings);
  ASSERT_FALSE(batch.has_value());
  EXPECT_EQ(batch.error().message,
            "postgres source 'shop': PostgreSQL at 127.0.0.1:" + std::to_string(server_->port()) +
                " refused the connection: database \"nope\" does not exist; check the source's "
                "dsn");
}

TEST_F(PostgresSourceTest, UnreachableServerSaysSo) {
  auto settings = Settings("SELECT 1 AS id");
  settings["dsn"] = "host=127.0.0.1 port=" + std::to_string(FreeLoopbackPort()) + " user=x";
  auto batch = Take(settings);
  ASSERT_FALSE(batch.has_value());
  EXPECT_EQ(batch.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(batch.error().message.find("cannot connect to PostgreSQL at 127.0.0.1:"),
            std::string::npos)
      << batch.error().message;
}

TEST_F(PostgresSourceTest, BadQueriesNameTheSourceAndPostgresReason) {
  auto missing = Take(Settings("SELECT * FROM no_such_table"));
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("postgres source 'shop': PostgreSQL at 127.0.0.1:"),
            std::string::npos)
      << missing.error().message;
  EXPECT_NE(
      missing.error().message.find("relation \"no_such_table\" does not exist (SQLSTATE 42P01)"),
      std::string::npos);
  auto column = Take(Settings("SELECT id, name FROM events", "updated_at"));
  ASSERT_FALSE(column.has_value());
  EXPECT_EQ(column.error().message,
            "postgres source 'shop': settings.cursor_column 'updated_at' is not a column of "
            "the query's result (id, name); name one of them, or select it in the query");
  Sql("CREATE SEQUENCE IF NOT EXISTS counter");
  auto write = Take(Settings("SELECT nextval('counter') AS id"));
  ASSERT_FALSE(write.has_value());
  EXPECT_NE(write.error().message.find("read-only transaction"), std::string::npos)
      << write.error().message;
}

TEST_F(PostgresSourceTest, SettingsAreChecked) {
  EXPECT_NE(ParsePostgresSettings({{"dsn", "host=x password=p"}, {"query", "SELECT 1"}})
                .error()
                .message.find("must not hold the password"),
            std::string::npos);
  EXPECT_NE(ParsePostgresSettings({{"dsn", "host"}, {"query", "SELECT 1"}})
                .error()
                .message.find("settings.dsn is not a libpq connection string"),
            std::string::npos);
  EXPECT_EQ(ParsePostgresSettings({{"dsn", "host=x"}}).error().message,
            "settings.query is required");
  EXPECT_EQ(ParsePostgresSettings({{"dsn", "host=x"}, {"query", " ; "}}).error().message,
            "settings.query must be a SELECT, like \"SELECT * FROM orders\"");
}

}  // namespace
}  // namespace aimass::data::sources
