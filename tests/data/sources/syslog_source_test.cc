#include "data/sources/syslog_source.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "data/sources/batch_files.h"
#include "data/sources/syslog_framing.h"
#include "data/sources/syslog_parser.h"
#include "data/sources/temp_dir.h"

namespace aimass::data::sources {
namespace {

namespace fs = std::filesystem;

std::vector<std::pair<std::string, bool>> Frame(const std::vector<std::string>& chunks,
                                                size_t max = 8192) {
  std::vector<std::pair<std::string, bool>> out;
  SyslogFramer framer(max);
  auto emit = [&](std::string_view message, bool cut) { out.emplace_back(message, cut); };
  for (const std::string& chunk : chunks) framer.Feed(chunk, emit);
  framer.Finish(emit);
  return out;
}

TEST(SyslogFramerTest, OctetCountingAndLinesMixedAndSplitAnywhere) {
  std::string stream = "11 <14>1 - a b\n<13>Oct 11 22:14:15 h t: line two\r\n7 counted\n";
  auto whole = Frame({stream});
  ASSERT_EQ(whole.size(), 3u);
  EXPECT_EQ(whole[0].first, "<14>1 - a b");
  EXPECT_EQ(whole[1].first, "<13>Oct 11 22:14:15 h t: line two\r");
  EXPECT_EQ(whole[2].first, "counted");
  std::vector<std::string> bytes;
  for (char c : stream) bytes.emplace_back(1, c);
  EXPECT_EQ(Frame(bytes), whole);
}

TEST(SyslogFramerTest, LongMessagesAreCutAndFlagged) {
  auto lines = Frame({std::string(100, 'x') + "\nshort\n"}, 10);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], std::make_pair(std::string(10, 'x'), true));
  EXPECT_EQ(lines[1], std::make_pair(std::string("short"), false));
  auto counted = Frame({"20 " + std::string(20, 'y') + "next\n"}, 10);
  ASSERT_EQ(counted.size(), 2u);
  EXPECT_EQ(counted[0], std::make_pair(std::string(10, 'y'), true));
  EXPECT_EQ(counted[1].first, "next");
  // Digits that are no count, and a counted frame the peer never finished.
  auto odd = Frame({"123abc\n", "50 only part"});
  ASSERT_EQ(odd.size(), 2u);
  EXPECT_EQ(odd[0].first, "123abc");
  EXPECT_EQ(odd[1], std::make_pair(std::string("only part"), true));
}

class SyslogSourceTest : public ::testing::Test {
 protected:
  std::unique_ptr<SyslogSource> MakeSource(nlohmann::json settings) {
    auto options = ParseSyslogSettings(settings);
    EXPECT_TRUE(options.has_value()) << options.error().message;
    return std::make_unique<SyslogSource>("logs", *options, state_.path());
  }

  Result<std::optional<SourceBatch>> Take(SyslogSource& source, nlohmann::json cursor) {
    return runner_.Take(source, std::move(cursor));
  }

  static void WaitForMessages(const SyslogSource& source, uint64_t count) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (source.received().messages < count && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(source.received().messages, count);
  }

  static int Connect(int type, uint16_t port) {
    int fd = socket(AF_INET, type, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    return fd;
  }

  static void SendAll(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t sent = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      ASSERT_GT(sent, 0);
      bytes.remove_prefix(static_cast<size_t>(sent));
    }
  }

  TempDir state_{"aimass_syslog_state_"};
  TakeRunner runner_;
};

