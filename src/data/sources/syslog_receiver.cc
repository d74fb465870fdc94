#include "data/sources/syslog_receiver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "data/sources/syslog_framing.h"

namespace aimass::data::sources {
namespace {

constexpr size_t kReadBytes = 64 * 1024;
// Datagrams read per wake-up before the sink is flushed and TCP gets a turn.
constexpr int kDatagramsPerRound = 256;
constexpr int kPollMillis = 1000;

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string SenderText(const sockaddr_storage& address) {
  char host[NI_MAXHOST] = "";
  char port[NI_MAXSERV] = "";
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&address), sizeof(address), host, sizeof(host),
                  port, sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return "unknown";
  }
  if (address.ss_family == AF_INET6) return "[" + std::string(host) + "]:" + port;
  return std::string(host) + ":" + port;
}

// Binds a socket of `type` to "host:port" ("[v6]:port" for IPv6); returns the fd and port.
Result<std::pair<int, uint16_t>> Bind(const std::string& address, int type) {
  const char* what = type == SOCK_DGRAM ? "udp" : "tcp";
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Fail(ErrorCode::kInvalidArgument, std::string("settings.") + what + ": '" + address +
                                                 "' is not host:port, like \"127.0.0.1:5514\"");
  }
  std::string host = address.substr(0, colon);
  std::string port = address.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = type;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int error = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); error != 0) {
    return Fail(ErrorCode::kInvalidArgument, std::string("settings.") + what + ": cannot use '" +
                                                 address + "': " + gai_strerror(error));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owner(found, freeaddrinfo);
  int fd = socket(found->ai_family, found->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return Fail(ErrorCode::kInternal,
                std::string("cannot open a ") + what + " socket: " + std::strerror(errno));
  }
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  if (type == SOCK_DGRAM) {
    int buffer = 8 * 1024 * 1024;  // the kernel caps it at net.core.rmem_max
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof(buffer));
  }
  if (bind(fd, found->ai_addr, found->ai_addrlen) != 0 ||
      (type == SOCK_STREAM && listen(fd, 128) != 0)) {
    int error = errno;
    close(fd);
    return Fail(ErrorCode::kUnavailable,
                std::string("cannot listen for syslog on ") + what + " " + address + ": " +
                    std::strerror(error) + "; choose another address or port in settings." + what);
  }
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  uint16_t bound_port = bound.ss_family == AF_INET6
                            ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                            : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return std::pair<int, uint16_t>{fd, bound_port};
}

}  // namespace

struct SyslogReceiver::Connection {
  Connection(int fd, std::string sender, size_t max)
      : fd(fd), sender(std::move(sender)), framer(max), last_active(NowSeconds()) {}
  ~Connection() { close(fd); }
  int fd;
  std::string sender;
  SyslogFramer framer;
  int64_t last_active;
};

SyslogReceiver::SyslogReceiver(SyslogListenOptions options, Sink sink, std::function<void()> flush)
    : options_(std::move(options)), sink_(std::move(sink)), flush_(std::move(flush)) {}

Result<std::unique_ptr<SyslogReceiver>> SyslogReceiver::Start(const SyslogListenOptions& options,
                                                              Sink sink,
                                                              std::function<void()> flush) {
  if (options.udp.empty() && options.tcp.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "a syslog source needs settings.udp or settings.tcp, like \"127.0.0.1:5514\"");
  }
  std::unique_ptr<SyslogReceiver> receiver(
      new SyslogReceiver(options, std::move(sink), std::move(flush)));
  if (!options.udp.empty()) {
    AIMASS_ASSIGN_OR_RETURN(auto udp, Bind(options.udp, SOCK_DGRAM));
    std::tie(receiver->udp_fd_, receiver->udp_port_) = udp;
  }
  if (!options.tcp.empty()) {
    AIMASS_ASSIGN_OR_RETURN(auto tcp, Bind(options.tcp, SOCK_STREAM));
    std::tie(receiver->tcp_fd_, receiver->tcp_port_) = tcp;
  }
  receiver->wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (receiver->wake_fd_ < 0) {
    return Fail(ErrorCode::kInternal, std::string("eventfd: ") + std::strerror(errno));
  }
  receiver->thread_ = std::thread([r = receiver.get()] { r->Run(); });
  return receiver;
}

