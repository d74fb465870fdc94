// /api/v1/keys: the keys of encryption at rest (ids only, never key bytes), and rotating
// the master key while the server keeps serving.
#include <memory>
#include <mutex>

#include "api/routes.h"
#include "http/response.h"

namespace aimass::api {
using http::Access;
using http::BodyMode;
using http::JsonResponse;
using nlohmann::json;
using security::crypto::KeyRing;
using security::crypto::MasterKey;

namespace {

// What the routes share: where the master key in use came from changes when a rotation
// installs one sent in the request. Thread-safe.
class KeyState {
 public:
  explicit KeyState(const KeyServices& services)
      : keys_(services.keys),
        store_(services.store),
        clock_(services.clock),
        master_(services.master) {}

  json Show() {
    std::lock_guard lock(mu_);
    return ShowLocked();
  }

  http::Response Rotate(const http::Request& request) {
    json body = json::object();
    if (!request.body.empty()) {
      auto parsed = ObjectBody(request, R"({"new_data_key": true})");
      if (!parsed) return ErrorOf(parsed.error());
      body = std::move(*parsed);
    }
    const json new_data_key = body.value("new_data_key", json(false));
    const json new_master_key = body.value("new_master_key", json());
    if (!new_data_key.is_boolean()) {
      return ErrorOf({ErrorCode::kInvalidArgument, "new_data_key must be true or false"});
    }
    if (!new_master_key.is_null() && !new_master_key.is_string()) {
      return ErrorOf({ErrorCode::kInvalidArgument,
                      "new_master_key must be 64 hex characters (openssl rand -hex 32)"});
    }
    const bool fresh_data_key = new_data_key.get<bool>();

    // One rotation at a time, so that the ledger entry's "before" is this rotation's.
    std::lock_guard lock(mu_);
    const std::string old_master = keys_.MasterKeyId();
    const std::string old_current = keys_.Current()->id;
    bool master_rotated = true;
    if (master_.in_data_dir) {
      if (new_master_key.is_string()) {
        return ErrorOf({ErrorCode::kInvalidArgument,
                        "the master key lives in the data directory (" + master_.source +
                            "); rotate without new_master_key and aimass makes the new one "
                            "there"});
      }
      auto rotated = keys_.RotateMasterKeyFile(fresh_data_key);
      if (!rotated) return ErrorOf(rotated.error());
    } else if (new_master_key.is_string()) {
      auto key = MasterKey::FromHex(new_master_key.get<std::string>(),
                                    "the new_master_key of a key rotation request");
      if (!key) return ErrorOf(key.error());
      if (key->id() == old_master) {
        return ErrorOf({ErrorCode::kInvalidArgument,
                        "new_master_key is the master key in use (id " + old_master +
                            "); make a new one with `openssl rand -hex 32`"});
      }
      if (auto rotated = keys_.Rotate(std::move(*key), fresh_data_key); !rotated) {
        return ErrorOf(rotated.error());
      }
      master_.source = "the new_master_key of a key rotation request (was " + master_.source +
                       "; start the server with the new key there)";
    } else if (fresh_data_key) {
      // The data keys stay wrapped by the operator's key; only new blobs change key.
      master_rotated = false;
      auto started = keys_.StartNewDataKey();
      if (!started) return ErrorOf(started.error());
    } else {
      return ErrorOf(
          {ErrorCode::kConflict,
           "the master key comes from " + master_.source +
               ", which the server cannot replace; make a new key (openssl rand -hex 32), send "
               "it as {\"new_master_key\": \"<64 hex>\"} (aimass keys rotate "
               "--new-master-key-file FILE), then put it where the old one was before the next "
               "start. Or send {\"new_data_key\": true} to only start a new data key"});
    }

    json details = {
        {"old_master_key_id", old_master},         {"new_master_key_id", keys_.MasterKeyId()},
        {"master_key_rotated", master_rotated},    {"old_current_data_key", old_current},
        {"current_data_key", keys_.Current()->id}, {"data_key_ids", keys_.DataKeyIds()}};
    auto recorded = store_.RecordChange({"key rotated", "keys", details}, clock_.NowMillis());
    json answer = ShowLocked();
    answer["rotation"] = details;
    if (!recorded) {
      return ErrorOf({recorded.error().code,
                      "the keys were rotated (master key " + keys_.MasterKeyId() +
                          "), but the ledger entry was not written: " + recorded.error().message});
    }
    return JsonResponse(200, answer);
  }

 private:
  json ShowLocked() {
    auto current = keys_.Current();
    return {{"master_key_id", keys_.MasterKeyId()},
            {"master_key_source", master_.source},
            {"master_key_in_data_dir", master_.in_data_dir},
            {"data_key_ids", keys_.DataKeyIds()},
            {"current_data_key", current->id}};
  }

  KeyRing& keys_;
  store::MetadataStore& store_;
  const Clock& clock_;
  std::mutex mu_;
  MasterKeyInfo master_;  // guarded by mu_
};

}  // namespace

void AddKeyRoutes(http::Router& router, const KeyServices& services) {
  auto state = std::make_shared<KeyState>(services);
  router.Add({"GET", "/api/v1/keys", Access::kAdmin, BodyMode::kBuffered,
              [state](http::Request&) { return JsonResponse(200, state->Show()); }});
  router.Add({"POST", "/api/v1/keys/rotate", Access::kAdmin, BodyMode::kBuffered,
              [state](http::Request& request) { return state->Rotate(request); }});
}

}  // namespace aimass::api
