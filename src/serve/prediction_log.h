// The prediction log: a sample of what endpoints answered, and the ground truth users send
// back for it, kept as JSON lines under <data-dir>/predictions/<endpoint>/ so that
// monitoring (and DuckDB's read_json) can read them. Writing is asynchronous and bounded:
// a request only posts its lines to a BackgroundQueue (dropped, and counted, when full);
// files rotate at a size and the oldest go once an endpoint's log passes its limit.
// With a KeyRing (encryption at rest), each appended batch of lines is one line of base64
// holding the batch encrypted (security/crypto/blob_cipher.h) with associated data
// "<endpoint>/<kind>" (then only Quality reads them, not read_json); plaintext lines
// written before still read.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "security/crypto/key_ring.h"
#include "serve/background_queue.h"

namespace aimass::serve {

struct PredictionLogOptions {
  std::filesystem::path dir;                        // <data-dir>/predictions
  double sample_rate = 1.0;                         // the share of predictions kept, 0..1
  size_t queue_capacity = 10'000;                   // batches waiting to be written
  int64_t max_file_bytes = 64 << 20;                // a file rotates past this
  int64_t max_endpoint_bytes = 1 << 30;             // the oldest files go past this
  const security::crypto::KeyRing* keys = nullptr;  // encrypts what is written; null: plaintext
};

// One answered record.
struct PredictionEntry {
  std::string id;  // the prediction id users send feedback for
  std::string endpoint;
  std::string model;  // "credit@3"
  int64_t version = 0;
  bool shadow = false;
  std::string input;   // the record as sent, as compact JSON text
  std::string output;  // {"prediction": ..., "probabilities": {...}}, as compact JSON text
};

// Thread-safe.
class PredictionLog {
 public:
  PredictionLog(PredictionLogOptions options, const Clock& clock);
  ~PredictionLog();
  PredictionLog(const PredictionLog&) = delete;
  PredictionLog& operator=(const PredictionLog&) = delete;

  // Whether a prediction with this id is in the sample.
  bool Sampled(const std::string& id) const;
  // Posts the entries for writing (those in the sample); never blocks.
  void Record(std::vector<PredictionEntry> entries);
  // Posts ground truth for prediction `id` of `endpoint`.
  void Feedback(const std::string& endpoint, const std::string& id, nlohmann::json truth);
  // Live quality per model version from the predictions that got feedback:
  // {"versions":[{"model":"credit@3","shadow":false,"predictions":120,"with_feedback":40,
  //   "accuracy":0.9} (classes) or {"rmse":..,"mae":..} (numbers)]}, plus
  //   "unreadable_batches": n when encrypted batches failed to decrypt (they are skipped).
  Result<nlohmann::json> Quality(const std::string& endpoint);
  // Forgets an endpoint's log (the endpoint was deleted).
  void Remove(const std::string& endpoint);
  // Waits until everything posted so far is written (tests, shutdown).
  void Flush() { queue_.Drain(); }
  uint64_t dropped() const { return queue_.dropped(); }

 private:
  // On the queue's thread: appends lines to the endpoint's `kind` file ("predictions",
  // "feedback"), rotating and trimming as the options say.
  void Append(const std::string& endpoint, const std::string& kind, const std::string& lines);
  void Trim(const std::filesystem::path& folder);
  // On the queue's thread when it runs idle: appends the lines gathered since the last
  // time (one batch per endpoint and kind, so one encrypted line with a KeyRing) and
  // flushes the open files.
  void WritePending();
  // Closes the open files of `endpoint` (all of them when empty). Needs files_mu_.
  void CloseFiles(const std::string& endpoint);

  // An active file kept open between writes, with the size it has reached.
  struct OpenFile {
    std::FILE* file = nullptr;
    int64_t size = 0;
  };

  const PredictionLogOptions options_;
  const Clock& clock_;
  std::mutex files_mu_;                                           // Append and Quality's reads
  std::map<std::pair<std::string, std::string>, OpenFile> open_;  // by endpoint, kind
  // Lines waiting for WritePending, by endpoint and kind; only the queue's thread uses it.
  std::map<std::pair<std::string, std::string>, std::string> pending_;
  BackgroundQueue queue_;  // last: its thread stops before the rest goes
};

}  // namespace aimass::serve
