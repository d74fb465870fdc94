#include "serve/endpoint_service.h"

#include <cmath>
#include <cstdlib>
#include <random>
#include <set>

#include "registry/model_ref.h"
#include "serve/answer_text.h"
#include "serve/instances_reader.h"

namespace aimass::serve {
namespace {

using Steady = std::chrono::steady_clock;

Status CheckRecord(const store::EndpointRecord& record) {
  if (auto name = registry::CheckModelName(record.name); !name) {
    return Fail(ErrorCode::kInvalidArgument, "endpoint name: " + name.error().message);
  }
  if (record.model.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "an endpoint needs a model, like \"credit@champion\" or \"credit@3\"");
  }
  if (record.canary_percent < 0 || record.canary_percent > 100) {
    return Fail(ErrorCode::kInvalidArgument,
                "canary percent " + std::to_string(record.canary_percent) + " is not in 0..100");
  }
  if (record.canary.empty() != (record.canary_percent == 0)) {
    return Fail(ErrorCode::kInvalidArgument,
                "a canary needs both a model and a percent above 0, like "
                "\"credit@4:10%\" (10% of the requests go to credit@4)");
  }
  return Ok();
}

// Serving is stricter than FrameFromRecords: every column the model reads must be in every
// record (null is how a missing value is sent), so that a misspelt or forgotten feature is
// an error rather than silently missing; and numbers must be finite.
Status CheckRecords(const nlohmann::json& records, const train::FrameSchema& schema) {
  for (size_t i = 0; i < records.size(); ++i) {
    const nlohmann::json& record = records[i];
    if (!record.is_object()) {
      return Fail(ErrorCode::kInvalidArgument, "record " + std::to_string(i) + " is " +
                                                   std::string(record.type_name()) +
                                                   ", not an object like {\"age\":31}");
    }
    for (const auto& column : schema.columns) {
      auto value = record.find(column.name);
      if (value == record.end()) {
        std::string names;
        for (const auto& c : schema.columns) names += (names.empty() ? "" : ", ") + c.name;
        return Fail(
            ErrorCode::kInvalidArgument,
            "record " + std::to_string(i) + " has no '" + column.name +
                "'; send every column the model reads (null for a missing value): " + names);
      }
      if (column.kind != train::ColumnKind::kNumber) continue;
      double number = 0;
      if (value->is_number()) {
        number = value->get<double>();
      } else if (value->is_string()) {
        number = std::strtod(value->get_ref<const std::string&>().c_str(), nullptr);
      }
      if (!std::isfinite(number)) {
        return Fail(ErrorCode::kInvalidArgument,
                    "record " + std::to_string(i) + ", column '" + column.name + "': " +
                        value->dump() + " is not a finite number; send null for a missing value");
      }
    }
  }
  return Ok();
}

// "p1a2b3c-7": unique within a process run and across runs (the start time).
std::string NewId(int64_t now_millis, uint64_t counter) {
  char text[48];
  std::snprintf(text, sizeof text, "p%llx-%llu", static_cast<unsigned long long>(now_millis),
                static_cast<unsigned long long>(counter));
  return text;
}

}  // namespace

EndpointService::EndpointService(store::MetadataStore& store, ModelLoader& loader,
                                 PredictionLog& log, monitor::MetricsRegistry& metrics,
                                 const Clock& clock, EndpointServiceOptions options)
    : store_(store),
      loader_(loader),
      log_(log),
      metrics_(metrics),
      clock_(clock),
      options_(options),
      requests_(metrics.Counter("aimass_predictions_total",
                                "Prediction requests, by endpoint, model version and outcome.",
                                {"endpoint", "model", "outcome"})),
      latency_(metrics.Histogram("aimass_prediction_duration_seconds",
                                 "Time to answer a prediction request, by endpoint and model.",
                                 {"endpoint", "model"})),
      rows_(metrics.Histogram("aimass_prediction_batch_rows", "Records per prediction request.",
                              {"endpoint"}, monitor::ExponentialBuckets(1, 4, 9))),
      switches_(metrics.Counter("aimass_endpoint_switches_total",
                                "Times an endpoint switched to another model version.",
                                {"endpoint"})) {
  metrics.CallbackGauge("aimass_loaded_models", "Model versions loaded for serving.")
      .Set({}, [this] { return static_cast<double>(loader_.LoadedCount()); });
  metrics
      .CallbackCounter("aimass_prediction_log_dropped_total",
                       "Prediction log batches dropped because its queue was full.")
      .Set({}, [this] { return static_cast<double>(log_.dropped()); });
}

