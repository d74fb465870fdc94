#include "exe/ledger_verify.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "security/ledger/signing_key.h"
#include "security/ledger/verifier.h"
#include "store/sqlite_store.h"

namespace aimass::exe {
namespace fs = std::filesystem;
using namespace security::ledger;

namespace {

int Fail(const std::string& message) {
  std::cerr << "aimass: " << message << "\n";
  return 1;
}

// The public key a saved head names ("public_key", as GET /api/v1/ledger/head gives it), if
// any: a trusted head from a server whose key was since replaced must not pass.
Result<std::optional<Ed25519PublicKey>> SavedPublicKey(const fs::path& file) {
  std::ifstream in(file);
  nlohmann::json json = nlohmann::json::parse(in, nullptr, false);
  if (!json.is_object() || !json.contains("public_key")) return std::nullopt;
  Ed25519PublicKey key;
  AIMASS_RETURN_IF_ERROR(FromHex(json["public_key"].get<std::string>(), key,
                                 "field 'public_key' of " + file.string()));
  return key;
}

}  // namespace

int VerifyLedger(const LedgerVerifyFlags& flags) {
  const fs::path dir(flags.data_dir);
  const fs::path db = dir / "aimass.db";
  const fs::path key_file = dir / "keys" / kLedgerKeyFile;
  if (!fs::exists(db)) {
    return Fail("no aimass data directory at '" + flags.data_dir +
                "' (missing aimass.db); pass --data-dir");
  }
  if (!fs::exists(key_file)) {
    return Fail("'" + key_file.string() +
                "' is missing: without the ledger's key no head can be "
                "checked. Restore it from a backup of the data directory");
  }
  auto key = LedgerSigningKey::LoadOrCreate(key_file);
  if (!key) return Fail(key.error().message);
  std::optional<TreeHead> trusted;
  if (!flags.trusted_head.empty()) {
    auto head = LoadTreeHead(flags.trusted_head);
    if (!head) return Fail(head.error().message);
    trusted = *head;
    auto saved_key = SavedPublicKey(flags.trusted_head);
    if (!saved_key) return Fail(saved_key.error().message);
    if (*saved_key && **saved_key != (*key)->public_key()) {
      return Fail("TAMPERED: the trusted head was signed by the key " + ToHex(**saved_key) +
                  ", but the data directory's ledger key is now " + ToHex((*key)->public_key()) +
                  ": the key was replaced");
    }
  }
  auto store = store::SqliteStore::Open(db);
  if (!store) return Fail(store.error().message);
  auto report = security::ledger::VerifyLedger(**store, (*key)->public_key(), trusted);
  if (!report) return Fail(report.error().message);

  std::cout << "ledger of " << fs::absolute(dir).string() << ": " << report->entries << " entries, "
            << report->heads << " signed heads\n";
  if (report->newest_head) {
    std::cout << "newest head: size " << report->newest_head->size << ", root "
              << HashToHex(report->newest_head->root) << ", signed at "
              << report->newest_head->timestamp_ms << " ms\n";
  }
  if (trusted) {
    std::cout << "trusted head: size " << trusted->size << ", root " << HashToHex(trusted->root)
              << "\n";
  }
  std::vector<std::string> problems = report->problems;
  if (report->unsealed > 0) {
    problems.push_back(std::to_string(report->unsealed) +
                       " entries come after the newest signed head. A running server signs new "
                       "entries within a second and a starting one at once; entries written "
                       "while none ran, or from outside aimass, are not covered by any head");
  }
  if (problems.empty()) {
    std::cout << "OK: every entry is intact and hashes into every signed head"
              << (trusted ? ", and the log only grew since the trusted head" : "") << "\n";
    return 0;
  }
  std::cout << "TAMPERED: " << problems.size() << " problem" << (problems.size() == 1 ? "" : "s")
            << "\n";
  for (const auto& problem : problems) std::cout << "  - " << problem << "\n";
  return 1;
}

}  // namespace aimass::exe
