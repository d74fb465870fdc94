#include "cli/transfer.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <string>
#include <system_error>

#include "cli/progress.h"
#include "cli/table.h"
#include "common/files.h"

namespace aimass::cli {
namespace fs = std::filesystem;

Result<nlohmann::json> UploadFile(ApiClient& api, std::string_view path, const fs::path& file,
                                  std::string_view label, ProgressTarget progress) {
  ProgressBar bar(*progress.out, progress.is_terminal);
  auto uploaded = api.PostFile(path, file, [&](uint64_t sent, uint64_t total) {
    int percent = total == 0 ? 100 : static_cast<int>(sent * 100 / total);
    bar.Update(percent, std::string(label) + "  " + FormatBytes(sent) + " / " + FormatBytes(total));
  });
  bar.Finish();
  return uploaded;
}

Result<uint64_t> DownloadFile(ApiClient& api, std::string_view path, const fs::path& output,
                              uint64_t expected_bytes, ProgressTarget progress) {
  fs::path temp = output;
  temp += ".part-" + std::to_string(::getpid());
  std::ofstream file(temp, std::ios::binary | std::ios::trunc);
  if (!file) return Fail(ErrorCode::kInternal, "cannot create '" + temp.string() + "'");
  bool write_failed = false;
  uint64_t written = 0;
  ProgressBar bar(*progress.out, progress.is_terminal);
  Status downloaded = api.Download(
      path,
      [&](std::string_view chunk) {
        file.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        written += chunk.size();
        write_failed = !file;
        return !write_failed;
      },
      [&](uint64_t done, uint64_t total) {
        const bool estimated = total == 0;
        if (estimated) total = expected_bytes;
        if (total == 0) return;
        uint64_t percent = done * 100 / total;
        // An estimate may fall short of the real size: stay below 100 until the end.
        if (estimated) percent = std::min<uint64_t>(percent, 99);
        bar.Update(static_cast<int>(percent),
                   "downloading " + FormatBytes(done) + " / " + FormatBytes(total));
      });
  if (downloaded && !write_failed && expected_bytes > 0) {
    bar.Update(100, "downloaded " + FormatBytes(written));
  }
  bar.Finish();
  file.close();
  std::error_code ignored;
  if (!downloaded || write_failed || !file) {
    fs::remove(temp, ignored);
    if (!downloaded) return Fail(downloaded.error());
    return Fail(ErrorCode::kInternal, "cannot write '" + temp.string() + "' (is the disk full?)");
  }
  if (auto synced = SyncPath(temp); !synced) {
    fs::remove(temp, ignored);
    return Fail(synced.error());
  }
  std::error_code ec;
  fs::rename(temp, output, ec);
  if (ec) {
    fs::remove(temp, ignored);
    return Fail(ErrorCode::kInternal, "cannot rename '" + temp.string() + "' to '" +
                                          output.string() + "': " + ec.message());
  }
  return written;
}

std::string FormatFromExtension(const std::filesystem::path& file) {
  std::string extension = file.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension == ".parquet" || extension == ".pq") return "parquet";
  if (extension == ".csv") return "csv";
  return "";
}

}  // namespace aimass::cli
