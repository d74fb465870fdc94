#include "train/training_service.h"

#include <linear.h>
#include <xgboost/c_api.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "common/files.h"
#include "common/hash.h"
#include "data/dataset_ref.h"
#include "data/engine.h"
#include "train/automl.h"
#include "train/frame.h"
#include "train/xgboost_import.h"

namespace aimass::train {
namespace {

using nlohmann::json;

json Libraries(const std::string& aimass_version) {
  int major = 0, minor = 0, patch = 0;
  XGBoostVersion(&major, &minor, &patch);
  return {{"aimass", aimass_version},
          {"xgboost",
           std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch)},
          {"liblinear", std::to_string(LIBLINEAR_VERSION)},
          {"duckdb", data::DuckDbVersion()}};
}

// What the job keeps of the run: the model it registered, the scores and the top of the
// leaderboard.
json JobResult(const store::ModelVersionRecord& version, const AutoMlResult& result) {
  json leaderboard = json::array();
  for (size_t i = 0; i < result.leaderboard.size() && i < 10; ++i) {
    leaderboard.push_back(result.leaderboard[i]);
  }
  json importance = json::array();
  for (size_t i = 0; i < result.importance.size() && i < 10; ++i) {
    importance.push_back(result.importance[i]);
  }
  json out = {{"model", version.model_name},
              {"version", version.version},
              {"ref", version.model_name + "@" + std::to_string(version.version)},
              {"task", TaskName(result.task)},
              {"metric", MetricName(result.metric)},
              {"score", result.score},
              {"chosen", result.chosen},
              {"trials", result.trials.size()},
              {"seconds", std::round(result.seconds * 10) / 10},
              {"leaderboard", std::move(leaderboard)},
              {"importance", std::move(importance)}};
  const double temperature = result.pipeline ? result.pipeline->parts().temperature : 1;
  if (temperature != 1) out["temperature"] = temperature;
  return out;
}

}  // namespace

TrainingService::TrainingService(store::MetadataStore& store, blob::BlobStore& blobs,
                                 registry::RegistryService& registry, const Clock& clock,
                                 TrainingServiceOptions options)
    : store_(store),
      blobs_(blobs),
      registry_(registry),
      clock_(clock),
      options_(std::move(options)) {}

void TrainingService::RegisterJobs(jobs::WorkerPool& pool) {
  pool_ = &pool;
  pool.Register(kTrainingJob, [this](jobs::JobContext& context) { return RunTraining(context); });
}

Result<store::JobRecord> TrainingService::StartTraining(const json& body) {
  AIMASS_ASSIGN_OR_RETURN(TrainingSpec spec, ParseTrainingSpec(body));
  AIMASS_ASSIGN_OR_RETURN(data::DatasetRef ref, data::ParseDatasetRef(spec.dataset));
  AIMASS_ASSIGN_OR_RETURN(auto version, store_.GetVersion(ref.name, ref.version));
  if (spec.register_as.empty()) spec.register_as = version.dataset_name;
  AIMASS_RETURN_IF_ERROR(data::CheckDatasetName(spec.register_as));
  // The run reads exactly this version, whatever is added meanwhile.
  spec.dataset = version.dataset_name + "@" + std::to_string(version.version);
  const json schema = json::parse(version.schema_json, nullptr, false);
  bool has_target = false;
  std::string columns;
  for (const auto& column : schema) {
    const std::string name = column.value("name", "");
    has_target |= name == spec.target;
    columns += (columns.empty() ? "" : ", ") + name;
  }
  if (!has_target) {
    return Fail(ErrorCode::kInvalidArgument, "target column '" + spec.target + "' is not in " +
                                                 spec.dataset + "; its columns are: " + columns);
  }
  auto job = store_.EnqueueJob(kTrainingJob, spec.ToJson().dump(), clock_.NowMillis(), version.id);
  if (job && pool_ != nullptr) pool_->Wake();
  return job;
}

