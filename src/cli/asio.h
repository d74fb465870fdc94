// The one way the CLI includes Boost.Asio and Beast. Boost 1.74's Asio misses
// `#include <utility>` under C++23 with GCC 12 ('exchange' is not a member of 'std'),
// so <utility> comes first; every CLI file that needs Boost includes this header instead.
#pragma once

// The order matters here: keep clang-format from sorting it.
// clang-format off
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
// clang-format on
