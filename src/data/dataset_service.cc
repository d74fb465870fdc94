#include "data/dataset_service.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <system_error>

#include "common/hash.h"
#include "data/append.h"
#include "data/exporter.h"
#include "data/transform.h"
#include "data/version_json.h"

namespace aimass::data {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// "2.41 s": the time since `start`, for job logs.
std::string SecondsSince(std::chrono::steady_clock::time_point start) {
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  char text[32];
  std::snprintf(text, sizeof text, "%.2f s", elapsed.count());
  return text;
}

constexpr const char *kImportJob = "dataset.import";
constexpr const char *kTransformJob = "dataset.transform";

json SchemaJson(const std::vector<Column> &schema) {
  json columns = json::array();
  for (const auto &column : schema)
    columns.push_back({{"name", column.name}, {"type", column.type}});
  return columns;
}

// Maps the engine's 0..100 onto the job's 1..90, and stops the engine when the
// job must stop (cancel, shutdown, lost lease).
ProgressFn JobProgress(jobs::JobContext &context, Status &stop) {
  return [&context, &stop](int percent, std::string_view message) {
    stop = context.Progress(1 + percent * 89 / 100, message);
    return stop.has_value();
  };
}

// When the engine was stopped on behalf of the job, the job's reason is the
// real error.
Error StopReason(const Error &engine_error, const Status &stop) {
  return stop ? engine_error : stop.error();
}

// The last part of a user's file name, with only safe characters, for a file of
// ours.
std::string SafeFileName(const std::string &filename) {
  std::string safe;
  for (char c : fs::path(filename).filename().string()) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' ||
              c == '-' || c == '_';
    safe += ok ? c : '_';
  }
  if (safe.empty() || safe.front() == '.')
    safe = "upload" + safe;
  return safe.substr(0, 100);
}

} // namespace

DatasetService::DatasetService(store::MetadataStore &store,
                               blob::BlobStore &blobs, const Clock &clock,
                               DataOptions options)
    : store_(store), blobs_(blobs), clock_(clock),
      options_(std::move(options)) {}

void DatasetService::RegisterJobs(jobs::WorkerPool &pool) {
  pool_ = &pool;
  pool.Register(kImportJob,
                [this](jobs::JobContext &c) { return RunImport(c); });
  pool.Register(kTransformJob,
                [this](jobs::JobContext &c) { return RunTransform(c); });
  pool.Register(kUrlImportJob,
                [this](jobs::JobContext &c) { return RunUrlImport(c); });
}

Status DatasetService::CollectGarbage() {
  AIMASS_ASSIGN_OR_RETURN(auto referenced, store_.ReferencedBlobs());
  std::set<std::string> keep(referenced.begin(), referenced.end());
  AIMASS_ASSIGN_OR_RETURN(auto all, blobs_.List());
  for (const auto &hash : all) {
    if (!keep.contains(hash))
      AIMASS_RETURN_IF_ERROR(blobs_.Delete(hash));
  }
  std::set<std::string> pending;
  for (auto state : {store::JobState::kQueued, store::JobState::kRunning}) {
    store::JobFilter filter;
    filter.state = state;
    filter.kind = kImportJob;
    filter.limit = 1'000'000;
    AIMASS_ASSIGN_OR_RETURN(auto jobs, store_.ListJobs(filter));
    for (const auto &job : jobs) {
      json params = json::parse(job.params_json, nullptr, false);
      if (params.is_object()) {
        pending.insert(
            fs::path(params.value("upload", "")).parent_path().string());
      }
    }
  }
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(options_.uploads_dir, ec)) {
    if (!pending.contains(entry.path().filename().string()))
      fs::remove_all(entry.path(), ec);
  }
  fs::remove_all(options_.engine_temp_dir, ec);
  return Ok();
}

