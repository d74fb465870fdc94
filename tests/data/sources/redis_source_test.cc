#include "data/sources/redis_source.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "data/sources/batch_files.h"
#include "data/sources/redis_server.h"

namespace aimass::data::sources {
namespace {

class RedisSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = RedisTestServer::Start();
    ASSERT_TRUE(started.has_value())
        << "could not start redis-server for the test: " << started.error().message;
    server_ = std::move(*started);
  }

  nlohmann::json Settings(int batch_records, int batch_seconds = 0) const {
    return {{"address", server_->address()},
            {"stream", "events"},
            {"group", "lake"},
            {"consumer", "c1"},
            {"batch_records", batch_records},
            {"batch_seconds", batch_seconds}};
  }

  Result<std::optional<SourceBatch>> Take(const nlohmann::json& settings,
                                          nlohmann::json cursor = nullptr) {
    auto options = ParseRedisSettings(settings);
    if (!options) return Fail(options.error());
    RedisSource source("stream", *options);  // a new object each time, as after a restart
    return runner_.Take(source, std::move(cursor));
  }

  static std::vector<nlohmann::json> Rows(const SourceBatch& batch) {
    return ReadJsonLines(batch.file);
  }

  static std::vector<int> Numbers(const SourceBatch& batch) {
    std::vector<int> numbers;
    for (const auto& row : Rows(batch)) numbers.push_back(std::stoi(row["n"].get<std::string>()));
    return numbers;
  }

  int64_t Pending() const {
    auto reply = server_->Command({"XPENDING", "events", "lake"});
    EXPECT_TRUE(reply.has_value());
    return (*reply)->element[0]->integer;
  }

  std::unique_ptr<RedisTestServer> server_;
  TakeRunner runner_;
};

std::vector<int> Range(int from, int to) {
  std::vector<int> out;
  for (int i = from; i < to; ++i) out.push_back(i);
  return out;
}

TEST_F(RedisSourceTest, CreatesTheGroupAndBatchesByCount) {
  ASSERT_TRUE(server_->AddEntries("events", 25).has_value());
  auto first = Take(Settings(10));
  ASSERT_TRUE(first.has_value()) << first.error().message;
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ(Numbers(**first), Range(0, 10));
  auto row = Rows(**first)[3];
  EXPECT_EQ(row["text"], "entry 3");
  EXPECT_EQ((*first)->cursor["last_id"], Rows(**first)[9]["id"]);
  EXPECT_EQ((*first)->rows, 10);
  ASSERT_TRUE((*first)->oldest_record_millis.has_value());
  EXPECT_EQ(Pending(), 10);  // delivered, not acknowledged until stored
  ASSERT_TRUE((*first)->acknowledge().has_value());
  EXPECT_EQ(Pending(), 0);

  auto second = Take(Settings(10), (*first)->cursor);
  ASSERT_TRUE(second.has_value() && second->has_value());
  EXPECT_EQ(Numbers(**second), Range(10, 20));
  ASSERT_TRUE((*second)->acknowledge().has_value());
  auto third = Take(Settings(10), (*second)->cursor);
  ASSERT_TRUE(third.has_value() && third->has_value());
  EXPECT_EQ(Numbers(**third), Range(20, 25));
  ASSERT_TRUE((*third)->acknowledge().has_value());
  auto none = Take(Settings(10), (*third)->cursor);
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());
}

TEST_F(RedisSourceTest, BatchesByTimeWhenTheStreamIsSlow) {
  ASSERT_TRUE(server_->AddEntries("events", 3).has_value());
  auto start = std::chrono::steady_clock::now();
  auto batch = Take(Settings(1000, 1));
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(batch.has_value() && batch->has_value());
  EXPECT_EQ((*batch)->rows, 3);
  EXPECT_GE(took, std::chrono::milliseconds(900));
  EXPECT_LT(took, std::chrono::seconds(5));
}

// kill -9 between the stored version and XACK, or before the version was stored: after a
// restart (a new source object, the stored cursor) no entry is lost or imported twice.
TEST_F(RedisSourceTest, CrashBeforeAcknowledgeLosesNothingAndDoublesNothing) {
  ASSERT_TRUE(server_->AddEntries("events", 30).has_value());
  auto taken = Take(Settings(20));
  ASSERT_TRUE(taken.has_value() && taken->has_value());
  EXPECT_EQ(Numbers(**taken), Range(0, 20));
  // Crash before the version was stored: the stored cursor is still null.
  auto again = Take(Settings(20));
  ASSERT_TRUE(again.has_value() && again->has_value()) << again.error().message;
  EXPECT_EQ(Numbers(**again), Range(0, 20));
  // The version was stored with its cursor, and the crash came before XACK.
  auto after = Take(Settings(20), (*again)->cursor);
  ASSERT_TRUE(after.has_value() && after->has_value()) << after.error().message;
  EXPECT_EQ(Numbers(**after), Range(20, 30));
  EXPECT_EQ(Pending(), 10);  // the 20 stored ones were acknowledged by that Take
  ASSERT_TRUE((*after)->acknowledge().has_value());
  EXPECT_EQ(Pending(), 0);
}

TEST_F(RedisSourceTest, StartLatestSkipsOlderEntries) {
  ASSERT_TRUE(server_->AddEntries("events", 5).has_value());
  auto settings = Settings(100);
  settings["start"] = "latest";
  auto first = Take(settings);
  ASSERT_TRUE(first.has_value());
  EXPECT_FALSE(first->has_value());
  ASSERT_TRUE(server_->AddEntries("events", 2, 5).has_value());
  auto second = Take(settings);
  ASSERT_TRUE(second.has_value() && second->has_value());
  EXPECT_EQ(Numbers(**second), Range(5, 7));
}