Result<json> TrainingService::Trials(int64_t job_id) {
  AIMASS_ASSIGN_OR_RETURN(auto lines, store_.JobLog(job_id));
  json trials = json::array();
  for (const auto& line : lines) {
    if (!line.starts_with(kTrialLogPrefix)) continue;
    json trial = json::parse(line.substr(kTrialLogPrefix.size()), nullptr, false);
    if (trial.is_object()) trials.push_back(std::move(trial));
  }
  return trials;
}

Result<jobs::JobOutcome> TrainingService::RunTraining(jobs::JobContext& context) {
  AIMASS_ASSIGN_OR_RETURN(TrainingSpec spec, ParseTrainingSpec(context.params()));
  AIMASS_ASSIGN_OR_RETURN(data::DatasetRef ref, data::ParseDatasetRef(spec.dataset));
  AIMASS_ASSIGN_OR_RETURN(auto version, store_.GetVersion(ref.name, ref.version));
  AIMASS_RETURN_IF_ERROR(context.Progress(0, "reading " + spec.dataset));
  AIMASS_ASSIGN_OR_RETURN(blob::BlobFile file, blobs_.Open(version.blob_hash));
  data::EngineOptions engine_options;
  engine_options.threads = options_.threads;
  engine_options.memory_limit = options_.engine_memory_limit;
  engine_options.temp_directory = options_.engine_temp_dir;
  Frame frame;
  {
    AIMASS_ASSIGN_OR_RETURN(auto engine, data::Engine::Open(engine_options));
    AIMASS_ASSIGN_OR_RETURN(frame, LoadParquet(*engine, file.path()));
  }
  context.Log("read " + spec.dataset + ": " + std::to_string(frame.rows) + " rows, " +
              std::to_string(frame.columns.size()) + " columns");

  Status stop = Ok();
  AutoMlEnvironment environment;
  environment.threads = spec.threads.value_or(options_.threads);
  environment.memory_limit_bytes = options_.trial_memory_bytes;
  environment.log = [&](const std::string& line) { context.Log(line); };
  environment.progress = [&](int percent, const std::string& message) {
    if (auto status = context.Progress(percent, message); !status && stop) stop = status;
  };
  const auto search_start = std::chrono::steady_clock::now();
  environment.trial_finished = [&](const TrialRecord& trial, Metric metric) {
    json line = trial.ToJson(metric);
    // When it finished, for the console's chart of score over time.
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - search_start;
    line["elapsed_seconds"] = std::round(elapsed.count() * 1000) / 1000;
    context.Log(std::string(kTrialLogPrefix) + line.dump());
  };
  environment.should_stop = [&] { return !stop || !context.CheckStop(); };
  auto result = RunAutoMl(frame, spec, environment);
  if (!stop) return Fail(stop.error());
  if (!result) return Fail(result.error());

  AIMASS_RETURN_IF_ERROR(context.Progress(99, "registering the model"));
  AIMASS_ASSIGN_OR_RETURN(PipelineFiles files, result->pipeline->Save());
  store::NewModelVersion model;
  model.model_name = spec.register_as;
  model.task = std::string(TaskName(result->task));
  model.description = "AutoML on " + spec.dataset + ": " + result->chosen + ", " +
                      std::string(MetricName(result->metric)) + " " + std::to_string(result->score);
  json metrics = result->evaluation.value("metrics", json::object());
  metrics["cv_" + std::string(MetricName(result->metric))] = result->score;
  model.metrics_json = metrics.dump();
  model.leaderboard_json = result->leaderboard.dump();
  json params = spec.ToJson();
  params["chosen"] = result->chosen;
  model.params_json = params.dump();
  // The plots' data (confusion matrix, ROC curve, residuals) and the feature importance are
  // members of the version, next to the model itself.
  files.files["evaluation.json"] = result->evaluation.dump();
  files.files["importance.json"] = result->importance.dump();
  const json source_lineage = json::parse(version.lineage_json, nullptr, false);
  json lineage = {{"dataset", spec.dataset},
                  {"dataset_hash", version.blob_hash},
                  {"seed", spec.seed},
                  {"libraries", Libraries(options_.aimass_version)}};
  if (source_lineage.is_object() && source_lineage.contains("sql_hash")) {
    lineage["transform_sql_hash"] = source_lineage["sql_hash"];
  }
  model.lineage_json = lineage.dump();
  model.source_json = json{{"kind", "training"}, {"job_id", context.job().id}}.dump();
  AIMASS_ASSIGN_OR_RETURN(auto members, WriteMembers(files));
  const AutoMlResult& run = *result;
  AIMASS_ASSIGN_OR_RETURN(auto committed,
                          registry_.Commit(std::move(model), members, context.lease(),
                                           [&](const store::ModelVersionRecord& v) {
                                             return JobResult(v, run).dump();
                                           }));
  context.Log("registered " + committed.model_name + "@" + std::to_string(committed.version));
  jobs::JobOutcome outcome;
  outcome.committed = true;
  return outcome;
}