EndpointService::~EndpointService() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (refresher_.joinable()) refresher_.join();
  shadows_.Drain();
  metrics_.CallbackGauge("aimass_loaded_models", "").Remove({});
  metrics_.CallbackCounter("aimass_prediction_log_dropped_total", "").Remove({});
}

void EndpointService::Start() {
  Refresh();
  ready_ = true;
  refresher_ = std::thread([this] { RefreshLoop(); });
}

void EndpointService::RefreshLoop() {
  std::unique_lock lock(stop_mu_);
  while (!stop_cv_.wait_for(lock, options_.refresh_interval, [this] { return stopping_; })) {
    lock.unlock();
    Refresh();
    lock.lock();
  }
}

Result<std::shared_ptr<const Deployment>> EndpointService::LoadDeployment(
    const store::EndpointRecord& record) {
  AIMASS_RETURN_IF_ERROR(CheckRecord(record));
  auto deployment = std::make_shared<Deployment>();
  deployment->record = record;
  const auto load = [&](const std::string& text, const char* role,
                        std::shared_ptr<const LoadedModel>& out) -> Status {
    if (text.empty()) return Ok();
    auto ref = registry::ParseModelRef(text);
    if (!ref) {
      return Fail(ErrorCode::kInvalidArgument,
                  std::string(role) + " '" + text + "': " + ref.error().message);
    }
    auto version = loader_.Resolve(*ref);
    if (!version) {
      return Fail(version.error().code,
                  std::string(role) + " '" + text + "': " + version.error().message);
    }
    auto loaded = loader_.Load(*version);
    if (!loaded) {
      return Fail(loaded.error().code,
                  std::string(role) + " '" + text + "': " + loaded.error().message);
    }
    out = std::move(*loaded);
    return Ok();
  };
  AIMASS_RETURN_IF_ERROR(load(record.model, "model", deployment->model));
  AIMASS_RETURN_IF_ERROR(load(record.canary, "canary", deployment->canary));
  AIMASS_RETURN_IF_ERROR(load(record.shadow, "shadow", deployment->shadow));
  return std::shared_ptr<const Deployment>(std::move(deployment));
}

Result<bool> EndpointService::Unchanged(const store::EndpointRecord& record,
                                        const Deployment& current) {
  const store::EndpointRecord& had = current.record;
  if (record.model != had.model || record.canary != had.canary ||
      record.canary_percent != had.canary_percent || record.shadow != had.shadow) {
    return false;
  }
  const auto same = [&](const std::string& text,
                        const std::shared_ptr<const LoadedModel>& loaded) -> Result<bool> {
    if (text.empty()) return loaded == nullptr;
    AIMASS_ASSIGN_OR_RETURN(auto ref, registry::ParseModelRef(text));
    AIMASS_ASSIGN_OR_RETURN(auto version, loader_.Resolve(ref));
    return loaded != nullptr && loaded->version.id == version.id;
  };
  for (const auto& [text, loaded] :
       {std::pair{record.model, current.model}, std::pair{record.canary, current.canary},
        std::pair{record.shadow, current.shadow}}) {
    AIMASS_ASSIGN_OR_RETURN(bool unchanged, same(text, loaded));
    if (!unchanged) return false;
  }
  return true;
}

void EndpointService::Install(const store::EndpointRecord& record,
                              std::shared_ptr<const Deployment> deployment,
                              const std::string& state) {
  std::lock_guard lock(mu_);
  auto& entry = entries_[record.name];
  if (!entry) entry = std::make_shared<Entry>();
  if (deployment) entry->current.store(std::move(deployment));
  entry->record = record;
  entry->state = state;
}

