// `aimass keys show` and `aimass keys rotate`: the encryption-at-rest verbs of
// ClientCommands (admins only).
#include <fstream>
#include <sstream>

#include "cli/client_commands.h"
#include "cli/table.h"

namespace aimass::cli {
using nlohmann::json;

namespace {

std::string Joined(const json& list) {
  std::string text;
  if (!list.is_array()) return text;
  for (const json& item : list) {
    if (!text.empty()) text += ", ";
    text += item.is_string() ? item.get<std::string>() : item.dump();
  }
  return text;
}

}  // namespace

void ClientCommands::RegisterKeys(CLI::App& app) {
  CLI::App* keys =
      app.add_subcommand("keys", "Encryption at rest (admins only): show key ids, rotate");
  keys->fallthrough();
  keys->require_subcommand(1);
  On(keys->add_subcommand("show", "Show the master key's id and source and the data key ids"),
     &ClientCommands::KeysShow);
  CLI::App* rotate = keys->add_subcommand(
      "rotate",
      "Re-wrap the data keys under a new master key while the server keeps serving (no blob "
      "is rewritten)");
  rotate->add_flag("--new-data-key", key_flags_.new_data_key,
                   "Also start a fresh data key for new blobs (older blobs keep theirs)");
  rotate->add_option("--new-master-key-file", key_flags_.new_master_key_file,
                     "When the server's master key comes from AIMASS_MASTER_KEY or a key file: "
                     "the new key (64 hex characters, `openssl rand -hex 32`); start the server "
                     "with it afterwards");
  On(rotate, &ClientCommands::KeysRotate);
}

int ClientCommands::KeysShow() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto keys = api->Get("/keys");
  if (!keys) return Report(keys.error());
  if (flags_.json) {
    PrintJson(*keys);
    return kExitOk;
  }
  *terminal_.out << "master key:       " << FieldText(*keys, "master_key_id") << " (from "
                 << FieldText(*keys, "master_key_source") << ")\n"
                 << "current data key: " << FieldText(*keys, "current_data_key") << "\n"
                 << "data keys:        " << Joined(keys->value("data_key_ids", json::array()))
                 << "\n";
  return kExitOk;
}

int ClientCommands::KeysRotate() {
  json body = {{"new_data_key", key_flags_.new_data_key}};
  if (!key_flags_.new_master_key_file.empty()) {
    std::ifstream file(key_flags_.new_master_key_file);
    std::stringstream text;
    text << file.rdbuf();
    if (!file) {
      return Report({ErrorCode::kInvalidArgument,
                     "cannot read the new master key file '" + key_flags_.new_master_key_file +
                         "'; make one with `openssl rand -hex 32 > FILE && chmod 600 FILE`"});
    }
    body["new_master_key"] = text.str();
  }
  auto api = Connect();
  if (!api) return Report(api.error());
  auto rotated = api->Post("/keys/rotate", body);
  if (!rotated) return Report(rotated.error());
  if (flags_.json) {
    PrintJson(*rotated);
    return kExitOk;
  }
  const json rotation = rotated->value("rotation", json::object());
  if (rotation.value("master_key_rotated", false)) {
    *terminal_.out << "master key rotated: " << FieldText(rotation, "old_master_key_id") << " -> "
                   << FieldText(rotation, "new_master_key_id") << "\n";
  } else {
    *terminal_.out << "master key unchanged: " << FieldText(rotation, "new_master_key_id") << "\n";
  }
  *terminal_.out << "current data key: " << FieldText(rotation, "current_data_key") << "\n";
  if (!key_flags_.new_master_key_file.empty()) {
    *terminal_.out << "start the server with the new master key from now on (set "
                      "AIMASS_MASTER_KEY or --master-key-file to it)\n";
  }
  return kExitOk;
}

}  // namespace aimass::cli
