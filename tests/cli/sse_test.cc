#include "cli/sse.h"

#include <gtest/gtest.h>

#include <vector>

namespace aimass::cli {
namespace {

std::vector<SseEvent> ParseAll(const std::vector<std::string>& chunks) {
  std::vector<SseEvent> events;
  SseParser parser([&](const SseEvent& e) {
    events.push_back(e);
    return true;
  });
  for (const auto& chunk : chunks) parser.Feed(chunk);
  return events;
}

TEST(SseParserTest, ParsesNamedEvents) {
  auto events = ParseAll({"event: job\ndata: {\"id\":7}\n\nevent: job\ndata: {\"id\":8}\n\n"});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event, "job");
  EXPECT_EQ(events[0].data, "{\"id\":7}");
  EXPECT_EQ(events[1].data, "{\"id\":8}");
}

TEST(SseParserTest, JoinsDataLinesAndDefaultsTheEventName) {
  auto events = ParseAll({"data: a\ndata:b\ndata:  c\n\n"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "message");
  EXPECT_EQ(events[0].data, "a\nb\n c");  // only one leading space is dropped
}

TEST(SseParserTest, HandlesEveryLineEndingAndSplitsAnywhere) {
  std::string stream = "event: job\r\ndata: x\r\n\r\nevent: job\rdata: y\r\rdata: z\n\n";
  for (size_t split = 0; split <= stream.size(); ++split) {
    auto events = ParseAll({stream.substr(0, split), stream.substr(split)});
    ASSERT_EQ(events.size(), 3u) << "split at " << split;
    EXPECT_EQ(events[0].data, "x");
    EXPECT_EQ(events[1].data, "y");
    EXPECT_EQ(events[2].data, "z");
    EXPECT_EQ(events[2].event, "message");
  }
}

TEST(SseParserTest, IgnoresCommentsUnknownFieldsAndEventsWithoutData) {
  auto events =
      ParseAll({": keep-alive\n\nretry: 100\nfoo: bar\nevent: job\n\nid: 5\ndata: d\n\n"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "message");  // the data-less "job" event reset the name
  EXPECT_EQ(events[0].data, "d");
  EXPECT_EQ(events[0].id, "5");
}

TEST(SseParserTest, DoesNotDispatchAnUnterminatedEvent) {
  EXPECT_TRUE(ParseAll({"event: job\ndata: partial\n"}).empty());
}

TEST(SseParserTest, StopsWhenTheHandlerSaysSo) {
  int seen = 0;
  SseParser parser([&](const SseEvent&) { return ++seen < 2; });
  EXPECT_TRUE(parser.Feed("data: 1\n\n"));
  EXPECT_FALSE(parser.Feed("data: 2\n\ndata: 3\n\n"));
  EXPECT_FALSE(parser.Feed("data: 4\n\n"));
  EXPECT_EQ(seen, 2);
}

}  // namespace
}  // namespace aimass::cli
