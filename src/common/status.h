// Errors as values: every function that can fail across a module edge returns a
// Result<T> (std::expected) or a Status, carrying an ErrorCode that maps to an HTTP
// status and a message a user can act on ("column 'age' in row 1042: 'abc' is not a
// number", never "parse error").
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace aimass {

enum class ErrorCode {
  kInvalidArgument,     // 400: the request is wrong; the message says how to fix it
  kUnauthenticated,     // 401
  kPermissionDenied,    // 403
  kNotFound,            // 404
  kConflict,            // 409: already exists, in use, or in the wrong state
  kPayloadTooLarge,     // 413
  kUnsupportedMedia,    // 415
  kCancelled,           // 499: the caller or a user asked to stop
  kInternal,            // 500: a bug or an environment failure (disk, corrupt blob)
  kUnavailable,         // 503: shutting down, or not ready yet
  kDeadlineExceeded,    // 504: a time limit was hit
  kUnimplemented,       // 501: valid, but this build does not do it (yet)
};

// The snake_case name used in JSON errors: {"error":{"code":"not_found",...}}.
std::string_view ErrorCodeName(ErrorCode code);
// The HTTP status that an error with this code is answered with.
int HttpStatusFor(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;
};

template <typename T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

// Builds the error side of a Result or Status: `return Fail(ErrorCode::kNotFound, "...");`
inline std::unexpected<Error> Fail(ErrorCode code, std::string message) {
  return std::unexpected<Error>(Error{code, std::move(message)});
}
inline std::unexpected<Error> Fail(Error error) { return std::unexpected<Error>(std::move(error)); }

inline Status Ok() { return {}; }

}  // namespace aimass

// Returns early from the enclosing function when `expr` (a Status or Result) failed.
#define AIMASS_RETURN_IF_ERROR(expr)                              \
  do {                                                            \
    if (auto aimass_status_ = (expr); !aimass_status_)            \
      return ::aimass::Fail(std::move(aimass_status_).error());   \
  } while (0)

#define AIMASS_CONCAT_INNER_(a, b) a##b
#define AIMASS_CONCAT_(a, b) AIMASS_CONCAT_INNER_(a, b)
// `AIMASS_ASSIGN_OR_RETURN(auto x, MakeX());` declares x from a Result or returns its error.
#define AIMASS_ASSIGN_OR_RETURN(decl, expr)                                   \
  auto AIMASS_CONCAT_(aimass_result_, __LINE__) = (expr);                    \
  if (!AIMASS_CONCAT_(aimass_result_, __LINE__))                             \
    return ::aimass::Fail(std::move(AIMASS_CONCAT_(aimass_result_, __LINE__)).error()); \
  decl = std::move(*AIMASS_CONCAT_(aimass_result_, __LINE__))
