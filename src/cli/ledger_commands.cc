// `aimass ledger head` and `aimass ledger log`: the ledger verbs of ClientCommands. (`aimass
// ledger verify` works on a data directory offline; main() adds it, src/exe/.)
#include <fstream>

#include "cli/client_commands.h"
#include "cli/table.h"

namespace aimass::cli {
using nlohmann::json;

void ClientCommands::RegisterLedger(CLI::App& app) {
  CLI::App* ledger = app.add_subcommand(
      "ledger", "The tamper-evident ledger of every change: its signed head, entries, checks");
  ledger->fallthrough();
  ledger->require_subcommand(1);

  CLI::App* head = ledger->add_subcommand(
      "head", "Show the ledger's signed tree head; -o saves it for `ledger verify --trusted-head`");
  head->add_option("-o,--output", flags_.output, "Save the head (JSON) to this file");
  On(head, &ClientCommands::LedgerHead);

  CLI::App* log = ledger->add_subcommand("log", "List ledger entries, oldest first");
  log->add_option("--from", flags_.offset, "The first entry's index")->capture_default_str();
  log->add_option("--limit", flags_.limit, "How many entries (at most 1000)")
      ->capture_default_str();
  On(log, &ClientCommands::LedgerLog);
}

int ClientCommands::LedgerHead() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto head = api->Get("/ledger/head");
  if (!head) return Report(head.error());
  if (!flags_.output.empty()) {
    std::ofstream file(flags_.output, std::ios::trunc);
    file << head->dump(2) << "\n";
    if (!file.flush()) {
      return Report({ErrorCode::kInternal, "cannot write '" + flags_.output + "'"});
    }
  }
  if (flags_.json) {
    PrintJson(*head);
    return kExitOk;
  }
  *terminal_.out << FormatTable({"FIELD", "VALUE"}, {{"size", FieldText(*head, "size")},
                                                     {"root", FieldText(*head, "root")},
                                                     {"signed at", FieldText(*head, "timestamp_ms")},
                                                     {"public key", FieldText(*head, "public_key")}});
  if (!flags_.output.empty()) {
    *terminal_.out << "saved to " << flags_.output << "; later: aimass ledger verify "
                   << "--data-dir DIR --trusted-head " << flags_.output << "\n";
  }
  return kExitOk;
}

int ClientCommands::LedgerLog() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer = api->Get("/ledger/entries?from=" + std::to_string(flags_.offset) +
                         "&limit=" + std::to_string(flags_.limit));
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& entry : answer->value("entries", json::array())) {
    rows.push_back({FieldText(entry, "index"), FieldText(entry, "at"), FieldText(entry, "actor"),
                    FieldText(entry, "action"), FieldText(entry, "subject")});
  }
  if (rows.empty()) {
    *terminal_.out << "no ledger entries from index " << flags_.offset << "\n";
    return kExitOk;
  }
  *terminal_.out << FormatTable({"INDEX", "AT", "ACTOR", "ACTION", "SUBJECT"}, rows);
  return kExitOk;
}

}  // namespace aimass::cli
