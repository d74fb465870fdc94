#include "data/url_post.h"

#include "data/url_connection.h"

namespace aimass::data {
namespace {

namespace bhttp = outbound::bhttp;
namespace beast = outbound::beast;
namespace net = outbound::net;

template <typename Stream>
Result<PostAnswer> Post(net::io_context& ioc, Stream& stream, const FetchUrl& url,
                        const PostRequest& request, const FetchOptions& options,
                        outbound::SteadyClock::time_point deadline) {
  outbound::Exchange<Stream> exchange(ioc, stream, options, deadline, url.Redacted());
  bhttp::request<bhttp::string_body> message(bhttp::verb::post, url.target, 11);
  message.set(bhttp::field::host, outbound::HostHeader(url));
  message.set(bhttp::field::user_agent, "aimass-webhook/0.1");
  message.set(bhttp::field::content_type, request.content_type);
  message.set(bhttp::field::connection, "close");
  for (const auto& [name, value] : request.headers) message.set(name, value);
  message.body() = request.body;
  message.prepare_payload();
  AIMASS_RETURN_IF_ERROR(exchange.Step("sending the request", [&](auto handler) {
    bhttp::async_write(stream, message, std::move(handler));
  }));
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::empty_body> parser;
  parser.header_limit(64 * 1024);
  AIMASS_RETURN_IF_ERROR(exchange.Step("reading the answer's header", [&](auto handler) {
    bhttp::async_read_header(stream, buffer, parser, std::move(handler));
  }));
  const auto reason = parser.get().reason();
  return PostAnswer{static_cast<int>(parser.get().result_int()),
                    std::string(reason.data(), reason.size())};
}

}  // namespace

Result<PostAnswer> PostToUrl(const PostRequest& request, const FetchOptions& options) {
  AIMASS_ASSIGN_OR_RETURN(FetchUrl url, ParseFetchUrl(request.url));
  const std::string shown = url.Redacted();
  if (options.allowed_hosts.empty()) {
    return Fail(ErrorCode::kPermissionDenied,
                shown +
                    ": no host is allowed for outside requests on this server yet; an "
                    "admin allows one with `" +
                    std::string(outbound::kEnableHint) + url.host + "`");
  }
  const auto deadline = outbound::SteadyClock::now() + options.total_timeout;
  AIMASS_ASSIGN_OR_RETURN(auto endpoints, outbound::AllowedEndpoints(url, options, shown));
  return outbound::Connected(url, endpoints, options, deadline, [&](auto& ioc, auto& stream) {
    return Post(ioc, stream, url, request, options, deadline);
  });
}

}  // namespace aimass::data
