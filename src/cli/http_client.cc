#include "cli/http_client.h"

#include <fstream>
#include <limits>
#include <optional>
#include <system_error>

// cli/asio.h puts <utility> before any Boost header (Boost 1.74 needs it); keep it first.
// clang-format off
#include "cli/asio.h"
#include <boost/asio/ssl.hpp>
// clang-format on

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace aimass::cli {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

constexpr size_t kChunkBytes = 256 * 1024;
constexpr const char* kUserAgent = "aimass-cli/0.1";

std::string Seconds(std::chrono::milliseconds d) {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  return s >= 1 ? std::to_string(s) + " s" : std::to_string(d.count()) + " ms";
}

constexpr const char* kCaCertHint =
    "if the server uses a self-signed or private CA certificate, pass that CA's PEM file with "
    "--ca-cert FILE (or AIMASS_CA_CERT)";

// One TCP connection (with TLS over it for https) driven synchronously: each step starts an
// async operation (so tcp_stream's timeouts apply, which they do not to blocking calls,
// also under TLS) and runs the io_context until it completes.
class Connection {
 public:
  explicit Connection(const ServerUrl& url) : url_(url), stream_(ioc_) {}
  ~Connection() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  Status Connect(std::chrono::milliseconds timeout, const std::filesystem::path& ca_cert) {
    tcp::resolver resolver(ioc_);
    beast::error_code ec;
    auto endpoints = resolver.resolve(url_.host, std::to_string(url_.port), ec);
    if (ec) {
      return Fail(ErrorCode::kUnavailable, "cannot resolve the host of " + url_.ToString() + ": " +
                                               ec.message() + "; check --server");
    }
    stream_.expires_after(timeout);
    std::optional<beast::error_code> result;
    stream_.async_connect(endpoints,
                          [&](beast::error_code e, const tcp::endpoint&) { result = e; });
    ec = Drive(result);
    if (ec) return TransportError(ec, "connecting", timeout);
    if (url_.tls) return Handshake(timeout, ca_cert);
    return Ok();
  }

  // Starts `start(stream, handler)` on the TLS stream or the plain one and waits for the
  // handler, allowing `timeout` of silence.
  template <typename Start>
  beast::error_code Run(std::chrono::milliseconds timeout, Start&& start) {
    stream_.expires_after(timeout);
    std::optional<beast::error_code> result;
    auto handler = [&result](beast::error_code e, auto&&...) { result = e; };
    if (tls_) {
      start(*tls_, handler);
    } else {
      start(stream_, handler);
    }
    return Drive(result);
  }

  std::unexpected<Error> TransportError(beast::error_code ec, std::string_view doing,
                                        std::chrono::milliseconds timeout) const {
    std::string where = url_.ToString();
    if (ec == beast::error::timeout) {
      return Fail(ErrorCode::kDeadlineExceeded, "no answer from " + where + " within " +
                                                    Seconds(timeout) + " while " +
                                                    std::string(doing));
    }
    if (ec == net::error::connection_refused) {
      return Fail(ErrorCode::kUnavailable,
                  "cannot connect to " + where +
                      ": connection refused; is the server running? Start it with `aimass "
                      "serve`, or point --server / AIMASS_URL at it");
    }
    return Fail(ErrorCode::kUnavailable, "lost the connection to " + where + " while " +
                                             std::string(doing) + ": " + ec.message());
  }

  beast::flat_buffer& buffer() { return buffer_; }

 private:
  // TLS 1.2+, the certificate checked against `ca_cert` (or the system's store) and
  // against the URL's host (name or IP address).
  Status Handshake(std::chrono::milliseconds timeout, const std::filesystem::path& ca_cert) {
    tls_context_.emplace(ssl::context::tls_client);
    ssl::context& context = *tls_context_;
    context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                        ssl::context::no_tlsv1_1);
    SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
    context.set_verify_mode(ssl::verify_peer);
    beast::error_code ec;
    if (!ca_cert.empty()) {
      context.load_verify_file(ca_cert.string(), ec);
      if (ec) {
        return Fail(ErrorCode::kInvalidArgument,
                    "--ca-cert '" + ca_cert.string() +
                        "' cannot be read or holds no PEM certificate (" + ec.message() +
                        "); pass the CA certificate file that signed the server's certificate");
      }
    } else {
      context.set_default_verify_paths(ec);
    }
    tls_ = std::make_unique<ssl::stream<beast::tcp_stream&>>(stream_, context);
    SSL* ssl = tls_->native_handle();
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    beast::error_code not_ip;
    net::ip::make_address(url_.host, not_ip);
    if (not_ip) {
      SSL_set_tlsext_host_name(ssl, url_.host.c_str());  // SNI: names only, never addresses
      X509_VERIFY_PARAM_set1_host(param, url_.host.c_str(), 0);
    } else {
      X509_VERIFY_PARAM_set1_ip_asc(param, url_.host.c_str());
    }
    stream_.expires_after(timeout);
    std::optional<beast::error_code> result;
    tls_->async_handshake(ssl::stream_base::client, [&](beast::error_code e) { result = e; });
    ec = Drive(result);
    if (!ec) return Ok();
    if (long verify = SSL_get_verify_result(ssl); verify != X509_V_OK) {
      return Fail(ErrorCode::kUnavailable,
                  "cannot trust the TLS certificate of " + url_.ToString() + " (" +
                      X509_verify_cert_error_string(verify) + "); " + kCaCertHint);
    }
    if (ec == beast::error::timeout) return TransportError(ec, "the TLS handshake", timeout);
    return Fail(ErrorCode::kUnavailable,
                "the TLS handshake with " + url_.ToString() + " failed (" + ec.message() +
                    "); does the server speak https? Use an http:// URL if it serves plain "
                    "HTTP");
  }

  beast::error_code Drive(std::optional<beast::error_code>& result) {
    ioc_.restart();
    ioc_.run();
    return result.value_or(net::error::operation_aborted);
  }

  const ServerUrl& url_;
  net::io_context ioc_;
  beast::tcp_stream stream_;
  std::optional<ssl::context> tls_context_;
  // Over stream_ (declared after it, so destroyed first); null for plain http.
  std::unique_ptr<ssl::stream<beast::tcp_stream&>> tls_;
  beast::flat_buffer buffer_;
};

}  // namespace