void EndpointService::Refresh() {
  std::lock_guard refresh(refresh_mu_);
  auto records = store_.ListEndpoints();
  if (!records) return;  // the store is unreachable: keep serving what is loaded
  std::set<std::string> stored;
  for (const auto& record : *records) {
    stored.insert(record.name);
    std::shared_ptr<const Deployment> current;
    {
      std::lock_guard lock(mu_);
      if (auto it = entries_.find(record.name); it != entries_.end()) {
        current = it->second->current.load();
      }
    }
    if (current) {
      auto unchanged = Unchanged(record, *current);
      if (unchanged && *unchanged) {
        Install(record, nullptr, "ready");  // clears an earlier failed switch
        continue;
      }
    }
    auto loaded = LoadDeployment(record);
    if (!loaded) {
      // A failed switch keeps the version that was serving.
      Install(record, nullptr,
              current ? "ready (switching failed: " + loaded.error().message + ")"
                      : "failed: " + loaded.error().message);
      continue;
    }
    if (current) switches_.With({record.name}).Increment();
    Install(record, std::move(*loaded), "ready");
  }
  std::lock_guard lock(mu_);
  std::erase_if(entries_, [&](const auto& entry) { return !stored.contains(entry.first); });
}

EndpointStatus EndpointService::StatusOf(const std::string& name, Entry& entry) {
  EndpointStatus status;
  status.deployment = entry.current.load();
  status.state = entry.state;
  status.record = entry.record;  // as stored, also while it fails to load
  status.record.name = name;
  return status;
}

Result<EndpointStatus> EndpointService::Deploy(const store::EndpointRecord& endpoint) {
  std::lock_guard refresh(refresh_mu_);
  AIMASS_ASSIGN_OR_RETURN(auto deployment, LoadDeployment(endpoint));
  AIMASS_ASSIGN_OR_RETURN(auto stored, store_.CreateEndpoint(endpoint, clock_.NowMillis()));
  auto updated = std::make_shared<Deployment>(*deployment);
  updated->record = stored;
  Install(stored, std::move(updated), "ready");
  return Get(stored.name);
}

Result<EndpointStatus> EndpointService::Update(const store::EndpointRecord& endpoint) {
  std::lock_guard refresh(refresh_mu_);
  AIMASS_RETURN_IF_ERROR(store_.GetEndpoint(endpoint.name));
  AIMASS_ASSIGN_OR_RETURN(auto deployment, LoadDeployment(endpoint));
  AIMASS_ASSIGN_OR_RETURN(auto stored, store_.UpdateEndpoint(endpoint, clock_.NowMillis()));
  auto updated = std::make_shared<Deployment>(*deployment);
  updated->record = stored;
  switches_.With({stored.name}).Increment();
  Install(stored, std::move(updated), "ready");
  return Get(stored.name);
}

Status EndpointService::Delete(const std::string& name) {
  std::lock_guard refresh(refresh_mu_);
  AIMASS_RETURN_IF_ERROR(store_.DeleteEndpoint(name));
  {
    std::lock_guard lock(mu_);
    entries_.erase(name);
  }
  metrics_.RemoveWhere("endpoint", name);
  log_.Remove(name);
  return Ok();
}

Result<EndpointStatus> EndpointService::Get(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    AIMASS_ASSIGN_OR_RETURN(auto record, store_.GetEndpoint(name));  // kNotFound says how
    return EndpointStatus{record, nullptr, "loading"};
  }
  return StatusOf(name, *it->second);
}

std::vector<EndpointStatus> EndpointService::List() {
  std::lock_guard lock(mu_);
  std::vector<EndpointStatus> out;
  for (auto& [name, entry] : entries_) out.push_back(StatusOf(name, *entry));
  return out;
}

Result<std::vector<VersionTraffic>> EndpointService::Traffic(const std::string& name) {
  AIMASS_RETURN_IF_ERROR(store_.GetEndpoint(name));
  std::map<std::string, VersionTraffic> by_model;
  for (const auto& [labels, counter] : requests_.Children()) {
    if (labels[0] != name) continue;
    VersionTraffic& traffic = by_model[labels[1]];
    const std::string_view outcome = labels[2];
    const auto count = static_cast<uint64_t>(counter->Value());
    traffic.shadow = outcome.starts_with("shadow_");
    traffic.requests += count;
    if (outcome.ends_with("error")) traffic.errors += count;
  }
  for (const auto& [labels, histogram] : latency_.Children()) {
    if (labels[0] != name) continue;
    VersionTraffic& traffic = by_model[labels[1]];
    traffic.latency_bounds = latency_.bounds();
    traffic.latency = histogram->Read();
  }
  std::vector<VersionTraffic> traffic;
  for (auto& [model, one] : by_model) {
    one.model = model;
    traffic.push_back(std::move(one));
  }
  return traffic;
}