TEST_F(RedisSourceTest, DeletedStreamIsAnError) {
  ASSERT_TRUE(server_->AddEntries("events", 2).has_value());
  auto first = Take(Settings(10));
  ASSERT_TRUE(first.has_value() && first->has_value());
  ASSERT_TRUE((*first)->acknowledge().has_value());
  ASSERT_TRUE(server_->Command({"DEL", "events"}).has_value());
  auto gone = Take(Settings(10), (*first)->cursor);
  ASSERT_FALSE(gone.has_value());
  EXPECT_EQ(gone.error().message,
            "redis source 'stream': the stream 'events' at " + server_->address() +
                " has no consumer group 'lake': the stream was deleted (or the server lost its "
                "data); recreate the stream, or delete and recreate this source to start over");
}

TEST_F(RedisSourceTest, StreamDeletedDuringABlockingReadIsTheSameError) {
  ASSERT_TRUE(server_->AddEntries("events", 2).has_value());
  std::thread deleter([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    (void)server_->Command({"DEL", "events"});
  });
  auto gone = Take(Settings(10, 3));  // waits for more entries until the stream goes
  deleter.join();
  ASSERT_FALSE(gone.has_value());
  EXPECT_NE(gone.error().message.find("the stream 'events' at " + server_->address() +
                                      " has no consumer group 'lake': the stream was deleted"),
            std::string::npos)
      << gone.error().message;
}

TEST_F(RedisSourceTest, ServerGoneIsUnavailable) {
  std::string address = server_->address();
  server_->Stop();
  auto batch = Take(Settings(10));
  ASSERT_FALSE(batch.has_value());
  EXPECT_EQ(batch.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(batch.error().message.rfind("redis source 'stream': cannot connect to Redis at " +
                                            address + ": Connection refused",
                                        0),
            0u)
      << batch.error().message;
}

TEST_F(RedisSourceTest, BinaryValuesAndIdFieldsAreValidJson) {
  ASSERT_TRUE(
      server_
          ->Command({"XADD", "events", "*", "id", "mine", "blob", std::string("a\0b\xFF\"\n", 6)})
          .has_value());
  auto batch = Take(Settings(10));
  ASSERT_TRUE(batch.has_value() && batch->has_value());
  auto row = Rows(**batch).at(0);
  EXPECT_EQ(row["field_id"], "mine");
  EXPECT_EQ(row["blob"],
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD\"\n");
}

TEST_F(RedisSourceTest, TakesAHundredThousandEntriesQuickly) {
  ASSERT_TRUE(server_->AddEntries("events", 100'000).has_value());
  auto start = std::chrono::steady_clock::now();
  auto batch = Take(Settings(100'000));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(batch.has_value() && batch->has_value());
  EXPECT_EQ((*batch)->rows, 100'000);
  ASSERT_TRUE((*batch)->acknowledge().has_value());
  EXPECT_EQ(Pending(), 0);
  std::printf("took 100,000 entries in %.3f s (%.0f records/s, without the import)\n", seconds,
              100'000 / seconds);
}

TEST(RedisPasswordTest, WrongOrMissingPasswordSaysWhichSetting) {
  auto started = RedisTestServer::Start("s3cret");
  ASSERT_TRUE(started.has_value()) << started.error().message;
  const std::string address = (*started)->address();
  ASSERT_TRUE((*started)->AddEntries("events", 3).has_value());
  nlohmann::json settings = {{"address", address}, {"stream", "events"}, {"batch_seconds", 0}};
  TakeRunner runner;
  auto take = [&]() {
    auto options = ParseRedisSettings(settings);
    EXPECT_TRUE(options.has_value());
    RedisSource source("stream", *options);
    return runner.Take(source, nullptr);
  };
  auto missing = take();
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("wants a password"), std::string::npos)
      << missing.error().message;
  setenv("AIMASS_TEST_REDIS_PASSWORD", "wrong", 1);
  settings["password_env"] = "AIMASS_TEST_REDIS_PASSWORD";
  auto wrong = take();
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(
      wrong.error().message.rfind(
          "redis source 'stream': Redis at " + address + " refused the password: WRONGPASS", 0),
      0u)
      << wrong.error().message;
  setenv("AIMASS_TEST_REDIS_PASSWORD", "s3cret", 1);
  auto right = take();
  ASSERT_TRUE(right.has_value() && right->has_value()) << right.error().message;
  EXPECT_EQ((*right)->rows, 3);
  unsetenv("AIMASS_TEST_REDIS_PASSWORD");
}

TEST(RedisSettingsTest, ErrorsNameTheField) {
  EXPECT_EQ(ParseRedisSettings({{"stream", "s"}}).error().message, "settings.address is required");
  EXPECT_EQ(ParseRedisSettings({{"address", "nohost"}, {"stream", "s"}}).error().message,
            "settings.address: 'nohost' is not host:port, like \"127.0.0.1:6379\"");
  EXPECT_NE(ParseRedisSettings({{"address", "h:1"}, {"stream", "s"}, {"start", "middle"}})
                .error()
                .message.find("settings.start must be"),
            std::string::npos);
  auto options = ParseRedisSettings({{"address", "h:1"}, {"stream", "s"}});
  ASSERT_TRUE(options.has_value());
  EXPECT_EQ(options->group, "aimass");
  EXPECT_TRUE(options->consumer.starts_with("aimass-"));
  EXPECT_EQ(options->batch_records, 10'000);
  EXPECT_EQ(options->batch_millis, 5'000);
}

}  // namespace
}  // namespace aimass::data::sources
