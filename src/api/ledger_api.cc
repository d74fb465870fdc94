// /api/v1/ledger: the signed tree head, entries, inclusion and consistency proofs; and the
// lineage chain of a model or dataset version as proven ledger entries.
#include "api/json_views.h"
#include "api/routes.h"
#include "data/dataset_ref.h"
#include "http/response.h"
#include "registry/model_ref.h"
#include "security/ledger/lineage.h"

namespace aimass::api {
using http::Access;
using http::BodyMode;
using http::JsonResponse;
using nlohmann::json;
using security::ledger::Hash;
using security::ledger::HashToHex;
using security::ledger::LedgerSealer;

namespace {

constexpr int64_t kMaxPage = 1000;

json HashesJson(const std::vector<Hash>& hashes) {
  json list = json::array();
  for (const auto& hash : hashes) list.push_back(HashToHex(hash));
  return list;
}

json HeadJson(const security::ledger::TreeHead& head, LedgerSealer& sealer) {
  json body = security::ledger::TreeHeadToJson(head);
  body["public_key"] = security::ledger::ToHex(sealer.public_key());
  return body;
}

json EntryJson(const store::LedgerEntryRecord& entry) {
  json parsed = json::parse(entry.entry_json, nullptr, false);
  return {{"index", entry.index},
          {"at", entry.at},
          {"actor", entry.actor},
          {"action", entry.action},
          {"subject", entry.subject},
          {"details", parsed.is_object() ? parsed.value("details", json::object()) : json()},
          // The exact text that was hashed: a client recomputes the leaf hash from it.
          {"entry", entry.entry_json},
          {"leaf_hash", entry.leaf_hash}};
}

http::Response LineageResponse(const Result<security::ledger::Lineage>& lineage,
                               LedgerSealer& sealer) {
  if (!lineage) return ErrorOf(lineage.error());
  json entries = json::array();
  for (const auto& proven : lineage->entries) {
    json item = EntryJson(proven.entry);
    item["sealed"] = proven.sealed;
    item["inclusion_proof"] = HashesJson(proven.proof);
    entries.push_back(std::move(item));
  }
  return JsonResponse(200, {{"head", lineage->head ? HeadJson(*lineage->head, sealer) : json()},
                            {"entries", entries}});
}

http::Response Head(LedgerSealer& sealer) {
  auto head = sealer.Seal();
  return head ? JsonResponse(200, HeadJson(*head, sealer)) : ErrorOf(head.error());
}

http::Response Entries(store::MetadataStore& store, const http::Request& request) {
  auto from = ParseCount(request.Query("from"), "from", 0);
  auto limit = ParseCount(request.Query("limit"), "limit", 100);
  if (!from) return ErrorOf(from.error());
  if (!limit) return ErrorOf(limit.error());
  auto entries = store.LedgerEntries(*from, std::min(*limit, kMaxPage));
  if (!entries) return ErrorOf(entries.error());
  json list = json::array();
  for (const auto& entry : *entries) list.push_back(EntryJson(entry));
  return JsonResponse(200, {{"entries", list}});
}

// The tree size a proof is for: ?tree_size=N, or the newest head's.
Result<uint64_t> TreeSize(const http::Request& request, LedgerSealer& sealer) {
  AIMASS_ASSIGN_OR_RETURN(auto head, sealer.Seal());
  AIMASS_ASSIGN_OR_RETURN(int64_t size, ParseCount(request.Query("tree_size"), "tree_size",
                                                   static_cast<int64_t>(head.size)));
  return static_cast<uint64_t>(size);
}

http::Response Inclusion(store::MetadataStore& store, LedgerSealer& sealer,
                         const http::Request& request) {
  auto index = ParseCount(request.params.at("index"), "an entry index", 0);
  if (!index) return ErrorOf(index.error());
  auto size = TreeSize(request, sealer);
  if (!size) return ErrorOf(size.error());
  auto entries = store.LedgerEntries(*index, 1);
  if (!entries) return ErrorOf(entries.error());
  if (entries->empty() || entries->front().index != *index) {
    return ErrorOf({ErrorCode::kNotFound, "the ledger has no entry " + std::to_string(*index)});
  }
  auto proof = sealer.InclusionProof(static_cast<uint64_t>(*index), *size);
  if (!proof) return ErrorOf(proof.error());
  return JsonResponse(200, {{"entry", EntryJson(entries->front())},
                            {"tree_size", *size},
                            {"inclusion_proof", HashesJson(*proof)}});
}

http::Response Consistency(LedgerSealer& sealer, const http::Request& request) {
  auto from = ParseCount(request.Query("from"), "from", 0);
  if (!from) return ErrorOf(from.error());
  auto to = TreeSize(request, sealer);
  if (!to) return ErrorOf(to.error());
  auto proof = sealer.ConsistencyProof(static_cast<uint64_t>(*from), *to);
  if (!proof) return ErrorOf(proof.error());
  return JsonResponse(200, {{"from", *from}, {"tree_size", *to}, {"proof", HashesJson(*proof)}});
}

}  // namespace

void AddLedgerRoutes(http::Router& router, const LedgerRoutes& ledger) {
  auto get = [&router](const char* pattern, http::Handler handler,
                        Access access = Access::kUser) {
    router.Add({"GET", pattern, access, BodyMode::kBuffered, std::move(handler)});
  };
  LedgerSealer& sealer = ledger.sealer;
  store::MetadataStore& store = ledger.store;
  get("/api/v1/ledger/head", [&sealer](http::Request&) { return Head(sealer); });
  // Entries name every project's things, so only admins list them; members see the entries
  // of their own things, with proofs, as lineage (below). Heads hold only hashes.
  get(
      "/api/v1/ledger/entries", [&store](http::Request& request) { return Entries(store, request); },
      Access::kAdmin);
  get(
      "/api/v1/ledger/entries/{index}/proof",
      [&store, &sealer](http::Request& request) { return Inclusion(store, sealer, request); },
      Access::kAdmin);
  get("/api/v1/ledger/consistency",
      [&sealer](http::Request& request) { return Consistency(sealer, request); });

  registry::RegistryService& registry = ledger.registry;
  get("/api/v1/models/{name}/versions/{v}/lineage",
      [&store, &sealer, &registry](http::Request& request) {
        auto ref = registry::ModelRefOf(request.params.at("name"), request.params.at("v"));
        if (!ref) return ErrorOf(ref.error());
        auto version = registry.Version(*ref);
        if (!version) return ErrorOf(version.error());
        return LineageResponse(
            security::ledger::ModelLineage(store, sealer, version->model_name, version->version),
            sealer);
      });
  get("/api/v1/datasets/{name}/versions/{v}/lineage", [&store, &sealer](http::Request& request) {
    const std::string& name = request.params.at("name");
    if (auto checked = data::CheckDatasetName(name); !checked) return ErrorOf(checked.error());
    auto version = data::ParseVersion(request.params.at("v"));
    if (!version) return ErrorOf(version.error());
    return LineageResponse(security::ledger::DatasetLineage(store, sealer, name, *version), sealer);
  });
}

}  // namespace aimass::api
