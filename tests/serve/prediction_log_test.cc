// PredictionLog: sampling by id, JSON lines per endpoint, rotation and trimming, feedback and
// live quality per version, cut lines, a full queue that drops instead of blocking, Remove.
#include "serve/prediction_log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/files.h"
#include "common/hash.h"
#include "security/crypto/key_ring.h"

namespace aimass::serve {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kEndpoint = "credit";

PredictionEntry Entry(const std::string& id, const json& prediction,
                      const std::string& model = "credit@1", bool shadow = false) {
  PredictionEntry entry;
  entry.id = id;
  entry.endpoint = kEndpoint;
  entry.model = model;
  entry.version = std::stoll(model.substr(model.find('@') + 1));
  entry.shadow = shadow;
  entry.input = json({{"age", 31}, {"city", "lima"}}).dump();
  entry.output = json({{"prediction", prediction}}).dump();
  return entry;
}

std::vector<json> ReadLines(const fs::path& file) {
  std::vector<json> lines;
  std::ifstream in(file);
  std::string text;
  while (std::getline(in, text)) lines.push_back(json::parse(text));
  return lines;
}

// The quality item for `model` (shadow or not); null when Quality has none.
json VersionOf(const json& quality, const std::string& model, bool shadow = false) {
  for (const auto& item : quality["versions"]) {
    if (item["model"] == model && item["shadow"] == shadow) return item;
  }
  return nullptr;
}

class PredictionLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aimass-predictions-" + RandomHex(6));
    options_.dir = dir_;
  }
  void TearDown() override {
    log_.reset();
    fs::remove_all(dir_);
  }

  PredictionLog& Open() {
    log_ = std::make_unique<PredictionLog>(options_, clock_);
    return *log_;
  }
  fs::path Folder() const { return dir_ / kEndpoint; }

  int64_t FolderBytes() const {
    int64_t total = 0;
    for (const auto& entry : fs::directory_iterator(Folder())) {
      total += static_cast<int64_t>(entry.file_size());
    }
    return total;
  }
  std::vector<std::string> FileNames() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(Folder())) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path dir_;
  PredictionLogOptions options_;
  ManualClock clock_;
  std::unique_ptr<PredictionLog> log_;
};

TEST_F(PredictionLogTest, SampleRateZeroKeepsNothingAndOneKeepsEverything) {
  options_.sample_rate = 0;
  PredictionLog& none = Open();
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(none.Sampled("p-" + std::to_string(i)));
  none.Record({Entry("p-1", "yes"), Entry("p-2", "no")});
  none.Flush();
  EXPECT_FALSE(fs::exists(Folder()));

  options_.sample_rate = 1;
  PredictionLog& all = Open();
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(all.Sampled("p-" + std::to_string(i)));
  all.Record({Entry("p-1", "yes"), Entry("p-2", "no")});
  all.Flush();
  EXPECT_EQ(ReadLines(Folder() / "predictions.jsonl").size(), 2u);
}

TEST_F(PredictionLogTest, HalfTheIdsAreSampledTheSameWayEveryTime) {
  options_.sample_rate = 0.5;
  PredictionLog& log = Open();
  PredictionLog again(options_, clock_);
  int sampled = 0;
  std::vector<PredictionEntry> entries;
  std::set<std::string> expected;
  for (int i = 0; i < 2000; ++i) {
    const std::string id = "p18c2f-" + std::to_string(i);
    const bool in = log.Sampled(id);
    EXPECT_EQ(in, log.Sampled(id));
    EXPECT_EQ(in, again.Sampled(id));  // another log (as after a restart) agrees
    sampled += in;
    if (in) expected.insert(id);
    entries.push_back(Entry(id, "yes"));
  }
  EXPECT_GT(sampled, 850);
  EXPECT_LT(sampled, 1150);
  // Record keeps exactly the sampled ones.
  log.Record(std::move(entries));
  log.Flush();
  std::set<std::string> written;
  for (const auto& line : ReadLines(Folder() / "predictions.jsonl")) written.insert(line["id"]);
  EXPECT_EQ(written, expected);
}