Result<std::unique_ptr<Engine>> DatasetService::OpenEngine() {
  EngineOptions engine;
  engine.threads = options_.engine_threads;
  engine.memory_limit = options_.engine_memory_limit;
  engine.temp_directory = options_.engine_temp_dir;
  return Engine::Open(engine);
}

Result<store::JobRecord> DatasetService::StartImport(ImportRequest request) {
  AIMASS_RETURN_IF_ERROR(CheckDatasetName(request.name));
  json params = {{"name", request.name}, {"filename", request.filename}};
  std::error_code ec;
  if (request.server_side) {
    if (!request.file.is_absolute()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "path '" + request.file.string() +
                      "' must be absolute on the server");
    }
    if (!fs::is_regular_file(request.file, ec)) {
      return Fail(ErrorCode::kNotFound, "no readable file at '" +
                                            request.file.string() +
                                            "' on the server");
    }
    params["path"] = request.file.string();
  } else {
    // The upload moves into the data directory, so a re-queued job still finds
    // it, under the user's file name, so that error messages name the file the
    // user knows.
    std::string upload = RandomHex(12) + "/" + SafeFileName(request.filename);
    fs::create_directory(options_.uploads_dir / fs::path(upload).parent_path(),
                         ec);
    fs::rename(request.file, options_.uploads_dir / upload, ec);
    if (ec) {
      fs::remove_all(options_.uploads_dir / fs::path(upload).parent_path(), ec);
      return Fail(ErrorCode::kInternal,
                  "cannot keep the uploaded file: " + ec.message());
    }
    params["upload"] = upload;
  }
  FileFormat format = request.format.value_or(GuessFileFormat(
      request.server_side
          ? request.file
          : options_.uploads_dir / params["upload"].get<std::string>(),
      request.filename.empty() ? request.file.filename().string()
                               : request.filename));
  params["format"] = FileFormatName(format);
  json types = json::array();
  for (const auto &[column, type] : request.column_types)
    types.push_back({column, type});
  params["types"] = types;
  if (request.delimiter)
    params["delimiter"] = std::string(1, *request.delimiter);
  if (request.header)
    params["header"] = *request.header;
  if (request.append)
    params["append"] = true;
  auto job = store_.EnqueueJob(kImportJob, params.dump(), clock_.NowMillis());
  if (!job && params.contains("upload")) {
    fs::remove_all(
        options_.uploads_dir /
            fs::path(params["upload"].get<std::string>()).parent_path(),
        ec);
  }
  if (job && pool_ != nullptr)
    pool_->Wake();
  return job;
}

Result<jobs::JobOutcome> DatasetService::RunImport(jobs::JobContext &context) {
  const json &params = context.params();
  const bool uploaded = params.contains("upload");
  const fs::path input =
      uploaded ? options_.uploads_dir / params["upload"].get<std::string>()
               : fs::path(params.value("path", ""));
  json source = {{"kind", uploaded ? "upload" : "server_path"},
                 {"filename", params.value("filename", "")},
                 {"format", params.value("format", "csv")}};
  if (!uploaded)
    source["path"] = input.string();
  auto outcome = ImportAsVersion(context, params, input, std::move(source));
  // The upload is kept only while another attempt may still need it.
  bool retry = !outcome && (outcome.error().code == ErrorCode::kUnavailable ||
                            outcome.error().code == ErrorCode::kConflict);
  std::error_code ec;
  if (uploaded && !retry)
    fs::remove_all(input.parent_path(), ec);
  return outcome;
}