void EndpointService::Measure(const std::string& name, const std::string& model,
                              const char* outcome, Steady::time_point start, size_t rows) {
  requests_.With({name, model, outcome}).Increment();
  latency_.With({name, model})
      .Observe(std::chrono::duration<double>(Steady::now() - start).count());
  rows_.With({name}).Observe(static_cast<double>(rows));
}

Result<EndpointService::Choice> EndpointService::Choose(const std::string& name, int64_t version) {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard lock(mu_);
    if (auto it = entries_.find(name); it != entries_.end()) entry = it->second;
  }
  if (!entry) AIMASS_RETURN_IF_ERROR(store_.GetEndpoint(name));  // kNotFound says how
  Choice choice;
  choice.deployment = entry ? entry->current.load() : nullptr;
  if (!choice.deployment) {
    return Fail(ErrorCode::kUnavailable, "endpoint '" + name +
                                             "' has no model loaded yet; GET /api/v1/endpoints/" +
                                             name + " says why");
  }
  const Deployment& deployment = *choice.deployment;
  choice.model = deployment.model;
  if (version > 0) {
    choice.model = nullptr;
    for (const auto& candidate : {deployment.model, deployment.canary, deployment.shadow}) {
      if (candidate && candidate->version.version == version) choice.model = candidate;
    }
    if (!choice.model) {
      return Fail(ErrorCode::kNotFound, "endpoint '" + name + "' serves no version " +
                                            std::to_string(version) + " of its model; it serves " +
                                            deployment.model->Ref());
    }
  } else if (deployment.canary) {
    thread_local std::mt19937_64 random(std::random_device{}());
    if (static_cast<int>(random() % 100) < deployment.record.canary_percent) {
      choice.model = deployment.canary;
    }
  }
  return choice;
}

std::optional<Result<std::string>> EndpointService::PredictInstances(const std::string& name,
                                                                     std::string_view body) {
  if (batcher_.enabled()) return std::nullopt;
  const auto start = Steady::now();
  auto choice = Choose(name, 0);
  if (!choice || choice->deployment->shadow) return std::nullopt;
  const LoadedModel& model = *choice->model;
  // This thread's last body's frame, its columns' memory kept for the next.
  constexpr int64_t kKeptScratchRows = 256;
  thread_local Instances instances;
  if (!ReadInstancesInto(body, model.pipeline->schema(), instances) ||
      instances.frame.rows > options_.max_records) {
    return std::nullopt;
  }
  const int64_t rows = instances.frame.rows;
  const std::string ref = model.Ref();
  auto predicted = model.pipeline->Predict(instances.frame);
  if (!predicted) {
    Measure(name, ref, "error", start, static_cast<size_t>(rows));
    return std::unexpected(predicted.error());
  }
  const std::string id = NewId(clock_.NowMillis(), next_id_++);
  std::string out = "{\"endpoint\":";
  AppendJsonString(name, out);
  out += ",\"model\":";
  AppendJsonString(ref, out);
  out += ",\"version\":" + std::to_string(model.version.version) + ",\"id\":";
  AppendJsonString(id, out);
  out += ",\"predictions\":[";
  std::vector<PredictionEntry> entries;
  const int width = model.pipeline->width();
  std::string answer;
  for (int64_t r = 0; r < rows; ++r) {
    std::string row_id = id + "-" + std::to_string(r);
    answer.clear();
    AppendPredictionFields(*model.pipeline, predicted->data() + r * width, answer);
    if (log_.Sampled(row_id)) {
      entries.push_back({row_id, name, ref, model.version.version, false,
                         std::move(instances.records[static_cast<size_t>(r)]), answer + "}"});
    }
    if (r > 0) out += ',';
    out += answer;
    out += ",\"id\":";
    AppendJsonString(row_id, out);
    out += '}';
  }
  out += "]}";
  log_.Record(std::move(entries));
  Measure(name, ref, "ok", start, static_cast<size_t>(rows));
  if (rows > kKeptScratchRows) instances = {};  // a large body's memory is not kept
  return out;
}

