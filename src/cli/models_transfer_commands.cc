// `aimass models export|import|import-xgboost|download`: the model verbs of ClientCommands that
// move files — bundles (one file per version), XGBoost model files and single members.
#include <system_error>

#include "cli/client_commands.h"
#include "cli/dataset_ref.h"
#include "cli/table.h"
#include "cli/transfer.h"

namespace aimass::cli {
namespace {

using nlohmann::json;

std::string VersionPath(const ModelRef& ref) {
  return "/models/" + Segment(ref.name) + "/versions/" + Segment(ref.VersionSegment());
}

// "learners/0.ubj" -> "learners/0.ubj" with each part encoded, the slashes kept.
std::string MemberPath(const std::string& member) {
  std::string path;
  size_t start = 0;
  while (true) {
    size_t slash = member.find('/', start);
    path += Segment(member.substr(start, slash - start));
    if (slash == std::string::npos) return path;
    path += '/';
    start = slash + 1;
  }
}

}  // namespace

int ClientCommands::ModelsExport() {
  auto ref = ParseModelRef(models_.ref);
  if (!ref) return Usage(ref.error().message);
  auto api = Connect();
  if (!api) return Report(api.error());
  // The version first: its number pins the bundle (an alias could move meanwhile), and
  // its bundle size gives the progress bar a total (the bundle is streamed without one).
  auto version = api->Get(VersionPath(*ref));
  if (!version) return Report(version.error());
  ModelRef pinned{ref->name, std::to_string(version->value("version", int64_t{0}))};
  auto written = DownloadFile(*api, VersionPath(pinned) + "/bundle", models_.output,
                              version->value("bundle_size_bytes", uint64_t{0}),
                              {terminal_.err, terminal_.stderr_is_terminal});
  if (!written) return Report(written.error());
  std::string exported = version->value("ref", pinned.ToString());
  if (flags_.json) {
    PrintJson({{"file", models_.output}, {"ref", exported}, {"bytes", *written}});
  } else {
    *terminal_.out << "wrote " << models_.output << " (" << exported << ", "
                   << version->value("member_count", 0) << " members, " << FormatBytes(*written)
                   << ")\n";
  }
  return kExitOk;
}

int ClientCommands::ModelsImport() {
  std::error_code ec;
  std::filesystem::path file(models_.file);
  if (!std::filesystem::is_regular_file(file, ec)) {
    return Usage("no bundle to import at '" + models_.file +
                 "'; check the path (it is read on this machine)");
  }
  std::string query = "?filename=" + UrlEncode(file.filename().string());
  if (!models_.name.empty()) query += "&name=" + UrlEncode(models_.name);
  auto api = Connect();
  if (!api) return Report(api.error());
  auto version =
      UploadFile(*api, "/models/import" + query, file, "uploading " + file.filename().string(),
                 {terminal_.err, terminal_.stderr_is_terminal});
  if (!version) return Report(version.error());
  if (flags_.json) {
    PrintJson(*version);
  } else {
    *terminal_.out << "imported " << version->value("ref", "") << " ("
                   << version->value("member_count", 0) << " members, "
                   << FormatBytes(version->value("size_bytes", uint64_t{0})) << ") from "
                   << file.filename().string() << "\n";
  }
  return kExitOk;
}

int ClientCommands::ModelsImportXgboost() {
  std::error_code ec;
  std::filesystem::path file(models_.file);
  if (!std::filesystem::is_regular_file(file, ec)) {
    return Usage("no XGBoost model at '" + models_.file +
                 "'; check the path (it is read on this machine)");
  }
  const auto joined = [](const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : ",") + item;
    return text;
  };
  std::string query =
      "?filename=" + UrlEncode(file.filename().string()) + "&name=" + UrlEncode(models_.name);
  if (!models_.features.empty()) query += "&features=" + UrlEncode(joined(models_.features));
  if (!models_.task.empty()) query += "&task=" + UrlEncode(models_.task);
  if (!models_.classes.empty()) query += "&classes=" + UrlEncode(joined(models_.classes));
  auto api = Connect();
  if (!api) return Report(api.error());
  auto version = UploadFile(*api, "/models/import-xgboost" + query, file,
                            "uploading " + file.filename().string(),
                            {terminal_.err, terminal_.stderr_is_terminal});
  if (!version) return Report(version.error());
  if (flags_.json) {
    PrintJson(*version);
  } else {
    *terminal_.out << "imported " << version->value("ref", "") << " (" << version->value("task", "")
                   << ") from " << file.filename().string() << "\n";
  }
  return kExitOk;
}

int ClientCommands::ModelsDownload() {
  auto ref = ParseModelRef(models_.ref);
  if (!ref) return Usage(ref.error().message);
  auto api = Connect();
  if (!api) return Report(api.error());
  auto written = DownloadFile(*api, VersionPath(*ref) + "/members/" + MemberPath(models_.member),
                              models_.output, 0, {terminal_.err, terminal_.stderr_is_terminal});
  if (!written) return Report(written.error());
  if (flags_.json) {
    PrintJson({{"file", models_.output}, {"member", models_.member}, {"bytes", *written}});
  } else {
    *terminal_.out << "wrote " << models_.output << " (" << models_.member << " of "
                   << ref->ToString() << ", " << FormatBytes(*written) << ")\n";
  }
  return kExitOk;
}

}  // namespace aimass::cli
