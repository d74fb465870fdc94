// JSON text written directly: the records route's answer, in the shape
// Pipeline::PredictRecords gives as a document (the fast lane's answers are the same JSON as
// the general path's, without building a document per request), and the prediction log's
// lines.
#pragma once

#include <string>
#include <string_view>

#include "train/pipeline.h"

namespace aimass::serve {

// `text` as a JSON string, quotes included (control characters as \u00XX).
void AppendJsonString(std::string_view text, std::string& out);
// `value` as compact JSON text, invalid UTF-8 replaced: a record, an answer or a feedback
// line as the prediction log keeps it.
std::string JsonText(const nlohmann::json& value);
// A finite number as the shortest text that reads back as the same double; null otherwise.
void AppendJsonNumber(double value, std::string& out);
// One row's answer without its closing brace, so that the caller can add fields:
// {"prediction":"good","probabilities":{"bad":0.1,"good":0.9}  (classification) or
// {"prediction":12.5  (regression); `row` holds pipeline.width() values.
void AppendPredictionFields(const train::Pipeline& pipeline, const double* row, std::string& out);

}  // namespace aimass::serve
