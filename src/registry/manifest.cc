#include "registry/manifest.h"

#include <nlohmann/json.hpp>
#include <set>

#include "blob/blob_store.h"
#include "common/stored_json.h"
#include "common/time_format.h"
#include "data/json_depth.h"
#include "registry/model_ref.h"

namespace aimass::registry {
namespace {

using nlohmann::json;

std::unexpected<Error> Bad(const std::string& what) {
  return Fail(ErrorCode::kInvalidArgument, "manifest.json: " + what);
}

// A JSON field of the version's metadata, kept as text; `fallback` when absent.
Result<std::string> JsonField(const json& manifest, const char* key, json::value_t type,
                              const char* type_name, const char* fallback) {
  if (!manifest.contains(key) || manifest[key].is_null()) return std::string(fallback);
  if (manifest[key].type() != type) {
    return Bad(std::string("'") + key + "' must be " + type_name);
  }
  return manifest[key].dump();
}

Result<std::string> TextField(const json& manifest, const char* key, bool required) {
  if (!manifest.contains(key)) {
    if (required) return Bad(std::string("'") + key + "' is missing");
    return std::string();
  }
  if (!manifest[key].is_string()) return Bad(std::string("'") + key + "' must be a string");
  return manifest[key].get<std::string>();
}

Result<std::vector<ManifestMember>> ParseMembers(const json& manifest) {
  if (!manifest.contains("members") || !manifest["members"].is_array()) {
    return Bad("'members' must be a list of {\"name\",\"size\",\"sha256\"}");
  }
  std::vector<ManifestMember> members;
  std::set<std::string> seen;
  for (const json& item : manifest["members"]) {
    if (!item.is_object() || !item.contains("name") || !item["name"].is_string() ||
        !item.contains("size") || !item["size"].is_number_unsigned() || !item.contains("sha256") ||
        !item["sha256"].is_string()) {
      return Bad(
          "every member needs a string 'name', a whole-number 'size' and a string "
          "'sha256'");
    }
    ManifestMember member{item["name"].get<std::string>(), item["size"].get<uint64_t>(),
                          item["sha256"].get<std::string>()};
    AIMASS_RETURN_IF_ERROR(CheckMemberName(member.name));
    if (!blob::IsBlobHash(member.sha256)) {
      return Bad("the sha256 of member '" + member.name + "' is not 64 lower-case hex digits");
    }
    if (!seen.insert(member.name).second) {
      return Bad("member '" + member.name + "' is listed twice");
    }
    members.push_back(std::move(member));
  }
  if (members.empty()) return Bad("'members' is empty; a model version has at least one file");
  return members;
}

}  // namespace

std::string ManifestJson(const store::ModelVersionRecord& v) {
  json members = json::array();
  for (const auto& m : v.members) {
    members.push_back({{"name", m.name}, {"size", m.size_bytes}, {"sha256", m.blob_hash}});
  }
  json manifest = {{"format", std::string(kBundleFormat)},
                   {"format_version", kBundleFormatVersion},
                   {"model", v.model_name},
                   {"version", v.version},
                   {"created_at", IsoTime(v.created_at)},
                   {"task", v.task},
                   {"description", v.description},
                   {"metrics", ParseStoredJson(v.metrics_json)},
                   {"leaderboard", ParseStoredJson(v.leaderboard_json)},
                   {"params", ParseStoredJson(v.params_json)},
                   {"lineage", ParseStoredJson(v.lineage_json)},
                   {"members", members}};
  return manifest.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Result<Manifest> ParseManifest(std::string_view text) {
  AIMASS_RETURN_IF_ERROR(data::CheckJsonDepth(text, "manifest.json"));
  json manifest = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!manifest.is_object()) return Bad("not a JSON object");
  if (manifest.value("format", json()) != std::string(kBundleFormat)) {
    return Bad("'format' is not \"" + std::string(kBundleFormat) +
               "\"; this is not an aimass "
               "model bundle");
  }
  const json& format_version = manifest.value("format_version", json());
  if (!format_version.is_number_integer() || format_version.get<int64_t>() < 1) {
    return Bad("'format_version' must be a whole number from 1");
  }
  if (format_version.get<int64_t>() > kBundleFormatVersion) {
    return Bad("format_version " + format_version.dump() +
               " was written by a newer aimass than this one (which reads version " +
               std::to_string(kBundleFormatVersion) + "); upgrade aimass to import it");
  }
  Manifest result;
  AIMASS_ASSIGN_OR_RETURN(result.model, TextField(manifest, "model", true));
  AIMASS_ASSIGN_OR_RETURN(result.created_at, TextField(manifest, "created_at", false));
  if (manifest.contains("version") && manifest["version"].is_number_integer()) {
    result.version = manifest["version"].get<int64_t>();
  }
  store::NewModelVersion& m = result.metadata;
  AIMASS_ASSIGN_OR_RETURN(m.task, TextField(manifest, "task", true));
  AIMASS_RETURN_IF_ERROR(CheckTask(m.task));
  AIMASS_ASSIGN_OR_RETURN(m.description, TextField(manifest, "description", false));
  AIMASS_ASSIGN_OR_RETURN(m.metrics_json,
                          JsonField(manifest, "metrics", json::value_t::object, "an object", "{}"));
  AIMASS_ASSIGN_OR_RETURN(m.leaderboard_json,
                          JsonField(manifest, "leaderboard", json::value_t::array, "a list", "[]"));
  AIMASS_ASSIGN_OR_RETURN(m.params_json,
                          JsonField(manifest, "params", json::value_t::object, "an object", "{}"));
  AIMASS_ASSIGN_OR_RETURN(m.lineage_json,
                          JsonField(manifest, "lineage", json::value_t::object, "an object", "{}"));
  AIMASS_ASSIGN_OR_RETURN(result.members, ParseMembers(manifest));
  return result;
}

}  // namespace aimass::registry