// 20,000 lines over TCP (half malformed, some octet-counted, some far too long) and 2,000
// datagrams over UDP: every one is counted, every valid one arrives intact.
TEST_F(SyslogSourceTest, FloodOverTcpAndUdpKeepsEveryValidMessage) {
  auto source = MakeSource({{"udp", "127.0.0.1:0"},
                            {"tcp", "127.0.0.1:0"},
                            {"max_message_bytes", 1024},
                            {"max_malformed_rows", 1000000}});
  ASSERT_TRUE(source->Start().has_value());
  ASSERT_NE(source->udp_port(), 0);
  ASSERT_NE(source->tcp_port(), 0);

  std::string stream;
  for (int i = 0; i < 10'000; ++i) {
    std::string valid =
        "<14>1 2026-11-28T00:00:00Z host app - - - tcp message " + std::to_string(i);
    if (i % 3 == 0) {
      stream += std::to_string(valid.size()) + " " + valid;
    } else {
      stream += valid + "\n";
    }
    stream +=
        i % 100 == 0 ? std::string(5000, 'z') + "\n" : "garbage line " + std::to_string(i) + "\n";
  }
  int tcp = Connect(SOCK_STREAM, source->tcp_port());
  SendAll(tcp, stream);
  close(tcp);
  WaitForMessages(*source, 20'000);

  int udp = Connect(SOCK_DGRAM, source->udp_port());
  for (int i = 0; i < 1'000; ++i) {
    SendAll(udp, "<165>Nov 28 00:00:00 host app[7]: udp message " + std::to_string(i));
    SendAll(udp, std::string("\xFF\xFE not syslog ") + std::to_string(i));
    if (i % 50 == 49) WaitForMessages(*source, 20'000 + 2 * (i + 1));  // no kernel drops
  }
  close(udp);

  auto batch = Take(*source, nullptr);
  ASSERT_TRUE(batch.has_value()) << batch.error().message;
  ASSERT_TRUE(batch->has_value());
  EXPECT_EQ((*batch)->rows, 22'000);
  EXPECT_EQ((*batch)->cursor, nlohmann::json({{"spool", 1}}));
  std::map<std::string, int> formats;
  int tcp_seen = 0, udp_seen = 0;
  for (const auto& row : ReadBatchRows(**batch)) {
    ++formats[row["format"].get<std::string>()];
    std::string message = row["message"];
    if (row["format"] == "rfc5424") {
      EXPECT_EQ(message, "tcp message " + std::to_string(tcp_seen++));
    } else if (row["format"] == "rfc3164") {
      EXPECT_EQ(message, "udp message " + std::to_string(udp_seen++));
      EXPECT_EQ(row["procid"], "7");
    } else {
      EXPECT_LE(message.size(), kMaxMalformedBytes);
    }
  }
  auto types = BatchTypes(**batch);
  EXPECT_EQ(types["received_at"], "TIMESTAMP");
  EXPECT_EQ(types["timestamp"], "TIMESTAMP");
  EXPECT_EQ(types["facility"], "INTEGER");
  EXPECT_EQ(types["msgid"], "VARCHAR");  // null throughout, still the same type
  EXPECT_EQ(formats["rfc5424"], 10'000);
  EXPECT_EQ(formats["rfc3164"], 1'000);
  EXPECT_EQ(formats["malformed"], 11'000);
  EXPECT_EQ(source->received().truncated, 100u);
  EXPECT_EQ(source->spooled().malformed, 11'000u);
  source->Stop();
}

TEST_F(SyslogSourceTest, MalformedRowsPastTheCapAreCountedNotKept) {
  auto source = MakeSource({{"tcp", "127.0.0.1:0"}, {"max_malformed_rows", 10}});
  ASSERT_TRUE(source->Start().has_value());
  std::string stream;
  for (int i = 0; i < 500; ++i) stream += "junk\n<14>1 - h a - - - ok\n";
  int tcp = Connect(SOCK_STREAM, source->tcp_port());
  SendAll(tcp, stream);
  close(tcp);
  WaitForMessages(*source, 1000);
  auto batch = Take(*source, nullptr);
  ASSERT_TRUE(batch.has_value() && batch->has_value());
  EXPECT_EQ((*batch)->rows, 510);
  EXPECT_EQ(source->spooled().malformed_dropped, 490u);
}

TEST_F(SyslogSourceTest, ConnectionsPastTheLimitAreRefused) {
  auto source = MakeSource({{"tcp", "127.0.0.1:0"}, {"max_connections", 2}});
  ASSERT_TRUE(source->Start().has_value());
  std::vector<int> fds;
  for (int i = 0; i < 3; ++i) {
    fds.push_back(Connect(SOCK_STREAM, source->tcp_port()));
    SendAll(fds.back(), "<14>1 - h a - - - hello\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  WaitForMessages(*source, 2);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (source->received().connections_refused == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(source->received().connections_refused, 1u);
  for (int fd : fds) close(fd);
}

TEST_F(SyslogSourceTest, IdleConnectionsAreClosed) {
  auto source = MakeSource({{"tcp", "127.0.0.1:0"}, {"idle_timeout_seconds", 1}});
  ASSERT_TRUE(source->Start().has_value());
  int fd = Connect(SOCK_STREAM, source->tcp_port());
  SendAll(fd, "<14>1 - h a - - - hello\n");
  WaitForMessages(*source, 1);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (source->received().connections_idle_closed == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(source->received().connections_idle_closed, 1u);
  char byte;
  EXPECT_EQ(recv(fd, &byte, 1, 0), 0);  // the receiver closed it
  close(fd);
}

// Rows wait in the spool across a restart; a batch taken but never stored is offered
// again; once its cursor is stored it is never offered again.
TEST_F(SyslogSourceTest, SpoolSurvivesRestartsAndBatchesAreExactlyOnce) {
  {
    auto source = MakeSource({{"udp", "127.0.0.1:0"}});
    ASSERT_TRUE(source->Start().has_value());
    int udp = Connect(SOCK_DGRAM, source->udp_port());
    SendAll(udp, "<14>1 - h a - - - first");
    WaitForMessages(*source, 1);
    close(udp);
  }  // the server stops before any run
  auto source = MakeSource({{"udp", "127.0.0.1:0"}});
  auto first = Take(*source, nullptr);
  ASSERT_TRUE(first.has_value() && first->has_value());
  EXPECT_EQ(ReadBatchRows(**first).at(0)["message"], "first");
  // The import failed (or the server died) before the version was stored: same batch again.
  auto again = Take(*source, nullptr);
  ASSERT_TRUE(again.has_value() && again->has_value());
  EXPECT_EQ((*again)->cursor, (*first)->cursor);
  EXPECT_EQ((*again)->rows, 1);
  // Stored, but the acknowledgement was lost to a crash: nothing is taken twice.
  auto after = Take(*source, (*first)->cursor);
  ASSERT_TRUE(after.has_value());
  EXPECT_FALSE(after->has_value());
  EXPECT_FALSE(fs::exists(state_.path() / "batch-1.jsonl"));

  ASSERT_TRUE(source->Start().has_value());
  int udp = Connect(SOCK_DGRAM, source->udp_port());
  SendAll(udp, "<14>1 - h a - - - second");
  WaitForMessages(*source, 1);
  close(udp);
  auto second = Take(*source, (*first)->cursor);
  ASSERT_TRUE(second.has_value() && second->has_value());
  EXPECT_EQ((*second)->cursor, nlohmann::json({{"spool", 2}}));
  EXPECT_EQ(ReadBatchRows(**second).at(0)["message"], "second");
  ASSERT_TRUE((*second)->acknowledge().has_value());
  EXPECT_FALSE(fs::exists(state_.path() / "batch-2.jsonl"));
}

TEST_F(SyslogSourceTest, RowCutOffByACrashIsRemovedFromTheSpool) {
  std::ofstream(state_.path() / "spool.jsonl") << "{\"message\":\"whole\"}\n{\"message\":\"ha";
  auto source = MakeSource({{"udp", "127.0.0.1:0"}});
  auto batch = Take(*source, nullptr);
  ASSERT_TRUE(batch.has_value() && batch->has_value());
  EXPECT_EQ((*batch)->rows, 1);
  EXPECT_EQ(ReadBatchRows(**batch).at(0)["message"], "whole");
}

TEST_F(SyslogSourceTest, SettingsErrorsNameTheField) {
  EXPECT_EQ(ParseSyslogSettings(nlohmann::json::object()).error().message,
            "a syslog source needs settings.udp or settings.tcp (or both), like "
            "{\"udp\": \"0.0.0.0:5514\"}");
  EXPECT_EQ(ParseSyslogSettings({{"udp", "1.2.3.4:5"}, {"port", 5}}).error().message,
            "settings.port: a syslog source has no such setting; use: udp, tcp, "
            "max_message_bytes, max_connections, idle_timeout_seconds, max_malformed_rows");
  EXPECT_FALSE(ParseSyslogSettings({{"tcp", "h:1"}, {"max_connections", 0}}).has_value());
  auto source = MakeSource({{"udp", "no-port"}});
  auto started = source->Start();
  ASSERT_FALSE(started.has_value());
  EXPECT_NE(started.error().message.find("is not host:port"), std::string::npos)
      << started.error().message;
}

}  // namespace
}  // namespace aimass::data::sources
