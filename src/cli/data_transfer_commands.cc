// `aimass data import|export|delete|transform`: the dataset verbs of ClientCommands that
// move data or change it.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <system_error>

#include "cli/client_commands.h"
#include "cli/dataset_ref.h"
#include "cli/table.h"
#include "common/files.h"

namespace aimass::cli {
namespace {

using nlohmann::json;

std::string VersionPath(const DatasetRef& ref, int64_t version) {
  return "/datasets/" + Segment(ref.name) + "/versions/" + std::to_string(version);
}

// The export format a file name implies: "parquet" for .parquet/.pq, "csv" for .csv,
// "" when the extension says nothing.
std::string FormatFromExtension(const std::filesystem::path& file) {
  std::string extension = file.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension == ".parquet" || extension == ".pq") return "parquet";
  if (extension == ".csv") return "csv";
  return "";
}

}  // namespace

int ClientCommands::DataImport() {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(flags_.file, ec)) {
    return Usage("no file to import at '" + flags_.file +
                 "'; check the path (it is read on this machine)");
  }
  std::string query = "?name=" + UrlEncode(flags_.name);
  std::filesystem::path file(flags_.file);
  query += "&filename=" + UrlEncode(file.filename().string());
  if (!flags_.format.empty()) query += "&format=" + flags_.format;
  std::string types;
  for (const std::string& type : flags_.types) {
    size_t colon = type.find(':');
    if (colon == 0 || colon == std::string::npos || colon + 1 == type.size()) {
      return Usage("--type '" + type + "' is not COLUMN:TYPE, e.g. --type Age:BIGINT");
    }
    types += (types.empty() ? "" : ",") + type;
  }
  if (!types.empty()) query += "&types=" + UrlEncode(types);
  if (!flags_.delimiter.empty()) {
    std::string delimiter =
        flags_.delimiter == "\\t" || flags_.delimiter == "tab" ? "\t" : flags_.delimiter;
    if (delimiter.size() != 1) {
      return Usage("--delimiter '" + flags_.delimiter +
                   "' must be one character (write \\t for a tab)");
    }
    query += "&delimiter=" + UrlEncode(delimiter);
  }
  if (flags_.no_header) query += "&header=false";

  auto api = Connect();
  if (!api) return Report(api.error());
  std::string label = "uploading " + file.filename().string();
  json answer;
  {
    ProgressBar bar(*terminal_.err, terminal_.stderr_is_terminal);
    auto uploaded = api->PostFile("/datasets" + query, file, [&](uint64_t sent, uint64_t total) {
      int percent = total == 0 ? 100 : static_cast<int>(sent * 100 / total);
      bar.Update(percent, label + "  " + FormatBytes(sent) + " / " + FormatBytes(total));
    });
    bar.Finish();
    if (!uploaded) return Report(uploaded.error());
    answer = std::move(*uploaded);
  }
  return FollowJob(*api, answer);
}