TEST_F(PredictionLogTest, RecordWritesOneJsonLinePerPredictionWithItsFields) {
  PredictionLog& log = Open();
  const int64_t recorded_at = clock_.NowMillis();
  log.Record({Entry("p1-0", "yes"), Entry("p1-1", 12.5, "credit@3", /*shadow=*/true)});
  clock_.Advance(5000);
  log.Feedback(kEndpoint, "p1-0", "no");
  log.Flush();

  const auto lines = ReadLines(Folder() / "predictions.jsonl");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], json({{"id", "p1-0"},
                            {"time", recorded_at},
                            {"model", "credit@1"},
                            {"version", 1},
                            {"shadow", false},
                            {"input", {{"age", 31}, {"city", "lima"}}},
                            {"output", {{"prediction", "yes"}}}}));
  EXPECT_EQ(lines[1]["model"], "credit@3");
  EXPECT_EQ(lines[1]["version"], 3);
  EXPECT_EQ(lines[1]["shadow"], true);
  EXPECT_EQ(lines[1]["output"]["prediction"], 12.5);

  const auto feedback = ReadLines(Folder() / "feedback.jsonl");
  ASSERT_EQ(feedback.size(), 1u);
  EXPECT_EQ(feedback[0], json({{"id", "p1-0"}, {"time", recorded_at + 5000}, {"truth", "no"}}));
  EXPECT_EQ(log.dropped(), 0u);
}

TEST_F(PredictionLogTest, EndpointsHaveFoldersOfTheirOwn) {
  PredictionLog& log = Open();
  auto other = Entry("p1-0", "yes");
  other.endpoint = "fraud";
  log.Record({Entry("p1-0", "yes")});
  log.Record({other, other});
  log.Flush();
  EXPECT_EQ(ReadLines(dir_ / kEndpoint / "predictions.jsonl").size(), 1u);
  EXPECT_EQ(ReadLines(dir_ / "fraud" / "predictions.jsonl").size(), 2u);
}

TEST_F(PredictionLogTest, AFileRotatesPastMaxFileBytes) {
  options_.max_file_bytes = 400;
  PredictionLog& log = Open();
  std::vector<int64_t> times;
  for (int i = 0; i < 12; ++i) {
    log.Record({Entry("p-" + std::to_string(i), "yes")});
    log.Flush();
    times.push_back(clock_.NowMillis());
    clock_.Advance(7);
  }
  const std::regex rotated(R"(predictions-(\d+)\.jsonl)");
  int rotations = 0;
  size_t lines = 0;
  for (const auto& name : FileNames()) {
    const auto size = static_cast<int64_t>(fs::file_size(Folder() / name));
    EXPECT_LE(size, options_.max_file_bytes) << name;
    lines += ReadLines(Folder() / name).size();
    std::smatch match;
    if (name == "predictions.jsonl") continue;
    ASSERT_TRUE(std::regex_match(name, match, rotated)) << name;
    // Named for the time it rotated: one of the times a write happened.
    EXPECT_NE(std::find(times.begin(), times.end(), std::stoll(match[1])), times.end()) << name;
    ++rotations;
  }
  EXPECT_GE(rotations, 2);
  EXPECT_EQ(lines, 12u);  // nothing lost across rotations
  EXPECT_EQ(VersionOf(*log.Quality(kEndpoint), "credit@1")["predictions"], 12);
}

TEST_F(PredictionLogTest, TwoRotationsInOneMillisecondKeepBothFiles) {
  options_.max_file_bytes = 300;
  PredictionLog& log = Open();
  // The clock does not move: every rotation gets the same name.
  for (int i = 0; i < 8; ++i) log.Record({Entry("p-" + std::to_string(i), "yes")});
  log.Flush();
  auto quality = log.Quality(kEndpoint);
  ASSERT_TRUE(quality);
  EXPECT_EQ(VersionOf(*quality, "credit@1")["predictions"], 8);
}

