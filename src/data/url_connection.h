// The connection side of the requests this server makes to URLs that users name (URL
// imports, pipeline webhooks), safe against server-side request forgery: the host must be on
// the admin's allow-list, every address it resolves to is checked (address_policy.h), and
// the connection goes to those checked addresses only (no second lookup that DNS rebinding
// could answer differently); https verifies the certificate and the host name. Every step
// has a time limit. For data/'s own .cc files (it brings in Beast): other modules call
// url_fetch.h (GET into a file) or url_post.h (POST).
#pragma once

// Boost 1.74's Asio uses std::exchange without including <utility> (see src/http/asio.h).
// clang-format off
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
// clang-format on

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "data/url_fetch.h"

namespace aimass::data::outbound {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

// How an admin allows a host, as error messages show it (followed by the host).
inline constexpr const char* kEnableHint = "aimass import-hosts add ";

// The host as a URL writes it: an IPv6 literal in brackets.
std::string HostForUrl(const FetchUrl& url);
uint16_t DefaultPort(std::string_view scheme);
// The Host header: the host, and the port when it is not the scheme's default.
std::string HostHeader(const FetchUrl& url);

// The addresses a request to `url` may connect to: kPermissionDenied when its host is not on
// `options.allowed_hosts`, or when it is (or resolves to) an address that is not public and
// the allow-list does not hold that address itself. `shown` names the URL in messages.
Result<std::vector<tcp::endpoint>> AllowedEndpoints(const FetchUrl& url,
                                                    const FetchOptions& options,
                                                    const std::string& shown);

// One step of a request over a connection (plain or TLS), driven synchronously: each step
// starts an async operation so that the stream's time limit applies, then runs the
// io_context.
template <typename Stream>
class Exchange {
 public:
  Exchange(net::io_context& ioc, Stream& stream, const FetchOptions& options,
           SteadyClock::time_point deadline, std::string shown)
      : ioc_(ioc),
        stream_(stream),
        options_(options),
        deadline_(deadline),
        shown_(std::move(shown)) {}

  template <typename Start>
  Status Step(std::string_view doing, Start&& start) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - SteadyClock::now());
    beast::get_lowest_layer(stream_).expires_after(
        std::max(std::chrono::milliseconds(1), std::min(options_.io_timeout, left)));
    std::optional<beast::error_code> result;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc_.restart();
    ioc_.run();
    beast::error_code ec = result.value_or(net::error::operation_aborted);
    if (ec == bhttp::error::need_buffer) ec = {};
    if (!ec) return Ok();
    if (ec == beast::error::timeout) {
      return Fail(ErrorCode::kDeadlineExceeded,
                  shown_ + ": no answer within the time limit while " + std::string(doing) +
                      "; check that the server is up, or import a smaller file");
    }
    return Fail(ErrorCode::kUnavailable,
                shown_ + ": failed while " + std::string(doing) + ": " + ec.message());
  }

 private:
  net::io_context& ioc_;
  Stream& stream_;
  const FetchOptions& options_;
  SteadyClock::time_point deadline_;
  std::string shown_;
};

// Connects to `endpoints` (from AllowedEndpoints), wraps https in TLS that verifies the
// certificate for url.host against the system's store, and answers what
// `talk(ioc, stream)` answers for the connected stream (a beast::tcp_stream, or a
// beast::ssl_stream<beast::tcp_stream> for https: `talk` is a generic lambda).
template <typename Talk>
auto Connected(const FetchUrl& url, const std::vector<tcp::endpoint>& endpoints,
               const FetchOptions& options, SteadyClock::time_point deadline, Talk&& talk)
    -> decltype(talk(std::declval<net::io_context&>(), std::declval<beast::tcp_stream&>())) {
  const std::string shown = url.Redacted();
  net::io_context ioc;
  beast::tcp_stream tcp_stream(ioc);
  {
    Exchange<beast::tcp_stream> connect(ioc, tcp_stream, options, deadline, shown);
    AIMASS_RETURN_IF_ERROR(connect.Step("connecting", [&](auto handler) {
      tcp_stream.async_connect(endpoints, std::move(handler));
    }));
  }
  if (url.scheme == "http") return talk(ioc, tcp_stream);

  ssl::context context(ssl::context::tls_client);
  beast::error_code ec;
  context.set_default_verify_paths(ec);
  if (ec) {
    return Fail(ErrorCode::kInternal,
                "cannot load the system's certificate store for https: " + ec.message());
  }
  context.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), context);
  if (!url.host_is_ip && !SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
    return Fail(ErrorCode::kInternal, shown + ": cannot set the TLS server name");
  }
  stream.set_verify_callback(ssl::host_name_verification(url.host));
  Exchange<beast::ssl_stream<beast::tcp_stream>> handshake(ioc, stream, options, deadline, shown);
  auto shaken = handshake.Step("checking the server's certificate", [&](auto handler) {
    stream.async_handshake(ssl::stream_base::client, std::move(handler));
  });
  if (!shaken) {
    return Fail(ErrorCode::kUnavailable,
                shaken.error().message +
                    " (the certificate must be valid for the host and trusted by this "
                    "server's system certificate store)");
  }
  return talk(ioc, stream);
}

}  // namespace aimass::data::outbound