Result<jobs::JobOutcome> DatasetService::ImportAsVersion(jobs::JobContext &context,
                                                        const json &params,
                                                        const fs::path &input, json source) {
  ImportOptions options;
  AIMASS_ASSIGN_OR_RETURN(options.format,
                          ParseFileFormat(params.value("format", "csv")));
  for (const auto &pair : params.value("types", json::array())) {
    options.column_types.emplace_back(pair[0].get<std::string>(),
                                      pair[1].get<std::string>());
  }
  if (params.contains("delimiter"))
    options.delimiter = params["delimiter"].get<std::string>()[0];
  if (params.contains("header"))
    options.header = params["header"].get<bool>();

  AIMASS_RETURN_IF_ERROR(context.Progress(1, "opening the engine"));
  auto engine = OpenEngine();
  if (!engine)
    return Fail(engine.error());
  fs::path parquet = blobs_.NewScratchPath(".parquet");
  Status stop = Ok();
  const auto started = std::chrono::steady_clock::now();
  auto info =
      ImportFile(**engine, input, options, parquet, JobProgress(context, stop));
  if (!info)
    return Fail(StopReason(info.error(), stop));
  context.Log("parsed " + std::to_string(info->row_count) + " rows, " +
              std::to_string(info->schema.size()) + " columns, with statistics, in " +
              SecondsSince(started));
  const std::string name = params["name"].get<std::string>();
  const int64_t batch_rows = info->row_count;
  json lineage;
  if (params.value("append", false)) {
    auto previous = store_.GetVersion(name, 0);
    if (!previous && previous.error().code != ErrorCode::kNotFound)
      return Fail(previous.error());
    if (previous) {
      std::error_code ec;
      auto appended = AppendTo(context, **engine, *previous, parquet);
      fs::remove(parquet, ec);
      if (!appended)
        return Fail(appended.error());
      parquet = appended->first;
      info = std::move(appended->second);
      lineage = {{"parent", name + "@" + std::to_string(previous->version)},
                 {"parent_hash", previous->blob_hash},
                 {"appended_rows", batch_rows}};
    }
  }
  auto outcome = CommitVersion(context, name, parquet, *info, source.dump(),
                               lineage.is_null() ? "" : lineage.dump());
  if (outcome)
    outcome->result["batch_rows"] = batch_rows;
  return outcome;
}

Result<std::pair<fs::path, TableInfo>> DatasetService::AppendTo(
    jobs::JobContext &context, Engine &engine,
    const store::DatasetVersionRecord &previous, const fs::path &batch) {
  AIMASS_ASSIGN_OR_RETURN(blob::BlobFile file, blobs_.Open(previous.blob_hash));
  const fs::path output = blobs_.NewScratchPath(".parquet");
  Status stop = Ok();
  auto info = AppendParquet(engine, file.path(), batch, output, JobProgress(context, stop));
  if (!info)
    return Fail(StopReason(info.error(), stop));
  context.Log("appended to " + previous.dataset_name + "@" +
              std::to_string(previous.version) + ": " + std::to_string(info->row_count) +
              " rows in all");
  return std::pair{output, std::move(*info)};
}

Result<jobs::JobOutcome> DatasetService::ImportForJob(jobs::JobContext &context,
                                                     const JobImport &import) {
  AIMASS_RETURN_IF_ERROR(CheckDatasetName(import.dataset));
  json params = {{"name", import.dataset},
                 {"format", FileFormatName(import.format)},
                 {"append", import.append}};
  return ImportAsVersion(context, params, import.file, import.source);
}

Result<jobs::JobOutcome> DatasetService::CommitParquet(jobs::JobContext &context,
                                                      const std::string &dataset,
                                                      const fs::path &parquet,
                                                      const std::string &source_json,
                                                      const std::string &lineage_json) {
  std::error_code ec;
  const auto removed = [&](Error error) {
    fs::remove(parquet, ec);
    return Fail(std::move(error));
  };
  if (auto checked = CheckDatasetName(dataset); !checked)
    return removed(checked.error());
  auto engine = OpenEngine();
  if (!engine)
    return removed(engine.error());
  auto info = DescribeParquet(**engine, parquet);
  if (!info)
    return removed(info.error());
  return CommitVersion(context, dataset, parquet, *info, source_json, lineage_json);
}

Result<blob::BlobFile> DatasetService::VersionFile(const store::DatasetVersionRecord &version) {
  return blobs_.Open(version.blob_hash);
}

