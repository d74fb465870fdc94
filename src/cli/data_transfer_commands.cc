// `aimass data import|export|delete|transform`: the dataset verbs of ClientCommands that
// move data or change it.
#include <algorithm>
#include <cctype>
#include <iterator>
#include <system_error>

#include "cli/client_commands.h"
#include "cli/dataset_ref.h"
#include "cli/table.h"
#include "cli/transfer.h"
#include "common/files.h"

namespace aimass::cli {
namespace {

using nlohmann::json;

std::string VersionPath(const DatasetRef& ref, int64_t version) {
  return "/datasets/" + Segment(ref.name) + "/versions/" + std::to_string(version);
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
  if (!project_flags_.name.empty()) query += "&project=" + UrlEncode(project_flags_.name);
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
  if (flags_.append) query += "&append=true";

  auto api = Connect();
  if (!api) return Report(api.error());
  auto uploaded =
      UploadFile(*api, "/datasets" + query, file, "uploading " + file.filename().string(),
                 {terminal_.err, terminal_.stderr_is_terminal});
  if (!uploaded) return Report(uploaded.error());
  return FollowJob(*api, *uploaded);
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

  auto written = DownloadFile(*api,
                              "/datasets/" + Segment(ref->name) + "/versions/" +
                                  ref->VersionSegment() + "/export?format=" + format,
                              output, 0, {terminal_.err, terminal_.stderr_is_terminal});
  if (!written) return Report(written.error());
  if (flags_.json) {
    PrintJson({{"file", output.string()}, {"format", format}, {"bytes", *written}});
  } else {
    *terminal_.out << "wrote " << output.string() << " (" << format << ", " << FormatBytes(*written)
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
  if (auto refused = ConfirmDelete(what, flags_.yes)) return *refused;
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
