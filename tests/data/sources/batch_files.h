// Helpers of the source kinds' tests: a Take as the runner makes it (a fresh scratch folder
// per call) and the rows of a JSON-lines batch.
#pragma once

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/sources/source.h"
#include "data/sources/temp_dir.h"

namespace aimass::data::sources {

inline std::vector<nlohmann::json> ReadJsonLines(const std::filesystem::path& file) {
  std::vector<nlohmann::json> rows;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) rows.push_back(nlohmann::json::parse(line));
  return rows;
}

// Gives each Take its own empty scratch folder, as the runner does. Not thread-safe.
class TakeRunner {
 public:
  Result<std::optional<SourceBatch>> Take(Source& source, nlohmann::json cursor) {
    std::filesystem::path scratch = dir_.path() / std::to_string(++takes_);
    std::filesystem::create_directories(scratch);
    return source.Take(SourceContext{std::move(cursor), scratch, {}, {}, nullptr});
  }

 private:
  TempDir dir_{"aimass_source_scratch_"};
  int takes_ = 0;
};

}  // namespace aimass::data::sources
