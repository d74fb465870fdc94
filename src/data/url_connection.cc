#include "data/url_connection.h"

#include "data/address_policy.h"

namespace aimass::data::outbound {

std::string HostForUrl(const FetchUrl& url) {
  return url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
}

uint16_t DefaultPort(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

std::string HostHeader(const FetchUrl& url) {
  std::string host = HostForUrl(url);
  if (url.port != DefaultPort(url.scheme)) host += ":" + std::to_string(url.port);
  return host;
}

Result<std::vector<tcp::endpoint>> AllowedEndpoints(const FetchUrl& url,
                                                    const FetchOptions& options,
                                                    const std::string& shown) {
  if (!HostAllowed(options.allowed_hosts, url.host)) {
    return Fail(ErrorCode::kPermissionDenied,
                shown + ": host '" + url.host +
                    "' is not on this server's import allow-list; an admin may add it: " +
                    kEnableHint + url.host);
  }
  std::vector<IpAddress> addresses;
  if (url.host_is_ip) {
    addresses.push_back(*ParseIpLiteral(url.host));
  } else {
    net::io_context ioc;
    tcp::resolver resolver(ioc);
    std::optional<beast::error_code> done;
    tcp::resolver::results_type results;
    resolver.async_resolve(url.host, std::to_string(url.port),
                           [&](beast::error_code ec, tcp::resolver::results_type r) {
                             done = ec;
                             results = std::move(r);
                           });
    ioc.run_for(options.io_timeout);
    if (!done) {
      resolver.cancel();
      ioc.restart();
      ioc.run();
      return Fail(ErrorCode::kDeadlineExceeded,
                  shown + ": looking up '" + url.host + "' took too long; try again later");
    }
    if (*done || results.empty()) {
      return Fail(ErrorCode::kUnavailable, shown + ": cannot look up host '" + url.host +
                                               "': " + (*done ? done->message() : "no address") +
                                               "; check the host name");
    }
    for (const auto& entry : results) {
      const net::ip::address a = entry.endpoint().address();
      IpAddress address;
      if (a.is_v4()) {
        const auto b = a.to_v4().to_bytes();
        std::copy(b.begin(), b.end(), address.bytes.begin());
      } else {
        address.v6 = true;
        const auto b = a.to_v6().to_bytes();
        std::copy(b.begin(), b.end(), address.bytes.begin());
      }
      if (std::find(addresses.begin(), addresses.end(), address) == addresses.end()) {
        addresses.push_back(address);
      }
    }
  }
  std::vector<tcp::endpoint> endpoints;
  for (const IpAddress& address : addresses) {
    const AddressClass kind = ClassifyAddress(address);
    const std::string text = address.ToString();
    // Only an admin who listed the address itself meant to let imports reach it: a listed
    // name that resolves there (or is made to, by whoever controls its DNS) is not enough.
    if (kind != AddressClass::kPublic &&
        std::find(options.allowed_hosts.begin(), options.allowed_hosts.end(), text) ==
            options.allowed_hosts.end()) {
      const std::string which =
          url.host_is_ip ? text : "'" + url.host + "' resolves to " + text + ", which";
      return Fail(ErrorCode::kPermissionDenied,
                  shown + ": " + which + " is a " + std::string(AddressClassName(kind)) +
                      " address, and imports may not reach those unless an admin allows that "
                      "address itself: " +
                      kEnableHint + text);
    }
    net::ip::address ip;
    if (address.v6) {
      net::ip::address_v6::bytes_type b;
      std::copy(address.bytes.begin(), address.bytes.end(), b.begin());
      ip = net::ip::address_v6(b);
    } else {
      net::ip::address_v4::bytes_type b;
      std::copy(address.bytes.begin(), address.bytes.begin() + 4, b.begin());
      ip = net::ip::address_v4(b);
    }
    endpoints.emplace_back(ip, url.port);
  }
  return endpoints;
}

}  // namespace aimass::data::outbound
