// DatasetService's URL imports: check the URL and the allow-list when the job is asked for,
// download in the job (data/url_fetch.h), then import the file as an upload is imported.
#include <cctype>
#include <chrono>
#include <cstdio>
#include <system_error>

#include "common/hash.h"
#include "data/dataset_service.h"
#include "data/url_fetch.h"

namespace aimass::data {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The last segment of the URL's path, as a file name of ours ("download" when there is
// none): it names the file in messages and guesses the format.
std::string FileNameOf(const FetchUrl& url) {
  std::string path = url.target.substr(0, url.target.find('?'));
  std::string name = path.substr(path.rfind('/') + 1);
  std::string safe;
  for (char c : name) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    safe += ok ? c : '_';
  }
  if (safe.empty() || safe.front() == '.') safe = "download" + safe;
  return safe.substr(0, 100);
}

std::string Mebibytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return text;
}

}  // namespace

Result<store::JobRecord> DatasetService::StartUrlImport(const UrlImportRequest& request) {
  AIMASS_RETURN_IF_ERROR(CheckDatasetName(request.name));
  AIMASS_ASSIGN_OR_RETURN(FetchUrl url, ParseFetchUrl(request.url));
  AIMASS_ASSIGN_OR_RETURN(auto listed, store_.ListImportHosts());
  std::vector<std::string> hosts;
  for (const auto& entry : listed) hosts.push_back(entry.host);
  // Refused here at once when it is clear; the job checks again (the list may change, and
  // redirects and addresses are only known there).
  if (hosts.empty()) {
    return Fail(ErrorCode::kPermissionDenied,
                "importing from URLs is off on this server: no host is allowed yet. An admin "
                "enables it for a host with `aimass import-hosts add " +
                    url.host + "`");
  }
  if (!HostAllowed(hosts, url.host)) {
    return Fail(ErrorCode::kPermissionDenied,
                url.Redacted() + ": host '" + url.host +
                    "' is not on this server's import allow-list; an admin may add it: "
                    "aimass import-hosts add " +
                    url.host);
  }
  const std::string filename = FileNameOf(url);
  json params = {{"name", request.name}, {"url", request.url}, {"filename", filename}};
  std::optional<FileFormat> format = request.format;
  if (!format) {
    // Only a known extension decides now; otherwise the downloaded bytes are sniffed.
    const std::string extension = fs::path(filename).extension().string();
    if (extension.size() > 1) {
      if (auto known = ParseFileFormat(extension.substr(1))) format = *known;
    }
  }
  if (format) params["format"] = FileFormatName(*format);
  auto job = store_.EnqueueJob(kUrlImportJob, params.dump(), clock_.NowMillis());
  if (job && pool_ != nullptr) pool_->Wake();
  return job;
}

Result<jobs::JobOutcome> DatasetService::RunUrlImport(jobs::JobContext& context) {
  json params = context.params();
  const std::string url_text = params.value("url", "");
  AIMASS_ASSIGN_OR_RETURN(FetchUrl url, ParseFetchUrl(url_text));
  AIMASS_ASSIGN_OR_RETURN(auto listed, store_.ListImportHosts());
  FetchOptions fetch;
  for (const auto& entry : listed) fetch.allowed_hosts.push_back(entry.host);
  fetch.max_bytes = options_.max_download_bytes;
  Status stop = Ok();
  fetch.progress = [&](uint64_t received, uint64_t total) {
    std::string message = "downloading " + Mebibytes(received);
    if (total > 0) message += " of " + Mebibytes(total);
    stop = context.Progress(1, message);
    return stop.has_value();
  };

  // A folder of its own under uploads/, as an upload has, removed when the job ends.
  std::error_code ec;
  const fs::path dir = options_.uploads_dir / RandomHex(12);
  fs::create_directories(dir, ec);
  if (ec) return Fail(ErrorCode::kInternal, "cannot make " + dir.string() + ": " + ec.message());
  const fs::path file = dir / params.value("filename", "download");
  AIMASS_RETURN_IF_ERROR(context.Progress(1, "downloading " + url.Redacted()));
  const auto started = std::chrono::steady_clock::now();
  auto fetched = FetchToFile(url_text, file, fetch);
  if (!fetched) {
    fs::remove_all(dir, ec);
    return Fail(stop ? fetched.error() : stop.error());
  }
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - started;
  char took[32];
  std::snprintf(took, sizeof took, "%.2f s", seconds.count());
  context.Log("downloaded " + std::to_string(fetched->bytes) + " bytes from " + fetched->final_url +
              " in " + took);
  if (!params.contains("format")) {
    params["format"] = FileFormatName(GuessFileFormat(file, params.value("filename", "")));
  }
  json source = {{"kind", "url"},
                 {"url", fetched->url},
                 {"final_url", fetched->final_url},
                 {"filename", params.value("filename", "")},
                 {"format", params["format"]},
                 {"bytes", fetched->bytes}};
  auto outcome = ImportAsVersion(context, params, file, std::move(source));
  fs::remove_all(dir, ec);
  return outcome;
}

}  // namespace aimass::data
