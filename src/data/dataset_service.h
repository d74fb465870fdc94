// DatasetService: the DataLake's use cases — import, transform, read, export, delete —
// on top of the DuckDB engine, the blob store and the metadata store. Imports and
// transforms run as jobs on the worker pool.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "blob/blob_store.h"
#include "common/clock.h"
#include "data/dataset_ref.h"
#include "data/importer.h"
#include "data/preview.h"
#include "jobs/worker_pool.h"
#include "store/metadata_store.h"

namespace aimass::data {

struct DataOptions {
  std::filesystem::path uploads_dir;      // uploaded files wait here for their import job
  std::filesystem::path engine_temp_dir;  // where DuckDB may spill
  int engine_threads = 2;
  std::string engine_memory_limit = "2GB";
  std::chrono::milliseconds transform_timeout{300000};
  std::string transform_memory_limit = "1GB";
  uint64_t max_download_bytes = 64ull << 30;  // URL imports: the largest file fetched
};

// A URL import (dataset_url_import.cc): a file downloaded from an allowed http(s) host.
struct UrlImportRequest {
  std::string name;                  // dataset to add a version to (created if new)
  std::string url;                   // http:// or https://
  std::optional<FileFormat> format;  // else from the URL path's extension, else sniffed
};

struct ImportRequest {
  std::string name;                  // dataset to add a version to (created if new)
  std::filesystem::path file;        // an uploaded file (moved into uploads_dir) or...
  bool server_side = false;          // ...a file on the server, read in place (admins)
  std::string filename;              // the user's name for the file, for format and records
  std::optional<FileFormat> format;  // guessed from filename or contents when absent
  std::vector<std::pair<std::string, std::string>> column_types;
  std::optional<char> delimiter;
  std::optional<bool> header;
  // The new version holds the newest version's rows followed by the file's (columns
  // matched by name), instead of the file's alone.
  bool append = false;
};

// A file another service's job imports as the next version of a dataset (DataLake sources).
struct JobImport {
  std::string dataset;
  std::filesystem::path file;  // read in place; the caller removes it
  FileFormat format = FileFormat::kCsv;
  bool append = false;                 // as ImportRequest::append
  nlohmann::json source = nlohmann::json::object();  // the version's source_json
};

struct TransformRequest {
  DatasetRef input;
  std::string sql;
  std::string output;  // empty: a new version of the input's dataset
};

// The first rows a transform would make, for a look before it runs as a job.
struct TransformPreview {
  Page page;               // at most the limit asked for; total_rows is the rows shown
  bool truncated = false;  // the transform makes more rows than the page holds
};

struct ExportFile {
  std::filesystem::path path;
  bool remove_after = false;  // a temporary file made for this export
  std::string filename;       // what the user's copy should be called
  std::string content_type;
};

// Thread-safe: every call opens what it needs (a DuckDB engine is per call).
class DatasetService {
 public:
  DatasetService(store::MetadataStore& store, blob::BlobStore& blobs, const Clock& clock,
                 DataOptions options);

  // Registers "dataset.import" and "dataset.transform" with the pool.
  void RegisterJobs(jobs::WorkerPool& pool);
  // Removes what a crash left behind: blobs no version refers to, uploads no pending job
  // will read. Call before the worker pool starts.
  Status CollectGarbage();

  Result<store::JobRecord> StartImport(ImportRequest request);
  // Checks the URL and the import allow-list (data/url_fetch.h), then queues a job that
  // downloads the file and imports it as an upload is imported (dataset_url_import.cc).
  Result<store::JobRecord> StartUrlImport(const UrlImportRequest& request);
  static constexpr const char* kUrlImportJob = "dataset.import_url";
  // Checks the SQL against the sandbox before anything runs (kInvalidArgument).
  Result<store::JobRecord> StartTransform(const TransformRequest& request);
  // Runs the transform's SQL in the same sandbox, now, for its first `limit` rows (1..1000),
  // within 15 s (or --transform-timeout-seconds when shorter); stores nothing.
  Result<TransformPreview> PreviewTransform(const TransformRequest& request, int64_t limit);

  Result<std::vector<store::DatasetRecord>> List();
  Result<store::DatasetRecord> Get(const std::string& name);
  Result<std::vector<store::DatasetVersionRecord>> Versions(const store::DatasetRecord& dataset);
  Result<store::DatasetVersionRecord> Version(const DatasetRef& ref);
  Result<Page> Preview(const DatasetRef& ref, int64_t offset, int64_t limit);
  Result<ExportFile> Export(const DatasetRef& ref, FileFormat format);
  // Deletes one version (ref.version != 0) or the whole dataset (whole_dataset).
  Status Delete(const DatasetRef& ref, bool whole_dataset);

  // For another service's job that wrote a table with this engine (batch predictions): reads
  // the schema and statistics of `parquet` and commits it as the next version of `dataset`
  // (created if new) with that job, whose result becomes the version's summary. The file is
  // moved into the blob store, not rewritten, so it should lie on the data directory's
  // filesystem; on failure it is removed. Progress stays where the job left it.
  Result<jobs::JobOutcome> CommitParquet(jobs::JobContext& context, const std::string& dataset,
                                         const std::filesystem::path& parquet,
                                         const std::string& source_json,
                                         const std::string& lineage_json);
  // For another service's job: imports a file as an upload is imported and commits it with
  // that job. The outcome's result is the version's summary (VersionSummaryJson) with
  // "batch_rows", the rows the file added.
  Result<jobs::JobOutcome> ImportForJob(jobs::JobContext& context, const JobImport& import);
  // A DuckDB engine with this service's thread, memory and spill settings.
  Result<std::unique_ptr<Engine>> OpenEngine();
  // The Parquet file of a stored version (verified against its hash; decrypted when
  // encrypted), readable while the handle lives.
  Result<blob::BlobFile> VersionFile(const store::DatasetVersionRecord& version);

 private:
  Result<jobs::JobOutcome> RunImport(jobs::JobContext& context);
  Result<jobs::JobOutcome> RunUrlImport(jobs::JobContext& context);
  // Imports `input` with the job's `params` (name, format, types, delimiter, header) and
  // commits it with `source` as the version's source.
  Result<jobs::JobOutcome> ImportAsVersion(jobs::JobContext& context,
                                           const nlohmann::json& params,
                                           const std::filesystem::path& input,
                                           nlohmann::json source);
  // Writes `previous`'s rows followed by `batch`'s to a scratch Parquet file.
  Result<std::pair<std::filesystem::path, TableInfo>> AppendTo(
      jobs::JobContext& context, Engine& engine, const store::DatasetVersionRecord& previous,
      const std::filesystem::path& batch);
  Result<jobs::JobOutcome> RunTransform(jobs::JobContext& context);
  // Stores a finished Parquet file as a blob and commits the new version with its job.
  Result<jobs::JobOutcome> CommitVersion(jobs::JobContext& context, const std::string& dataset,
                                         const std::filesystem::path& parquet,
                                         const TableInfo& info, const std::string& source_json,
                                         const std::string& lineage_json);

  store::MetadataStore& store_;
  blob::BlobStore& blobs_;
  const Clock& clock_;
  const DataOptions options_;
  jobs::WorkerPool* pool_ = nullptr;
};

}  // namespace aimass::data
