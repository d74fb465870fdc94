// RequestBatcher: off, it is the model's own call; on, concurrent requests share model calls
// and each gets exactly the answer it would have got alone; a request the model refuses
// gets its own error without failing the others of its batch.
#include "serve/request_batcher.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "serve/serve_fixture.h"

namespace aimass::serve {
namespace {
using nlohmann::json;
using testing::Record;

class RequestBatcherTest : public testing::ServeTest {
 protected:
  void SetUp() override {
    ServeTest::SetUp();
    auto loaded = loader_->Load(RegisterTrained("credit", 1));
    ASSERT_TRUE(loaded) << loaded.error().message;
    model_ = *loaded;
  }

  // What the model answers for `records` alone.
  json Alone(const json& records) {
    auto answer = model_->pipeline->PredictRecords(records);
    EXPECT_TRUE(answer) << answer.error().message;
    return answer ? *answer : json();
  }

  // `threads` requests at once, request i with records {Record(i)}; the answers by i.
  std::vector<Result<json>> AtOnce(RequestBatcher& batcher, int threads, int bad_request = -1) {
    std::vector<Result<json>> answers(threads, Fail(ErrorCode::kInternal, "not run"));
    std::vector<std::thread> running;
    for (int i = 0; i < threads; ++i) {
      running.emplace_back([&, i] {
        json record = Record(0.25 * i);
        if (i == bad_request) record["x1"] = "not a number";
        answers[i] = batcher.Predict(model_->pipeline, json::array({record}));
      });
    }
    for (auto& thread : running) thread.join();
    return answers;
  }

  std::shared_ptr<const LoadedModel> model_;
};

TEST_F(RequestBatcherTest, OffCallsTheModelOncePerRequest) {
  RequestBatcher batcher({});
  EXPECT_FALSE(batcher.enabled());
  const auto answers = AtOnce(batcher, 4);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(answers[i]) << answers[i].error().message;
    EXPECT_EQ(*answers[i], Alone(json::array({Record(0.25 * i)})));
  }
  EXPECT_EQ(batcher.model_calls(), 4u);
}

TEST_F(RequestBatcherTest, ConcurrentRequestsShareModelCallsAndKeepTheirOwnAnswers) {
  // A long delay and a batch of exactly the thread count: the first request waits for all.
  RequestBatcher batcher({.max_rows = 8, .max_delay = std::chrono::seconds(5)});
  ASSERT_TRUE(batcher.enabled());
  const auto answers = AtOnce(batcher, 8);
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(answers[i]) << answers[i].error().message;
    EXPECT_EQ(*answers[i], Alone(json::array({Record(0.25 * i)}))) << "request " << i;
  }
  EXPECT_LT(batcher.model_calls(), 8u);
}

TEST_F(RequestBatcherTest, ALoneRequestWaitsOnlyTheDelay) {
  RequestBatcher batcher({.max_rows = 64, .max_delay = std::chrono::milliseconds(20)});
  const auto start = std::chrono::steady_clock::now();
  auto answer = batcher.Predict(model_->pipeline, json::array({Record(1)}));
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(*answer, Alone(json::array({Record(1)})));
  EXPECT_LT(waited, std::chrono::seconds(2));
}

TEST_F(RequestBatcherTest, ARefusedRequestFailsAloneNotItsBatch) {
  RequestBatcher batcher({.max_rows = 6, .max_delay = std::chrono::seconds(5)});
  const auto answers = AtOnce(batcher, 6, /*bad_request=*/2);
  for (int i = 0; i < 6; ++i) {
    if (i == 2) {
      ASSERT_FALSE(answers[i]);
      EXPECT_NE(answers[i].error().message.find("x1"), std::string::npos)
          << answers[i].error().message;
      continue;
    }
    ASSERT_TRUE(answers[i]) << "request " << i << ": " << answers[i].error().message;
    EXPECT_EQ(*answers[i], Alone(json::array({Record(0.25 * i)})));
  }
}

}  // namespace
}  // namespace aimass::serve