TEST_F(PredictionLogTest, TrimmingKeepsTheFolderUnderItsLimitAndDropsTheOldest) {
  options_.max_file_bytes = 400;
  options_.max_endpoint_bytes = 1500;
  PredictionLog& log = Open();
  int64_t biggest = 0;
  for (int i = 0; i < 80; ++i) {
    log.Record({Entry("p-" + std::to_string(i), "yes")});
    if (i % 4 == 0) log.Feedback(kEndpoint, "p-" + std::to_string(i), "yes");
    log.Flush();
    clock_.Advance(3);
    biggest = std::max(biggest, FolderBytes());
  }
  // The limit, plus what the active files (one per kind) took in since the last trim.
  EXPECT_LE(biggest, options_.max_endpoint_bytes + 2 * options_.max_file_bytes);
  EXPECT_LE(FolderBytes(), options_.max_endpoint_bytes + 2 * options_.max_file_bytes);

  auto quality = log.Quality(kEndpoint);
  ASSERT_TRUE(quality);
  const json version = VersionOf(*quality, "credit@1");
  EXPECT_GT(version["predictions"], 0);
  EXPECT_LT(version["predictions"], 80);  // some went
  // The newest are kept, the oldest went.
  std::set<std::string> ids;
  for (const auto& name : FileNames()) {
    if (!name.starts_with("predictions")) continue;
    for (const auto& line : ReadLines(Folder() / name)) ids.insert(line["id"]);
  }
  EXPECT_TRUE(ids.contains("p-79"));
  EXPECT_FALSE(ids.contains("p-0"));
}

TEST_F(PredictionLogTest, QualityGivesAccuracyPerVersionAndShadowsApart) {
  PredictionLog& log = Open();
  log.Record({Entry("a1", "yes"), Entry("a2", "yes"), Entry("a3", "no"), Entry("a4", "no"),
              Entry("a5", "yes")});
  log.Record({Entry("b1", "yes", "credit@2"), Entry("b2", "yes", "credit@2")});
  // The shadow saw a1 and a2 too and said "no" to both.
  log.Record({Entry("a1", "no", "credit@2", true), Entry("a2", "no", "credit@2", true)});
  log.Feedback(kEndpoint, "a1", "no");
  log.Feedback(kEndpoint, "a1", "yes");  // the latest wins
  log.Feedback(kEndpoint, "a2", "no");
  log.Feedback(kEndpoint, "a3", "no");
  log.Feedback(kEndpoint, "a4", "yes");
  log.Feedback(kEndpoint, "b1", "yes");
  log.Feedback(kEndpoint, "b2", "yes");
  log.Feedback(kEndpoint, "ghost", "yes");  // no such prediction: ignored

  auto quality = log.Quality(kEndpoint);
  ASSERT_TRUE(quality) << quality.error().message;
  EXPECT_EQ((*quality)["endpoint"], kEndpoint);
  ASSERT_EQ((*quality)["versions"].size(), 3u) << quality->dump();
  const json v1 = VersionOf(*quality, "credit@1");
  EXPECT_EQ(v1["predictions"], 5);
  EXPECT_EQ(v1["with_feedback"], 4);
  EXPECT_DOUBLE_EQ(v1["accuracy"].get<double>(), 0.5);  // a1, a3 right; a2, a4 wrong
  EXPECT_FALSE(v1.contains("rmse"));
  const json v2 = VersionOf(*quality, "credit@2");
  EXPECT_EQ(v2["predictions"], 2);
  EXPECT_DOUBLE_EQ(v2["accuracy"].get<double>(), 1.0);
  const json shadow = VersionOf(*quality, "credit@2", true);
  EXPECT_EQ(shadow["predictions"], 2);
  EXPECT_EQ(shadow["with_feedback"], 2);
  EXPECT_DOUBLE_EQ(shadow["accuracy"].get<double>(), 0.5);  // a2 right, a1 wrong
}