Result<jobs::JobOutcome> DatasetService::CommitVersion(
    jobs::JobContext &context, const std::string &dataset,
    const fs::path &parquet, const TableInfo &info,
    const std::string &source_json, const std::string &lineage_json) {
  AIMASS_RETURN_IF_ERROR(context.Progress(95, "storing the version"));
  const auto started = std::chrono::steady_clock::now();
  AIMASS_ASSIGN_OR_RETURN(std::string hash, blobs_.PutFile(parquet));
  AIMASS_ASSIGN_OR_RETURN(uint64_t size, blobs_.Size(hash));
  store::NewDatasetVersion version;
  version.dataset_name = dataset;
  version.blob_hash = hash;
  version.row_count = info.row_count;
  version.column_count = static_cast<int64_t>(info.schema.size());
  version.size_bytes = static_cast<int64_t>(size);
  version.schema_json = SchemaJson(info.schema).dump();
  version.stats_json = info.stats.dump();
  version.source_json = source_json;
  version.lineage_json = lineage_json;
  auto committed =
      store_.CommitDatasetVersion(version, context.lease(), clock_.NowMillis(),
                                  [](const store::DatasetVersionRecord &v) {
                                    return VersionSummaryJson(v).dump();
                                  });
  if (!committed) {
    // Leave no blob that nothing refers to (unless another version shares the
    // bytes).
    auto referenced = store_.ReferencedBlobs();
    if (referenced && std::find(referenced->begin(), referenced->end(), hash) ==
                          referenced->end()) {
      (void)blobs_.Delete(hash);
    }
    return Fail(committed.error());
  }
  context.Log("stored " + committed->dataset_name + "@" +
              std::to_string(committed->version) + " (" + std::to_string(size) +
              " bytes) in " + SecondsSince(started));
  jobs::JobOutcome outcome;
  outcome.committed = true;
  outcome.result = VersionSummaryJson(*committed);
  return outcome;
}

Result<store::JobRecord>
DatasetService::StartTransform(const TransformRequest &request) {
  AIMASS_RETURN_IF_ERROR(CheckTransformSql(request.sql));
  std::string output =
      request.output.empty() ? request.input.name : request.output;
  AIMASS_RETURN_IF_ERROR(CheckDatasetName(output));
  AIMASS_ASSIGN_OR_RETURN(
      auto input, store_.GetVersion(request.input.name, request.input.version));
  json params = {{"input", input.dataset_name},
                 {"version", input.version},
                 {"sql", request.sql},
                 {"output", output}};
  auto job = store_.EnqueueJob(kTransformJob, params.dump(), clock_.NowMillis(),
                               input.id);
  if (job && pool_ != nullptr)
    pool_->Wake();
  return job;
}

Result<jobs::JobOutcome>
DatasetService::RunTransform(jobs::JobContext &context) {
  const json &params = context.params();
  const std::string sql = params.value("sql", "");
  AIMASS_ASSIGN_OR_RETURN(
      auto input, store_.GetVersion(params.value("input", ""),
                                    params.value("version", int64_t{0})));
  AIMASS_RETURN_IF_ERROR(context.Progress(1, "verifying the input"));
  AIMASS_ASSIGN_OR_RETURN(blob::BlobFile input_file,
                          blobs_.Open(input.blob_hash));
  const fs::path &input_path = input_file.path();
  AIMASS_ASSIGN_OR_RETURN(auto engine, OpenEngine());
  TransformLimits limits;
  limits.timeout = options_.transform_timeout;
  limits.memory_limit = options_.transform_memory_limit;
  limits.threads = options_.engine_threads;
  const fs::path parquet = blobs_.NewScratchPath(".parquet");
  Status stop = Ok();
  auto info = TransformParquet(*engine, input_path, sql, limits, parquet,
                               JobProgress(context, stop));
  if (!info)
    return Fail(StopReason(info.error(), stop));
  const std::string parent =
      input.dataset_name + "@" + std::to_string(input.version);
  context.Log("transformed " + parent + " into " +
              std::to_string(info->row_count) + " rows");
  json lineage = {{"parent", parent},
                  {"parent_hash", input.blob_hash},
                  {"sql", sql},
                  {"sql_hash", Sha256Hex(sql)}};
  json source = {{"kind", "transform"}, {"from", parent}};
  return CommitVersion(context, params.value("output", ""), parquet, *info,
                       source.dump(), lineage.dump());
}