SyslogReceiver::~SyslogReceiver() {
  if (thread_.joinable()) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t written = write(wake_fd_, &one, sizeof(one));
    thread_.join();
  }
  connections_.clear();
  for (int fd : {udp_fd_, tcp_fd_, wake_fd_}) {
    if (fd >= 0) close(fd);
  }
}

SyslogReceiverCounts SyslogReceiver::counts() const {
  return SyslogReceiverCounts{messages_.load(), truncated_.load(), refused_.load(),
                              idle_closed_.load()};
}

void SyslogReceiver::ReadUdp(std::string& buffer) {
  for (int i = 0; i < kDatagramsPerRound; ++i) {
    sockaddr_storage from{};
    socklen_t length = sizeof(from);
    ssize_t got = recvfrom(udp_fd_, buffer.data(), buffer.size(), MSG_TRUNC,
                           reinterpret_cast<sockaddr*>(&from), &length);
    if (got < 0) return;  // EAGAIN: drained
    size_t size = static_cast<size_t>(got);
    bool cut = size > options_.max_message_bytes || size > buffer.size();
    size = std::min({size, options_.max_message_bytes, buffer.size()});
    sink_(std::string_view(buffer.data(), size), SenderText(from), cut);
    if (cut) ++truncated_;
    ++messages_;  // after the sink: a reader that sees the count sees the message spooled
  }
}

void SyslogReceiver::Accept() {
  while (true) {
    sockaddr_storage from{};
    socklen_t length = sizeof(from);
    int fd =
        accept4(tcp_fd_, reinterpret_cast<sockaddr*>(&from), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    if (static_cast<int>(connections_.size()) >= options_.max_connections) {
      ++refused_;
      close(fd);
      continue;
    }
    connections_.push_back(
        std::make_unique<Connection>(fd, SenderText(from), options_.max_message_bytes));
  }
}

bool SyslogReceiver::ReadTcp(Connection& connection, std::string& buffer) {
  auto emit = [&](std::string_view message, bool cut) {
    sink_(message, connection.sender, cut);
    if (cut) ++truncated_;
    ++messages_;
  };
  // A bounded number of reads per round, so one busy sender cannot starve the others.
  for (int i = 0; i < 16; ++i) {
    ssize_t got = read(connection.fd, buffer.data(), buffer.size());
    if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      connection.framer.Finish(emit);
      return false;
    }
    if (got < 0) return true;
    connection.last_active = NowSeconds();
    connection.framer.Feed(std::string_view(buffer.data(), static_cast<size_t>(got)), emit);
  }
  return true;
}

void SyslogReceiver::Run() {
  std::string buffer(kReadBytes, '\0');
  std::vector<pollfd> fds;
  while (true) {
    fds.clear();
    fds.push_back({wake_fd_, POLLIN, 0});
    if (udp_fd_ >= 0) fds.push_back({udp_fd_, POLLIN, 0});
    if (tcp_fd_ >= 0) fds.push_back({tcp_fd_, POLLIN, 0});
    size_t first_connection = fds.size();
    for (const auto& connection : connections_) fds.push_back({connection->fd, POLLIN, 0});
    int ready = poll(fds.data(), fds.size(), kPollMillis);
    if (ready < 0 && errno != EINTR) return;
    if (fds[0].revents != 0) break;
    for (size_t i = 1; i < first_connection; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == udp_fd_) ReadUdp(buffer);
      if (fds[i].fd == tcp_fd_) Accept();
    }
    // Connections accepted above are not in `fds` yet; they are polled next round.
    std::vector<std::unique_ptr<Connection>> open;
    int64_t now = NowSeconds();
    for (size_t i = 0; i < connections_.size(); ++i) {
      auto& connection = connections_[i];
      size_t slot = first_connection + i;
      bool polled = slot < fds.size() && fds[slot].fd == connection->fd;
      bool alive = true;
      if (polled && fds[slot].revents != 0) {
        alive = ReadTcp(*connection, buffer);
      } else if (now - connection->last_active >= options_.idle_timeout_seconds) {
        ++idle_closed_;
        alive = false;
      }
      if (alive) open.push_back(std::move(connection));
    }
    connections_ = std::move(open);
    flush_();
  }
  flush_();
}

}  // namespace aimass::data::sources