TEST_F(PredictionLogTest, QualityGivesRmseAndMaeForNumbers) {
  PredictionLog& log = Open();
  log.Record({Entry("r1", 2.0), Entry("r2", 5.0), Entry("r3", 1.0), Entry("r4", 9.0)});
  log.Feedback(kEndpoint, "r1", 3.0);   // error -1
  log.Feedback(kEndpoint, "r2", 5);     // error 0
  log.Feedback(kEndpoint, "r3", -1.0);  // error 2
  auto quality = log.Quality(kEndpoint);
  ASSERT_TRUE(quality) << quality.error().message;
  const json version = VersionOf(*quality, "credit@1");
  EXPECT_EQ(version["predictions"], 4);
  EXPECT_EQ(version["with_feedback"], 3);
  EXPECT_NEAR(version["rmse"].get<double>(), std::sqrt(5.0 / 3), 1e-12);
  EXPECT_NEAR(version["mae"].get<double>(), 1.0, 1e-12);
  EXPECT_FALSE(version.contains("accuracy"));
}

TEST_F(PredictionLogTest, QualityWithoutFeedbackOrPredictions) {
  PredictionLog& log = Open();
  auto empty = log.Quality("nothing-here");
  ASSERT_TRUE(empty);
  EXPECT_EQ((*empty)["versions"], json::array());
  log.Record({Entry("a1", "yes")});
  log.Feedback(kEndpoint, "zz", "yes");
  auto quality = log.Quality(kEndpoint);
  ASSERT_TRUE(quality);
  const json version = VersionOf(*quality, "credit@1");
  EXPECT_EQ(version["predictions"], 1);
  EXPECT_EQ(version["with_feedback"], 0);
  EXPECT_FALSE(version.contains("accuracy"));
}

TEST_F(PredictionLogTest, AGarbledLineIsSkipped) {
  PredictionLog& log = Open();
  log.Record({Entry("a1", "yes")});
  log.Flush();
  std::ofstream(Folder() / "predictions.jsonl", std::ios::app) << "{\"id\":\"a2\",\"mod\n";
  std::ofstream(Folder() / "feedback.jsonl", std::ios::app) << "not json at all\n";
  log.Record({Entry("a3", "no")});
  log.Feedback(kEndpoint, "a1", "yes");
  log.Feedback(kEndpoint, "a3", "yes");
  auto quality = log.Quality(kEndpoint);
  ASSERT_TRUE(quality) << quality.error().message;
  const json version = VersionOf(*quality, "credit@1");
  EXPECT_EQ(version["predictions"], 2);
  EXPECT_EQ(version["with_feedback"], 2);
  EXPECT_DOUBLE_EQ(version["accuracy"].get<double>(), 0.5);
}

TEST_F(PredictionLogTest, ALineCutByACrashDoesNotSwallowTheNextOne) {
  options_.sample_rate = 1;
  {
    PredictionLog before_crash(options_, clock_);
    before_crash.Record({Entry("a1", "yes")});
    before_crash.Flush();
  }
  // The process died half-way through writing a line: no newline at the end of the file.
  std::ofstream(Folder() / "predictions.jsonl", std::ios::app) << R"({"id":"a2","time":17)";
  PredictionLog& log = Open();  // restarted
  log.Record({Entry("a3", "no")});
  log.Feedback(kEndpoint, "a3", "no");
  auto quality = log.Quality(kEndpoint);
  ASSERT_TRUE(quality) << quality.error().message;
  const json version = VersionOf(*quality, "credit@1");
  EXPECT_EQ(version["predictions"], 2) << quality->dump();
  EXPECT_EQ(version["with_feedback"], 1);
}

TEST_F(PredictionLogTest, InNormalUseNothingIsDroppedAndRecordReturnsAtOnce) {
  PredictionLog& log = Open();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 500; ++i) log.Record({Entry("p-" + std::to_string(i), "yes")});
  const auto posted = std::chrono::steady_clock::now() - start;
  EXPECT_LT(posted, std::chrono::seconds(2));
  log.Flush();
  EXPECT_EQ(log.dropped(), 0u);
  EXPECT_EQ(ReadLines(Folder() / "predictions.jsonl").size(), 500u);
}

