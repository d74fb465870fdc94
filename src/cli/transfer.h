// File transfers with a progress bar, shared by `data import/export` and `models
// import/export/download`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>

#include "cli/api_client.h"
#include "common/status.h"

namespace aimass::cli {

// Where a transfer draws its progress bar.
struct ProgressTarget {
  std::ostream* out;
  bool is_terminal = false;
};

// POSTs `file` to the /api/v1 `path` as a streamed body, drawing "LABEL  sent / total".
// Returns the server's JSON answer.
Result<nlohmann::json> UploadFile(ApiClient& api, std::string_view path,
                                  const std::filesystem::path& file, std::string_view label,
                                  ProgressTarget progress);

// GETs the /api/v1 `path` into `output`. The bytes go to OUTPUT.part-PID beside it, synced
// and renamed at the end, so a failed download never leaves a truncated file under the
// user's name. `expected_bytes` (0: unknown) stands in for the total when the server
// streams without a Content-Length. Returns the bytes written.
Result<uint64_t> DownloadFile(ApiClient& api, std::string_view path,
                              const std::filesystem::path& output, uint64_t expected_bytes,
                              ProgressTarget progress);

// The export format a file name implies: "parquet" for .parquet/.pq, "csv" for .csv,
// "" when the extension says nothing.
std::string FormatFromExtension(const std::filesystem::path& file);

}  // namespace aimass::cli
