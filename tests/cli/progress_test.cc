#include "cli/progress.h"

#include <gtest/gtest.h>

#include <sstream>

namespace aimass::cli {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

TEST(RenderProgressBarTest, DrawsBarPercentAndMessage) {
  EXPECT_EQ(RenderProgressBar(45, "parsing"), "[#########...........]   45%  parsing");
  EXPECT_EQ(RenderProgressBar(0, ""), "[....................]    0%");
  EXPECT_EQ(RenderProgressBar(100, "done"), "[####################]  100%  done");
  EXPECT_EQ(RenderProgressBar(50, "x", 4), "[##..]   50%  x");
}

TEST(RenderProgressBarTest, ClampsOutOfRangePercent) {
  EXPECT_EQ(RenderProgressBar(-5, ""), RenderProgressBar(0, ""));
  EXPECT_EQ(RenderProgressBar(250, ""), RenderProgressBar(100, ""));
}

TEST(ProgressBarTest, RedrawsOneLineOnATerminal) {
  std::ostringstream out;
  {
    ProgressBar bar(out, /*is_terminal=*/true);
    bar.Update(10, "parsing rows");
    bar.Update(10, "parsing rows");  // unchanged: not redrawn
    bar.Update(50, "ok");
  }  // the destructor ends the line
  std::string expected = "\r" + RenderProgressBar(10, "parsing rows") + "\r" +
                         RenderProgressBar(50, "ok") + std::string(10, ' ') + "\n";
  EXPECT_EQ(out.str(), expected);
}

TEST(ProgressBarTest, WritesPlainLinesAtMostOncePerIntervalInLogs) {
  std::ostringstream out;
  steady_clock::time_point now{};
  ProgressBar bar(out, /*is_terminal=*/false, milliseconds(3000), [&] { return now; });
  bar.Update(0, "queued");  // the first state is always shown
  now += milliseconds(1000);
  bar.Update(20, "parsing");  // too soon
  now += milliseconds(1000);
  bar.Update(40, "parsing");  // too soon
  now += milliseconds(1500);
  bar.Update(60, "parsing");  // 3.5 s after the first line
  bar.Update(90, "writing");  // too soon, but Finish shows the last state
  bar.Finish();
  bar.Finish();  // idempotent
  EXPECT_EQ(out.str(), RenderProgressBar(0, "queued") + "\n" + RenderProgressBar(60, "parsing") +
                           "\n" + RenderProgressBar(90, "writing") + "\n");
}

TEST(ProgressBarTest, FinishDoesNotRepeatALineAlreadyShown) {
  std::ostringstream out;
  ProgressBar bar(out, /*is_terminal=*/false);
  bar.Update(100, "succeeded");
  bar.Finish();
  EXPECT_EQ(out.str(), RenderProgressBar(100, "succeeded") + "\n");
}

}  // namespace
}  // namespace aimass::cli
