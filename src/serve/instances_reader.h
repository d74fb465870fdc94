// The records route's fast lane: a body of the plain form {"instances":[{"col":value,...},
// ...]} read straight into a Frame against the model's schema, without building a JSON
// document first, keeping each record's text for the prediction log. Anything else (another
// key, the columnar form, a value the model's column would have to convert, a missing
// column, any syntax error) is not read here: the caller then parses the body with
// nlohmann and takes the general path, which accepts the rest and words every error. For
// the bodies it takes, the frame is the one FrameFromRecords makes from the parsed body.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "train/frame.h"

namespace aimass::serve {

struct Instances {
  train::Frame frame;
  std::vector<std::string> records;  // each record as compact JSON text, for the log
};

// The plain form, strictly: one object holding only "instances", an array of one or more
// objects; in each, every schema column exactly once, given as null (missing) or as
// - a finite number, for a number or datetime column (epoch seconds);
// - true, false, 0 or 1, for a boolean column;
// - a string, true or false, for a text column;
// other keys may hold any string, number, true, false or null and are ignored.
// nullopt for anything else.
std::optional<Instances> ReadInstances(std::string_view body, const train::FrameSchema& schema);
// The same into `into`, whose columns keep their memory from an earlier body (a thread's
// scratch: a single-row request then allocates nothing per column). False where ReadInstances
// gives nullopt; `into` then holds part of the body.
bool ReadInstancesInto(std::string_view body, const train::FrameSchema& schema,
                       Instances& into);

}  // namespace aimass::serve