Result<PredictAnswer> EndpointService::Predict(const std::string& name, nlohmann::json records,
                                               const PredictOptions& options) {
  const auto start = Steady::now();
  AIMASS_ASSIGN_OR_RETURN(Choice choice, Choose(name, options.version));
  if (!records.is_array() || records.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "send the records to predict as a non-empty array of objects, like "
                "{\"instances\":[{\"age\":31,\"city\":\"lima\"}]}");
  }
  if (static_cast<int64_t>(records.size()) > options_.max_records) {
    return Fail(ErrorCode::kInvalidArgument,
                std::to_string(records.size()) + " records in one request; send at most " +
                    std::to_string(options_.max_records) +
                    " at a time, or run a batch prediction job over a dataset");
  }
  const auto& deployment = choice.deployment;
  std::shared_ptr<const LoadedModel> model = std::move(choice.model);

  auto checked = CheckRecords(records, model->pipeline->schema());
  auto predictions = checked ? batcher_.Predict(model->pipeline, records)
                             : Result<nlohmann::json>(std::unexpected(checked.error()));
  if (!predictions) {
    Measure(name, model->Ref(), "error", start, records.size());
    return std::unexpected(predictions.error());
  }
  if (options.explain) {
    auto explained = model->pipeline->ExplainRecords(records);
    if (!explained) {
      Measure(name, model->Ref(), "error", start, records.size());
      return Fail(explained.error().code,
                  "explain: " + explained.error().message + "; predict without explain=true");
    }
    for (size_t i = 0; i < predictions->size(); ++i) {
      (*predictions)[i]["bias"] = (*explained)[i]["bias"];
      (*predictions)[i]["contributions"] = (*explained)[i]["contributions"];
    }
  }

  PredictAnswer answer;
  answer.id =
      options.request_id.empty() ? NewId(clock_.NowMillis(), next_id_++) : options.request_id;
  if (deployment->shadow && options.version == 0) {
    shadows_.Post(
        [this, deployment, records, id = answer.id] { RunShadow(deployment, records, id); });
  }
  const size_t count = records.size();
  std::vector<PredictionEntry> entries;
  for (size_t i = 0; i < predictions->size(); ++i) {
    auto& prediction = (*predictions)[i];
    std::string id = answer.id + "-" + std::to_string(i);
    const bool sampled = log_.Sampled(id);
    if (sampled) {
      // The log's copy of the answer is made before the id joins it.
      entries.push_back({id, name, model->Ref(), model->version.version, false,
                         JsonText(records[i]), JsonText(prediction)});
    }
    prediction["id"] = std::move(id);
  }
  log_.Record(std::move(entries));
  Measure(name, model->Ref(), "ok", start, count);
  answer.predictions = std::move(*predictions);
  answer.model = std::move(model);
  return answer;
}

void EndpointService::RunShadow(std::shared_ptr<const Deployment> deployment,
                                nlohmann::json records, std::string id) {
  const auto start = Steady::now();
  const auto& shadow = deployment->shadow;
  const std::string& name = deployment->record.name;
  auto predictions = shadow->pipeline->PredictRecords(records);
  if (!predictions) {
    Measure(name, shadow->Ref(), "shadow_error", start, records.size());
    return;
  }
  std::vector<PredictionEntry> entries;
  for (size_t i = 0; i < predictions->size(); ++i) {
    entries.push_back({id + "-" + std::to_string(i), name, shadow->Ref(), shadow->version.version,
                       true, JsonText(records[i]), JsonText((*predictions)[i])});
  }
  log_.Record(std::move(entries));
  Measure(name, shadow->Ref(), "shadow_ok", start, records.size());
}

Status EndpointService::Feedback(const std::string& name, const std::string& id,
                                 const nlohmann::json& truth) {
  AIMASS_RETURN_IF_ERROR(store_.GetEndpoint(name));
  if (id.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "feedback needs the prediction's \"id\" (each prediction carries one)");
  }
  if (truth.is_null() || truth.is_object() || truth.is_array()) {
    return Fail(
        ErrorCode::kInvalidArgument,
        "feedback needs \"truth\": the right class (text) or number for prediction '" + id + "'");
  }
  log_.Feedback(name, id, truth);
  return Ok();
}

}  // namespace aimass::serve
