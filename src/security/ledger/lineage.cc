#include "security/ledger/lineage.h"

#include <functional>
#include <nlohmann/json.hpp>
#include <set>

namespace aimass::security::ledger {
namespace {

using nlohmann::json;

// How far back a chain of transforms is followed.
constexpr int kMaxDepth = 32;

json Parsed(const std::string& text) {
  json value = json::parse(text, nullptr, false);
  return value.is_object() ? value : json::object();
}

// "iris@3" -> ("iris", 3); nullopt for anything else.
std::optional<std::pair<std::string, int64_t>> SplitRef(const std::string& ref) {
  const size_t at = ref.rfind('@');
  if (at == std::string::npos || at == 0) return std::nullopt;
  try {
    return std::make_pair(ref.substr(0, at), std::stoll(ref.substr(at + 1)));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The subjects of a dataset version and of the versions it came from.
Status AddDatasetSubjects(store::MetadataStore& store, const std::string& name, int64_t version,
                          std::vector<std::string>& subjects, int depth) {
  AIMASS_ASSIGN_OR_RETURN(auto record, store.GetVersion(name, version));
  subjects.push_back("dataset:" + name + "@" + std::to_string(record.version));
  if (record.job_id != 0) subjects.push_back("job:" + std::to_string(record.job_id));
  const json lineage = Parsed(record.lineage_json);
  if (depth < kMaxDepth && lineage.contains("parent") && lineage["parent"].is_string()) {
    if (auto parent = SplitRef(lineage["parent"].get<std::string>())) {
      // A parent deleted since leaves the chain there; its entries stay in the ledger.
      (void)AddDatasetSubjects(store, parent->first, parent->second, subjects, depth + 1);
    }
  }
  return Ok();
}

Result<Lineage> Prove(store::MetadataStore& store, LedgerSealer& sealer,
                      const std::vector<std::string>& subjects,
                      const std::function<bool(const store::LedgerEntryRecord&)>& keep) {
  Lineage lineage;
  auto head = sealer.Seal();
  if (head) lineage.head = *head;
  AIMASS_ASSIGN_OR_RETURN(auto entries, store.LedgerEntriesAbout(subjects));
  std::set<int64_t> seen;
  for (auto& entry : entries) {
    if (!keep(entry) || !seen.insert(entry.index).second) continue;
    ProvenEntry proven{std::move(entry), {}, false};
    if (lineage.head && static_cast<uint64_t>(proven.entry.index) < lineage.head->size) {
      AIMASS_ASSIGN_OR_RETURN(proven.proof,
                              sealer.InclusionProof(proven.entry.index, lineage.head->size));
      proven.sealed = true;
    }
    lineage.entries.push_back(std::move(proven));
  }
  return lineage;
}

}  // namespace

Result<Lineage> ModelLineage(store::MetadataStore& store, LedgerSealer& sealer,
                             const std::string& model, int64_t version) {
  AIMASS_ASSIGN_OR_RETURN(auto record, store.GetModelVersion(model, version));
  const std::string self = "model:" + model + "@" + std::to_string(record.version);
  std::vector<std::string> subjects = {self, "model:" + model};
  if (record.job_id != 0) subjects.push_back("job:" + std::to_string(record.job_id));
  const json lineage = Parsed(record.lineage_json);
  if (lineage.contains("dataset") && lineage["dataset"].is_string()) {
    if (auto dataset = SplitRef(lineage["dataset"].get<std::string>())) {
      (void)AddDatasetSubjects(store, dataset->first, dataset->second, subjects, 0);
    }
  }
  // Of the model's own entries, only those about this version: its creation and the
  // aliases moved to it.
  const int64_t number = record.version;
  return Prove(store, sealer, subjects, [&](const store::LedgerEntryRecord& entry) {
    if (entry.subject != "model:" + model) return true;
    if (entry.action == "model.created") return true;
    const json details = Parsed(entry.entry_json).value("details", json::object());
    return entry.action == "model.alias.set" && details.value("version", int64_t{0}) == number;
  });
}

Result<Lineage> DatasetLineage(store::MetadataStore& store, LedgerSealer& sealer,
                               const std::string& dataset, int64_t version) {
  std::vector<std::string> subjects;
  AIMASS_RETURN_IF_ERROR(AddDatasetSubjects(store, dataset, version, subjects, 0));
  return Prove(store, sealer, subjects, [](const store::LedgerEntryRecord&) { return true; });
}

}  // namespace aimass::security::ledger