int ClientCommands::DataExport() {
  auto ref = ParseDatasetRef(flags_.ref);
  if (!ref) return Usage(ref.error().message);
  std::filesystem::path output(flags_.output);
  std::string format = flags_.format.empty() ? FormatFromExtension(output) : flags_.format;
  if (format.empty()) {
    return Usage("cannot tell the format from '" + output.string() +
                 "'; name it .csv or .parquet, or pass --format csv|parquet");
  }
  auto api = Connect();
  if (!api) return Report(api.error());

  // Written beside the target and renamed at the end, so a failed download never leaves
  // a truncated file under the name the user asked for.
  std::filesystem::path temp = output;
  temp += ".part-" + std::to_string(::getpid());
  std::ofstream file(temp, std::ios::binary | std::ios::trunc);
  if (!file) {
    return Report(Error{ErrorCode::kInternal, "cannot create '" + temp.string() + "'"});
  }
  bool write_failed = false;
  uint64_t written = 0;
  ProgressBar bar(*terminal_.err, terminal_.stderr_is_terminal);
  Status downloaded = api->Download(
      "/datasets/" + Segment(ref->name) + "/versions/" + ref->VersionSegment() +
          "/export?format=" + format,
      [&](std::string_view chunk) {
        file.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        written += chunk.size();
        write_failed = !file;
        return !write_failed;
      },
      [&](uint64_t done, uint64_t total) {
        if (total > 0) {
          bar.Update(static_cast<int>(done * 100 / total),
                     "downloading " + FormatBytes(done) + " / " + FormatBytes(total));
        }
      });
  bar.Finish();
  file.close();
  std::error_code ignored;
  if (!downloaded || write_failed || !file) {
    std::filesystem::remove(temp, ignored);
    if (!downloaded) return Report(downloaded.error());
    return Report(
        Error{ErrorCode::kInternal, "cannot write '" + temp.string() + "' (is the disk full?)"});
  }
  if (auto synced = SyncPath(temp); !synced) {
    std::filesystem::remove(temp, ignored);
    return Report(synced.error());
  }
  std::error_code ec;
  std::filesystem::rename(temp, output, ec);
  if (ec) {
    std::filesystem::remove(temp, ignored);
    return Report(Error{ErrorCode::kInternal, "cannot rename '" + temp.string() + "' to '" +
                                                  output.string() + "': " + ec.message()});
  }
  if (flags_.json) {
    PrintJson({{"file", output.string()}, {"format", format}, {"bytes", written}});
  } else {
    *terminal_.out << "wrote " << output.string() << " (" << format << ", " << FormatBytes(written)
                   << ")\n";
  }
  return kExitOk;
}

int ClientCommands::DataDelete() {
  auto ref = ParseDatasetRef(flags_.ref);
  if (!ref) return Usage(ref.error().message);
  auto api = Connect();
  if (!api) return Report(api.error());
  std::string what;
  std::string path;
  std::string deleted = ref->name;  // what --json reports: "credit" or "credit@2"
  if (!ref->names_version) {
    what = "dataset '" + ref->name + "' and all its versions";
    path = "/datasets/" + Segment(ref->name);
  } else {
    int64_t version = ref->version.value_or(0);
    if (!ref->version) {  // NAME@latest: pin the number first, so a newer one is not hit
      auto latest = api->Get("/datasets/" + Segment(ref->name) + "/versions/latest");
      if (!latest) return Report(latest.error());
      version = latest->value("version", int64_t{0});
    }
    deleted = ref->name + "@" + std::to_string(version);
    what = "version " + deleted;
    path = VersionPath(*ref, version);
  }
  if (!flags_.yes) {
    if (!terminal_.stdin_is_terminal) {
      return Usage("refusing to delete " + what + " without confirmation; pass --yes");
    }
    *terminal_.err << "delete " << what << "? [y/N] " << std::flush;
    std::string reply;
    std::getline(*terminal_.in, reply);
    if (reply != "y" && reply != "Y" && reply != "yes") {
      *terminal_.err << "nothing deleted\n";
      return kExitFailure;
    }
  }
  if (auto deleted = api->Delete(path); !deleted) return Report(deleted.error());
  if (flags_.json) {
    PrintJson({{"deleted", deleted}});
  } else {
    *terminal_.out << "deleted " << what << "\n";
  }
  return kExitOk;
}

int ClientCommands::DataTransform() {
  auto ref = ParseDatasetRef(flags_.ref);
  if (!ref) return Usage(ref.error().message);
  std::string sql;
  if (flags_.sql_file == "-") {
    sql.assign(std::istreambuf_iterator<char>(*terminal_.in), std::istreambuf_iterator<char>());
  } else {
    auto text = ReadFile(flags_.sql_file);
    if (!text) return Usage("--sql: " + text.error().message);
    sql = std::move(*text);
  }
  if (sql.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Usage("the SQL in '" + flags_.sql_file + "' is empty; write one SELECT over `input`");
  }
  auto api = Connect();
  if (!api) return Report(api.error());
  json body = {{"input", ref->ToString()}, {"sql", sql}};
  if (!flags_.new_name.empty()) body["output"] = flags_.new_name;
  auto answer = api->Post("/transforms", body);
  if (!answer) return Report(answer.error());
  return FollowJob(*api, *answer);
}

}  // namespace aimass::cli