struct HttpClient::Upload {
  std::filesystem::path file;
  uint64_t size = 0;
  const ProgressFn* progress = nullptr;
};

HttpClient::HttpClient(ServerUrl url, Headers headers, HttpClientOptions options)
    : url_(std::move(url)), headers_(std::move(headers)), options_(options) {}

Result<HttpResponse> HttpClient::Get(std::string_view path) {
  return Exchange(Method::kGet, path, "", "", nullptr, nullptr, nullptr, options_.io_timeout);
}

Result<HttpResponse> HttpClient::Delete(std::string_view path) {
  return Exchange(Method::kDelete, path, "", "", nullptr, nullptr, nullptr, options_.io_timeout);
}

Result<HttpResponse> HttpClient::Post(std::string_view path, std::string body,
                                      std::string_view content_type) {
  return Exchange(Method::kPost, path, std::move(body), content_type, nullptr, nullptr, nullptr,
                  options_.io_timeout);
}

Result<HttpResponse> HttpClient::Put(std::string_view path, std::string body,
                                     std::string_view content_type) {
  return Exchange(Method::kPut, path, std::move(body), content_type, nullptr, nullptr, nullptr,
                  options_.io_timeout);
}

Result<HttpResponse> HttpClient::Patch(std::string_view path, std::string body,
                                       std::string_view content_type) {
  return Exchange(Method::kPatch, path, std::move(body), content_type, nullptr, nullptr, nullptr,
                  options_.io_timeout);
}

Result<HttpResponse> HttpClient::PostFile(std::string_view path, const std::filesystem::path& file,
                                          std::string_view content_type,
                                          const ProgressFn& progress) {
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(file, ec);
  if (ec) {
    return Fail(ErrorCode::kInvalidArgument,
                "cannot read '" + file.string() + "': " + ec.message());
  }
  Upload upload{file, size, &progress};
  return Exchange(Method::kPost, path, "", content_type, &upload, nullptr, nullptr,
                  options_.io_timeout);
}

Result<HttpResponse> HttpClient::Download(std::string_view path, const BodySink& sink,
                                          const ProgressFn& progress) {
  return Exchange(Method::kGet, path, "", "", nullptr, &sink, &progress, options_.io_timeout);
}

Result<HttpResponse> HttpClient::ReadEvents(std::string_view path,
                                            const SseParser::EventHandler& on_event) {
  SseParser parser(on_event);
  BodySink sink = [&parser](std::string_view chunk) { return parser.Feed(chunk); };
  return Exchange(Method::kGet, path, "", "", nullptr, &sink, nullptr, options_.event_idle_timeout);
}