Result<std::vector<registry::MemberFile>> TrainingService::WriteMembers(
    const PipelineFiles& files) {
  std::vector<registry::MemberFile> members;
  for (const auto& [name, bytes] : files.files) {
    registry::MemberFile member{name, blobs_.NewScratchPath(".member")};
    members.push_back(member);
    if (auto written = WriteFileAtomically(member.file, bytes); !written) {
      registry::RemoveMemberFiles(members);
      return Fail(written.error());
    }
  }
  return members;
}

Result<store::ModelVersionRecord> TrainingService::ImportXgboost(const std::filesystem::path& file,
                                                                 const std::string& name,
                                                                 const XgboostImportSpec& spec,
                                                                 const std::string& filename) {
  AIMASS_RETURN_IF_ERROR(registry::CheckModelName(name));
  AIMASS_ASSIGN_OR_RETURN(const std::string bytes, ReadFile(file));
  AIMASS_ASSIGN_OR_RETURN(const ImportedXgboost imported, PipelineFromXgboost(bytes, spec));
  const Pipeline& pipeline = *imported.pipeline;
  AIMASS_ASSIGN_OR_RETURN(PipelineFiles files, pipeline.Save());
  json features = json::array();
  for (const auto& column : pipeline.schema().columns) features.push_back(column.name);
  json importance = json::array();
  const auto names = pipeline.parts().preprocessors.at("trees")->FeatureNames();
  const auto gains = pipeline.parts().members.front().model->Importance();
  for (size_t i = 0; i < names.size() && i < gains.size(); ++i) {
    importance.push_back({{"feature", names[i]}, {"importance", gains[i]}});
  }
  std::stable_sort(importance.begin(), importance.end(), [](const json& a, const json& b) {
    return a["importance"].get<double>() > b["importance"].get<double>();
  });
  files.files["importance.json"] = importance.dump();

  store::NewModelVersion model;
  model.model_name = name;
  model.task = std::string(TaskName(pipeline.task()));
  model.description = "XGBoost model imported from " + (filename.empty() ? "a file" : filename) +
                      " (" + imported.objective + ", " + std::to_string(imported.rounds) +
                      " rounds)";
  model.params_json = json{{"imported", "xgboost"},
                           {"objective", imported.objective},
                           {"rounds", imported.rounds},
                           {"features", features},
                           {"classes", pipeline.classes()}}
                          .dump();
  model.lineage_json = json{
      {"libraries", Libraries(options_.aimass_version)},
      {"model_file_sha256",
       Sha256Hex(bytes)}}.dump();
  model.source_json = json{{"kind", "xgboost_import"}, {"filename", filename}}.dump();
  AIMASS_ASSIGN_OR_RETURN(auto members, WriteMembers(files));
  return registry_.Register(std::move(model), members);
}

}  // namespace aimass::train
