// The one way this module includes Boost.Asio and Boost.Beast. Boost 1.74's Asio headers
// use std::exchange without including <utility>, which GCC 12 in C++23 mode rejects
// ("'exchange' is not a member of 'std'"), so <utility> must come first.
#pragma once

#include <string_view>
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace aimass::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

// Boost 1.74's beast::string_view is boost::string_view, not std::string_view.
inline std::string_view ToStd(beast::string_view text) { return {text.data(), text.size()}; }
inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return beast::iequals(beast::string_view(a.data(), a.size()),
                        beast::string_view(b.data(), b.size()));
}

}  // namespace aimass::http