Result<HttpResponse> HttpClient::Exchange(Method method, std::string_view path, std::string body,
                                          std::string_view content_type, Upload* upload,
                                          const BodySink* sink, const ProgressFn* download_progress,
                                          std::chrono::milliseconds read_timeout) {
  const http::verb verb = method == Method::kGet     ? http::verb::get
                          : method == Method::kPost  ? http::verb::post
                          : method == Method::kPut   ? http::verb::put
                          : method == Method::kPatch ? http::verb::patch
                                                     : http::verb::delete_;
  std::string target = url_.Target(path);
  Connection connection(url_);
  AIMASS_RETURN_IF_ERROR(connection.Connect(options_.connect_timeout, options_.ca_cert_file));
  const auto io_timeout = options_.io_timeout;

  auto set_headers = [&](auto& request) {
    request.set(http::field::host, url_.host + ":" + std::to_string(url_.port));
    request.set(http::field::user_agent, kUserAgent);
    request.set(http::field::connection, "close");
    for (const auto& [name, value] : headers_) request.set(name, value);
    if (!content_type.empty()) request.set(http::field::content_type, std::string(content_type));
  };

  // Send. A write error is remembered, not returned at once: a server that refuses an
  // upload (401, 413) may answer and close before reading the body, and that answer is
  // what the user needs to see.
  beast::error_code write_error;
  if (upload == nullptr) {
    http::request<http::string_body> request{verb, target, 11};
    set_headers(request);
    request.body() = std::move(body);
    request.prepare_payload();
    write_error = connection.Run(io_timeout, [&](auto& stream, auto handler) {
      http::async_write(stream, request, std::move(handler));
    });
  } else {
    std::ifstream in(upload->file, std::ios::binary);
    if (!in) {
      return Fail(ErrorCode::kInvalidArgument, "cannot open '" + upload->file.string() + "'");
    }
    http::request<http::buffer_body> request{verb, target, 11};
    set_headers(request);
    request.content_length(upload->size);
    request.body().data = nullptr;
    request.body().more = true;
    http::request_serializer<http::buffer_body> serializer{request};
    write_error = connection.Run(io_timeout, [&](auto& stream, auto handler) {
      http::async_write_header(stream, serializer, std::move(handler));
    });
    std::vector<char> chunk(kChunkBytes);
    uint64_t sent = 0;
    while (!write_error && sent < upload->size) {
      in.read(chunk.data(),
              static_cast<std::streamsize>(std::min<uint64_t>(chunk.size(), upload->size - sent)));
      size_t n = static_cast<size_t>(in.gcount());
      if (n == 0) {
        return Fail(ErrorCode::kInvalidArgument,
                    "'" + upload->file.string() + "' ended after " + std::to_string(sent) + " of " +
                        std::to_string(upload->size) + " bytes; did it change while uploading?");
      }
      request.body().data = chunk.data();
      request.body().size = n;
      request.body().more = sent + n < upload->size;
      write_error = connection.Run(io_timeout, [&](auto& stream, auto handler) {
        http::async_write(stream, serializer, std::move(handler));
      });
      if (write_error == http::error::need_buffer) write_error = {};
      if (!write_error) {
        sent += n;
        if (*upload->progress) (*upload->progress)(sent, upload->size);
      }
    }
    if (!write_error && !serializer.is_done()) {  // an empty file, or the final flush
      request.body().data = nullptr;
      request.body().size = 0;
      request.body().more = false;
      write_error = connection.Run(io_timeout, [&](auto& stream, auto handler) {
        http::async_write(stream, serializer, std::move(handler));
      });
      if (write_error == http::error::need_buffer) write_error = {};
    }
  }

  // Receive.
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // our own caps apply
  auto read_error = connection.Run(
      write_error ? std::chrono::milliseconds(2000) : read_timeout,
      [&](auto& stream, auto handler) {
        http::async_read_header(stream, connection.buffer(), parser, std::move(handler));
      });
  if (read_error) {
    if (write_error)
      return connection.TransportError(write_error, "sending the request", io_timeout);
    return connection.TransportError(read_error, "waiting for the answer", read_timeout);
  }
  HttpResponse response;
  response.status = parser.get().result_int();
  response.content_type = std::string(parser.get()[http::field::content_type]);
  const bool to_sink = sink != nullptr && response.status >= 200 && response.status < 300;
  const uint64_t total = parser.content_length().value_or(0);
  uint64_t received = 0;
  std::vector<char> chunk(kChunkBytes);
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    // read_some, not read: read would only return once the buffer is full or the body
    // complete, holding back server-sent events that arrive a few bytes at a time.
    read_error = connection.Run(read_timeout, [&](auto& stream, auto handler) {
      http::async_read_some(stream, connection.buffer(), parser, std::move(handler));
    });
    if (read_error == http::error::need_buffer) read_error = {};
    if (read_error) {
      return connection.TransportError(read_error, "reading the answer", read_timeout);
    }
    size_t n = chunk.size() - parser.get().body().size;
    received += n;
    if (to_sink) {
      if (n > 0 && !(*sink)(std::string_view(chunk.data(), n))) break;
      if (download_progress != nullptr && *download_progress) (*download_progress)(received, total);
    } else {
      if (received > options_.max_body_bytes) {
        return Fail(ErrorCode::kInternal,
                    "the answer from " + url_.ToString() + " is larger than " +
                        std::to_string(options_.max_body_bytes >> 20) + " MiB");
      }
      response.body.append(chunk.data(), n);
    }
  }
  return response;
}

}  // namespace aimass::cli
