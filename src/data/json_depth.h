// How deep a JSON (or UBJSON) document nests, checked before it is parsed. nlohmann's parser
// is iterative, but copying, comparing and writing a value recurse once per level, and so do
// XGBoost's JSON and UBJSON readers: a body nested 100,000 deep crashed the server (stack
// overflow). Every such document that comes from outside (request bodies, bundle manifests,
// model files) passes this check first. (A platform-wide helper: it belongs in common/ once
// that is free to change; it sits in data/ next to the platform's name rule meanwhile.)
#pragma once

#include <string_view>

#include "common/status.h"

namespace aimass::data {

inline constexpr int kMaxJsonDepth = 64;

// Fails (kInvalidArgument, naming `what` and the byte) when `text` opens more than
// `max_depth` arrays or objects inside one another. Only brackets outside strings count;
// the text need not be valid JSON (the parser judges that). Thread-safe.
Status CheckJsonDepth(std::string_view text, std::string_view what = "the JSON body",
                      int max_depth = kMaxJsonDepth);

// The same for UBJSON (the binary JSON XGBoost writes); also fails on bytes that are not
// well-formed UBJSON, since what cannot be followed cannot be measured. Thread-safe.
Status CheckUbjsonDepth(std::string_view bytes, std::string_view what,
                        int max_depth = kMaxJsonDepth);

// A model file, JSON or UBJSON told apart as the XGBoost learner's readers do ('{' then a
// quote, '}' or white space is JSON; '{' then anything else is UBJSON); files that start
// with neither '{' nor '[' nest nothing and pass. Thread-safe.
Status CheckModelFileDepth(std::string_view bytes, std::string_view what);

}  // namespace aimass::data
