// The predictions of a batch as a DuckDB table, so SQL can set them beside their input rows
// (a POSITIONAL JOIN) without a round trip through text: `prediction`, then for classifiers
// one `probability_<class>` column per class, appended row by row in input order.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "data/engine.h"
#include "train/pipeline.h"

namespace aimass::serve {

// The column names a batch prediction adds, in order.
std::vector<std::string> PredictionColumns(const train::Pipeline& pipeline);

// Creates the temporary table `table` in `engine` and appends one row per prediction:
// `predicted` holds rows * pipeline.width() values, as Pipeline::Predict returns them.
Status WritePredictionTable(data::Engine& engine, const std::string& table,
                            const train::Pipeline& pipeline, const std::vector<double>& predicted,
                            int64_t rows);

}  // namespace aimass::serve
