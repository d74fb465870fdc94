// BackgroundQueue: tasks run in order on one thread, a full queue drops (and counts) instead
// of blocking, Drain waits for what was posted, the destructor runs what is queued, and with
// a gather time the thread takes what gathered in one wake.
#include "serve/background_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <latch>
#include <mutex>
#include <thread>
#include <vector>

namespace aimass::serve {
namespace {

using Steady = std::chrono::steady_clock;

TEST(BackgroundQueueTest, TasksRunInOrderOnOneThread) {
  std::vector<int> ran;  // only the queue's thread writes it; Drain orders the read
  std::vector<std::thread::id> threads;
  BackgroundQueue queue(100);
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(queue.Post([&, i] {
      ran.push_back(i);
      threads.push_back(std::this_thread::get_id());
    }));
  }
  queue.Drain();
  ASSERT_EQ(ran.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(ran[i], i);
  for (const auto& id : threads) {
    EXPECT_EQ(id, threads.front());
    EXPECT_NE(id, std::this_thread::get_id());
  }
  EXPECT_EQ(queue.dropped(), 0u);
  EXPECT_EQ(queue.waiting(), 0u);
}

TEST(BackgroundQueueTest, AFullQueueDropsAndCountsWithoutBlocking) {
  BackgroundQueue queue(2);
  std::latch started(1), release(1);
  ASSERT_TRUE(queue.Post([&] {
    started.count_down();
    release.wait();
  }));
  started.wait();  // the worker holds the first task: the queue itself is empty
  int ran = 0;
  EXPECT_TRUE(queue.Post([&] { ++ran; }));
  EXPECT_TRUE(queue.Post([&] { ++ran; }));
  EXPECT_EQ(queue.waiting(), 2u);

  const auto start = Steady::now();
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(queue.Post([&] { ran += 100; }));
  EXPECT_LT(Steady::now() - start, std::chrono::seconds(1));  // would hang if Post blocked
  EXPECT_EQ(queue.dropped(), 5u);
  EXPECT_EQ(queue.waiting(), 2u);

  release.count_down();
  queue.Drain();
  EXPECT_EQ(ran, 2);  // the dropped tasks never run
  EXPECT_EQ(queue.dropped(), 5u);
  // With room again, Post takes tasks.
  EXPECT_TRUE(queue.Post([&] { ++ran; }));
  queue.Drain();
  EXPECT_EQ(ran, 3);
}

TEST(BackgroundQueueTest, DrainWaitsForTheTaskRunningAndThoseQueued) {
  BackgroundQueue queue(10);
  std::latch started(1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> ran{0};
  queue.Post([&] {
    started.count_down();
    released.wait();
    ++ran;
  });
  queue.Post([&] { ++ran; });
  started.wait();
  auto drained = std::async(std::launch::async, [&] { queue.Drain(); });
  EXPECT_EQ(drained.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
  EXPECT_EQ(ran, 0);
  release.set_value();
  ASSERT_EQ(drained.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(ran, 2);
  // Draining an idle queue returns at once.
  queue.Drain();
}

TEST(BackgroundQueueTest, TheDestructorRunsWhatIsQueued) {
  std::atomic<int> ran{0};
  {
    BackgroundQueue queue(100);
    std::latch release(1);
    queue.Post([&] {
      release.wait();
      ++ran;
    });
    for (int i = 0; i < 20; ++i) queue.Post([&] { ++ran; });
    release.count_down();
  }  // no Drain: the destructor must run all 21
  EXPECT_EQ(ran, 21);
}

TEST(BackgroundQueueTest, PostsFromManyThreadsAllRunOrAreCounted) {
  std::atomic<int> ran{0};
  BackgroundQueue queue(16);
  std::vector<std::thread> posters;
  std::atomic<int> accepted{0};
  for (int t = 0; t < 4; ++t) {
    posters.emplace_back([&] {
      for (int i = 0; i < 250; ++i) accepted += queue.Post([&] { ++ran; });
    });
  }
  for (auto& poster : posters) poster.join();
  queue.Drain();
  EXPECT_EQ(ran, accepted);
  EXPECT_EQ(static_cast<uint64_t>(accepted) + queue.dropped(), 1000u);
}

TEST(BackgroundQueueTest, WithAGatherTimeTasksWaitForOneWakeOrADrain) {
  std::atomic<int> ran{0};
  std::atomic<int> idle{0};
  BackgroundQueue queue(
      100, [&] { ++idle; }, std::chrono::hours(1));
  for (int i = 0; i < 10; ++i) queue.Post([&] { ++ran; });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(ran, 0) << "the thread woke before the gather time ended";
  queue.Drain();
  EXPECT_EQ(ran, 10);
  EXPECT_EQ(idle, 1) << "the ten tasks should have run in one wake";
}

TEST(BackgroundQueueTest, WithAGatherTimeAHalfFullQueueWakesTheThread) {
  std::atomic<int> ran{0};
  BackgroundQueue queue(8, {}, std::chrono::hours(1));
  for (int i = 0; i < 4; ++i) queue.Post([&] { ++ran; });
  const auto deadline = Steady::now() + std::chrono::seconds(30);
  while (ran < 4 && Steady::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(ran, 4);
}

TEST(BackgroundQueueTest, WithAGatherTimeTheDestructorRunsWhatIsQueued) {
  std::atomic<int> ran{0};
  {
    BackgroundQueue queue(100, {}, std::chrono::hours(1));
    for (int i = 0; i < 5; ++i) queue.Post([&] { ++ran; });
  }
  EXPECT_EQ(ran, 5);
}

}  // namespace
}  // namespace aimass::serve