Result<std::vector<store::DatasetRecord>> DatasetService::List() {
  return store_.ListDatasets();
}

Result<store::DatasetRecord> DatasetService::Get(const std::string &name) {
  AIMASS_RETURN_IF_ERROR(CheckDatasetName(name));
  return store_.GetDataset(name);
}

Result<std::vector<store::DatasetVersionRecord>>
DatasetService::Versions(const store::DatasetRecord &dataset) {
  return store_.ListVersions(dataset.id);
}

Result<store::DatasetVersionRecord>
DatasetService::Version(const DatasetRef &ref) {
  AIMASS_RETURN_IF_ERROR(CheckDatasetName(ref.name));
  return store_.GetVersion(ref.name, ref.version);
}

Result<Page> DatasetService::Preview(const DatasetRef &ref, int64_t offset,
                                     int64_t limit) {
  if (offset < 0 || limit < 0 || limit > 10000) {
    return Fail(
        ErrorCode::kInvalidArgument,
        "preview needs offset >= 0 and limit between 0 and 10000 (got offset " +
            std::to_string(offset) + ", limit " + std::to_string(limit) + ")");
  }
  AIMASS_ASSIGN_OR_RETURN(auto version, Version(ref));
  AIMASS_ASSIGN_OR_RETURN(blob::BlobFile file, blobs_.Open(version.blob_hash));
  AIMASS_ASSIGN_OR_RETURN(auto engine, OpenEngine());
  return PreviewParquet(*engine, file.path(), offset, limit);
}

Result<ExportFile> DatasetService::Export(const DatasetRef &ref,
                                          FileFormat format) {
  AIMASS_ASSIGN_OR_RETURN(auto version, Version(ref));
  AIMASS_ASSIGN_OR_RETURN(blob::BlobFile file, blobs_.Open(version.blob_hash));
  const fs::path &path = file.path();
  const std::string base =
      version.dataset_name + "-" + std::to_string(version.version);
  if (format == FileFormat::kParquet) {
    // The stored version already is the Parquet file: stream it as it is (a
    // decrypted copy goes once it is sent).
    const bool scratch = file.is_scratch();
    return ExportFile{file.Release(), scratch, base + ".parquet",
                      "application/vnd.apache.parquet"};
  }
  if (format != FileFormat::kCsv) {
    return Fail(ErrorCode::kInvalidArgument,
                "export formats are csv and parquet");
  }
  AIMASS_ASSIGN_OR_RETURN(auto engine, OpenEngine());
  fs::path out = blobs_.NewScratchPath(".csv");
  AIMASS_RETURN_IF_ERROR(ExportParquet(*engine, path, FileFormat::kCsv, out));
  return ExportFile{out, true, base + ".csv", "text/csv; charset=utf-8"};
}

Status DatasetService::Delete(const DatasetRef &ref, bool whole_dataset) {
  AIMASS_RETURN_IF_ERROR(CheckDatasetName(ref.name));
  if (!whole_dataset && ref.version == 0) {
    return Fail(
        ErrorCode::kInvalidArgument,
        "say which version to delete (name@N), or delete the whole dataset");
  }
  AIMASS_ASSIGN_OR_RETURN(
      auto orphans,
      store_.DeleteVersions(ref.name, ref.version, whole_dataset));
  for (const auto &hash : orphans)
    AIMASS_RETURN_IF_ERROR(blobs_.Delete(hash));
  return Ok();
}

} // namespace aimass::data
