// EndpointService: the serving endpoints of this process — deploy, change, list, delete —
// and predictions through them. An endpoint names its model as the user wrote it
// ("fraud@champion"); the service loads the version that reference resolves to, follows it
// when the alias moves (the new version is loaded and warmed before the switch, which is
// one atomic pointer swap, and requests already running finish on the old one), splits
// traffic to a canary by percentage and mirrors it to a shadow whose answers are logged,
// never returned.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "monitor/metrics.h"
#include "serve/background_queue.h"
#include "serve/model_loader.h"
#include "serve/prediction_log.h"
#include "serve/request_batcher.h"
#include "store/metadata_store.h"

namespace aimass::serve {

// What an endpoint serves at one moment. Immutable: replaced whole.
struct Deployment {
  store::EndpointRecord record;
  std::shared_ptr<const LoadedModel> model;
  std::shared_ptr<const LoadedModel> canary;  // null without one
  std::shared_ptr<const LoadedModel> shadow;  // null without one
};

// The endpoint as GET /api/v1/endpoints shows it.
struct EndpointStatus {
  store::EndpointRecord record;
  std::shared_ptr<const Deployment> deployment;  // null until it has loaded
  std::string state;                             // "ready", "loading", or "failed: <why>"
};

// What one model version of an endpoint answered since the server started (the metrics'
// counters), for the console's live charts.
struct VersionTraffic {
  std::string model;  // "credit@3"
  bool shadow = false;
  uint64_t requests = 0;  // answered, errors included
  uint64_t errors = 0;
  std::vector<double> latency_bounds;  // seconds; the last bucket (+Inf) has no bound
  monitor::HistogramSnapshot latency;
};

struct PredictOptions {
  bool explain = false;    // add per-record contributions
  int64_t version = 0;     // > 0: this loaded version only (OIP's /versions/{v})
  std::string request_id;  // echoed, and the prediction log's id prefix
};

struct PredictAnswer {
  nlohmann::json predictions;  // Pipeline::PredictRecords's array, with "contributions"
  std::shared_ptr<const LoadedModel> model;  // the version that answered
  std::string id;                            // for POST .../feedback
};

struct EndpointServiceOptions {
  std::chrono::milliseconds refresh_interval{1000};  // how often aliases are checked
  int64_t max_records = 100'000;                     // per request
  BatchingOptions batching;                          // off unless max_rows > 1
};

// Thread-safe.
class EndpointService {
 public:
  EndpointService(store::MetadataStore& store, ModelLoader& loader, PredictionLog& log,
                  monitor::MetricsRegistry& metrics, const Clock& clock,
                  EndpointServiceOptions options = {});
  ~EndpointService();

  // Loads every stored endpoint (failures are kept in their state, not fatal), then checks
  // for moved aliases every refresh_interval until destroyed.
  void Start();
  // Whether prediction requests may wait for others to batch with (BatchingOptions).
  bool batching() const { return batcher_.enabled(); }
  // True once Start's first loading pass is done.
  bool Ready() const { return ready_; }

  // Creates an endpoint and loads its models; nothing is stored when a reference does not
  // resolve or a model fails to load.
  Result<EndpointStatus> Deploy(const store::EndpointRecord& endpoint);
  // Points an existing endpoint at other models (loaded before the switch).
  Result<EndpointStatus> Update(const store::EndpointRecord& endpoint);
  Status Delete(const std::string& name);
  Result<EndpointStatus> Get(const std::string& name);
  // Every model version that has answered for `name` since the server started.
  Result<std::vector<VersionTraffic>> Traffic(const std::string& name);
  std::vector<EndpointStatus> List();

  // Records ([{"col": value, ...}, ...]) through the endpoint's model (or its canary).
  Result<PredictAnswer> Predict(const std::string& name, nlohmann::json records,
                                const PredictOptions& options);
  // The records route's fast lane: `body` read straight into columns when it is in the
  // plain form (instances_reader.h) and answered as the route's JSON text, with the same
  // answers, ids, log lines and metrics as Predict. nullopt when the body is in another
  // form, or the endpoint mirrors to a shadow, or requests are batched: then parse the body
  // and call Predict, which takes every form and words every error.
  std::optional<Result<std::string>> PredictInstances(const std::string& name,
                                                      std::string_view body);
  // Ground truth for an earlier prediction id.
  Status Feedback(const std::string& name, const std::string& id, const nlohmann::json& truth);

  // Resolves every endpoint's references again and switches those whose version changed
  // (what the background thread does every refresh_interval; tests call it directly).
  void Refresh();

 private:
  struct Entry {
    std::atomic<std::shared_ptr<const Deployment>> current;
    store::EndpointRecord record;   // as stored; guarded by mu_
    std::string state = "loading";  // guarded by mu_
  };
  // The deployment serving `name` now and the model a request goes to: the version asked
  // for (> 0), or the canary for its share of requests, or the main model.
  struct Choice {
    std::shared_ptr<const Deployment> deployment;
    std::shared_ptr<const LoadedModel> model;
  };
  Result<Choice> Choose(const std::string& name, int64_t version);
  // Checks the record's fields (names, references, percent) and loads what it names.
  Result<std::shared_ptr<const Deployment>> LoadDeployment(const store::EndpointRecord& record);
  // Resolves the record's references; true when they name the versions `current` has.
  Result<bool> Unchanged(const store::EndpointRecord& record, const Deployment& current);
  void Install(const store::EndpointRecord& record, std::shared_ptr<const Deployment> deployment,
               const std::string& state);
  EndpointStatus StatusOf(const std::string& name, Entry& entry);
  void RunShadow(std::shared_ptr<const Deployment> deployment, nlohmann::json records,
                 std::string id);
  void RefreshLoop();
  // Counts a request's outcome, latency and size in the metrics.
  void Measure(const std::string& name, const std::string& model, const char* outcome,
               std::chrono::steady_clock::time_point start, size_t rows);

  store::MetadataStore& store_;
  ModelLoader& loader_;
  PredictionLog& log_;
  monitor::MetricsRegistry& metrics_;
  const Clock& clock_;
  const EndpointServiceOptions options_;
  RequestBatcher batcher_{options_.batching};
  monitor::CounterFamily& requests_;
  monitor::HistogramFamily& latency_;
  monitor::HistogramFamily& rows_;
  monitor::CounterFamily& switches_;

  std::mutex mu_;  // entries_ and each entry's state
  std::map<std::string, std::shared_ptr<Entry>> entries_;
  std::mutex refresh_mu_;  // one refresh or change at a time
  std::atomic<bool> ready_{false};
  std::atomic<uint64_t> next_id_{0};

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread refresher_;
  BackgroundQueue shadows_{1000};  // shadow predictions; last, so it stops first
};

}  // namespace aimass::serve
