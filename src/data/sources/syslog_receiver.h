// The network side of a syslog source: a UDP socket and a TCP listener (either or both) on
// one thread, handing every message to a sink.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/status.h"

namespace aimass::data::sources {

struct SyslogListenOptions {
  std::string udp;                  // "127.0.0.1:5514" or "[::1]:5514"; empty: no UDP
  std::string tcp;                  // the same for TCP; empty: no TCP
  size_t max_message_bytes = 8192;  // longer messages are cut to this and counted
  int max_connections = 100;        // TCP connections past this are closed and counted
  int idle_timeout_seconds = 300;   // a TCP connection silent this long is closed
};

// Counters of what the receiver saw, since it started.
struct SyslogReceiverCounts {
  uint64_t messages = 0;
  uint64_t truncated = 0;
  uint64_t connections_refused = 0;
  uint64_t connections_idle_closed = 0;
};

// Listens until destroyed. The sink is called on the receiver's thread, once per message
// (framing removed), with the sender as "address:port"; `flush` after each burst, so the
// sink can buffer. Thread-safe: counts() and the ports may be read from any thread.
class SyslogReceiver {
 public:
  using Sink =
      std::function<void(std::string_view message, std::string_view sender, bool truncated)>;

  // Opens the sockets (an error names the address and the reason, e.g. "address in use")
  // and starts the thread.
  static Result<std::unique_ptr<SyslogReceiver>> Start(const SyslogListenOptions& options,
                                                       Sink sink, std::function<void()> flush);
  ~SyslogReceiver();
  SyslogReceiver(const SyslogReceiver&) = delete;
  SyslogReceiver& operator=(const SyslogReceiver&) = delete;

  // The bound ports (0 when that protocol is off): port 0 in the options picks a free one.
  uint16_t udp_port() const { return udp_port_; }
  uint16_t tcp_port() const { return tcp_port_; }
  SyslogReceiverCounts counts() const;

 private:
  struct Connection;
  SyslogReceiver(SyslogListenOptions options, Sink sink, std::function<void()> flush);
  void Run();
  void ReadUdp(std::string& buffer);
  void Accept();
  // False when the connection is finished (closed by the peer or an error).
  bool ReadTcp(Connection& connection, std::string& buffer);

  SyslogListenOptions options_;
  Sink sink_;
  std::function<void()> flush_;
  int udp_fd_ = -1;
  int tcp_fd_ = -1;
  int wake_fd_ = -1;  // an eventfd the destructor writes to end the thread
  uint16_t udp_port_ = 0;
  uint16_t tcp_port_ = 0;
  std::atomic<uint64_t> messages_{0};
  std::atomic<uint64_t> truncated_{0};
  std::atomic<uint64_t> refused_{0};
  std::atomic<uint64_t> idle_closed_{0};
  std::vector<std::unique_ptr<Connection>> connections_;  // the thread's own
  std::thread thread_;
};

}  // namespace aimass::data::sources