// The writer is stuck (its file is a FIFO nobody reads yet): Record still returns at once,
// and what does not fit in the queue is dropped and counted.
TEST_F(PredictionLogTest, AFullQueueDropsInsteadOfBlocking) {
  options_.queue_capacity = 1;
  fs::create_directories(Folder());
  const fs::path fifo = Folder() / "predictions.jsonl";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  PredictionLog& log = Open();
  // The first record is larger than a pipe holds: its write blocks until someone reads.
  PredictionEntry large = Entry("p-0", "yes");
  large.input = json({{"blob", std::string(1 << 20, 'x')}}).dump();
  const auto start = std::chrono::steady_clock::now();
  log.Record({large});
  for (int i = 1; i < 10; ++i) log.Record({Entry("p-" + std::to_string(i), "yes")});
  const auto posted = std::chrono::steady_clock::now() - start;
  const uint64_t dropped = log.dropped();

  // Let the writer through: read everything it writes until Flush returns.
  const int reader = open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  std::atomic<bool> flushed{false};
  std::string text;
  std::thread drain([&] {
    char buffer[65536];
    while (true) {
      const bool last = flushed;
      ssize_t n;
      while ((n = read(reader, buffer, sizeof buffer)) > 0)
        text.append(buffer, static_cast<size_t>(n));
      if (last) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  log.Flush();
  flushed = true;
  drain.join();
  close(reader);

  EXPECT_LT(posted, std::chrono::seconds(1));
  // The first batch is being written (stuck) or waits, at most one more waits; the rest
  // were dropped.
  EXPECT_GE(dropped, 8u);
  EXPECT_LE(dropped, 9u);
  EXPECT_EQ(log.dropped(), dropped);
  EXPECT_EQ(static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n')), 10 - dropped);
}

TEST_F(PredictionLogTest, RemoveDeletesTheEndpointsFolder) {
  PredictionLog& log = Open();
  auto other = Entry("f1", "yes");
  other.endpoint = "fraud";
  log.Record({Entry("a1", "yes"), Entry("a2", "no")});
  log.Record({other});
  log.Feedback(kEndpoint, "a1", "yes");
  log.Remove(kEndpoint);  // waits for what was posted, then deletes
  EXPECT_FALSE(fs::exists(Folder()));
  EXPECT_TRUE(fs::exists(dir_ / "fraud" / "predictions.jsonl"));
  auto quality = log.Quality(kEndpoint);
  ASSERT_TRUE(quality);
  EXPECT_EQ((*quality)["versions"], json::array());
}

TEST_F(PredictionLogTest, EncryptedLogHoldsNoPlaintextAndRefusesAlteredBatches) {
  const fs::path key_dir = dir_ / "key-dir";
  fs::create_directories(key_dir);
  auto keys = security::crypto::KeyRing::Open(
      key_dir, *security::crypto::MasterKey::FromHex(std::string(64, '7'), "test key"));
  ASSERT_TRUE(keys) << keys.error().message;
  options_.keys = keys->get();
  PredictionLog& log = Open();
  log.Record({Entry("p-1", "yes"), Entry("p-2", "no")});
  log.Feedback(kEndpoint, "p-1", "yes");
  log.Flush();
  log_.reset();  // closes the files
  const std::string stored = *ReadFile(Folder() / "predictions.jsonl");
  EXPECT_EQ(stored.find("lima"), std::string::npos);
  EXPECT_EQ(stored.find("credit@1"), std::string::npos);
  json version = VersionOf(*Open().Quality(kEndpoint), "credit@1");
  EXPECT_EQ(version["predictions"], 2);
  EXPECT_EQ(version["with_feedback"], 1);

  // One changed character: the batch is refused and counted, not read as predictions.
  log_.reset();
  std::string altered = stored;
  altered[altered.size() / 2] = altered[altered.size() / 2] == 'A' ? 'B' : 'A';
  ASSERT_TRUE(WriteFileAtomically(Folder() / "predictions.jsonl", altered));
  auto quality = Open().Quality(kEndpoint);
  ASSERT_TRUE(quality);
  EXPECT_EQ((*quality)["unreadable_batches"], 1);
  EXPECT_TRUE(VersionOf(*quality, "credit@1").is_null());
}

}  // namespace
}  // namespace aimass::serve
