// A small synchronous HTTP/1.1 client over Boost.Beast for the CLI: one connection per
// request, http or https (OpenSSL; the certificate and host name checked), a time limit on
// connecting and on every read and write.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/server_url.h"
#include "cli/sse.h"
#include "common/status.h"

namespace aimass::cli {

struct HttpResponse {
  int status = 0;
  std::string content_type;
  // The whole body, except for a 2xx answer that went to a sink (Download, ReadEvents).
  std::string body;
};

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(10);
  // The longest silence allowed while sending or reading one request.
  std::chrono::milliseconds io_timeout = std::chrono::seconds(120);
  // The longest silence allowed between server-sent events before giving up the stream.
  std::chrono::milliseconds event_idle_timeout = std::chrono::seconds(60);
  // Bodies held in memory (JSON answers, errors) larger than this are refused.
  uint64_t max_body_bytes = 256ull << 20;
  // https: the PEM CA certificate(s) to trust; empty: the system's trust store.
  std::filesystem::path ca_cert_file;
};

// Sends requests to one server. Transport failures come back as errors whose message
// names the URL (kUnavailable when nothing listens, hinting at `aimass serve`, or when the
// server's certificate fails the check, hinting at --ca-cert; kDeadlineExceeded on a time
// limit); any HTTP answer, 4xx and 5xx included, is a value.
// Not thread-safe: use one client per thread.
class HttpClient {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;
  // Bytes done so far and the total (0 when the total is unknown).
  using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;
  // Receives a 2xx answer's body piece by piece; returning false stops reading.
  using BodySink = std::function<bool(std::string_view chunk)>;

  // `headers` go on every request (for example Authorization). `path` arguments below
  // start with '/' and get the URL's prefix put in front.
  HttpClient(ServerUrl url, Headers headers, HttpClientOptions options = {});

  const ServerUrl& url() const { return url_; }

  Result<HttpResponse> Get(std::string_view path);
  Result<HttpResponse> Delete(std::string_view path);
  Result<HttpResponse> Post(std::string_view path, std::string body,
                            std::string_view content_type = "application/json");
  Result<HttpResponse> Put(std::string_view path, std::string body,
                           std::string_view content_type = "application/json");
  Result<HttpResponse> Patch(std::string_view path, std::string body,
                             std::string_view content_type = "application/json");
  // Streams `file` as the body with a Content-Length of its size, in chunks, never
  // holding it whole in memory; `progress` is called after every chunk.
  Result<HttpResponse> PostFile(std::string_view path, const std::filesystem::path& file,
                                std::string_view content_type, const ProgressFn& progress);
  // GET whose 2xx body goes to `sink` as it arrives.
  Result<HttpResponse> Download(std::string_view path, const BodySink& sink,
                                const ProgressFn& progress);
  // GET of a text/event-stream: every event goes to `on_event` until it returns false or
  // the server ends the stream. A non-2xx answer comes back with its body.
  Result<HttpResponse> ReadEvents(std::string_view path, const SseParser::EventHandler& on_event);

 private:
  enum class Method { kGet, kPost, kPut, kPatch, kDelete };
  struct Upload;
  Result<HttpResponse> Exchange(Method method, std::string_view path, std::string body,
                                std::string_view content_type, Upload* upload, const BodySink* sink,
                                const ProgressFn* download_progress,
                                std::chrono::milliseconds read_timeout);

  ServerUrl url_;
  Headers headers_;
  HttpClientOptions options_;
};

}  // namespace aimass::cli
