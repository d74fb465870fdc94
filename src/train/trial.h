// One trial of an AutoML run: a learner with one set of hyperparameters, trained on each
// fold's training rows (early stopping on the fold's validation rows) and scored on its
// validation rows. TrialRunner holds the fold matrices, built once per preprocessing flavour
// (trees keep missing values; linear models get imputed, scaled features) and shared by
// every trial. TrialRunner::Run is thread-safe once the flavours it needs are prepared.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "train/frame.h"
#include "train/learner.h"
#include "train/metrics.h"
#include "train/preprocessor.h"
#include "train/splits.h"
#include "train/target.h"

namespace aimass::train {

// Which preprocessing a learner wants.
enum class Flavour { kTrees, kLinear };
Flavour FlavourOf(std::string_view learner);
std::string_view FlavourName(Flavour flavour);  // "trees", "linear"

struct TrialRecord {
  int id = 0;
  std::string learner;
  nlohmann::json params = nlohmann::json::object();
  double row_fraction = 1;    // below 1: an early rung of successive halving
  int bags = 1;               // above 1: a bagged configuration
  std::string status = "ok";  // "ok", "failed: <why>", "pruned: <why>"
  std::vector<double> fold_scores;
  double score = 0;  // the metric over every validation row (NaN unless ok)
  double seconds = 0;
  int best_rounds = 0;  // boosting rounds early stopping kept (mean over folds); 0: n/a
  // Out-of-fold predictions, rows x width, aligned with the target's labels (CV), or with
  // the holdout rows. Not in the JSON.
  std::vector<double> predictions;

  bool ok() const { return status == "ok"; }
  bool pruned() const { return status.starts_with("pruned"); }
  nlohmann::json ToJson(Metric metric) const;
};

class TrialRunner {
 public:
  // `data` holds only rows whose target is known (target.labels[r] is row r's label).
  TrialRunner(const Frame& data, const Target& target, std::vector<Fold> folds, Metric metric,
              uint64_t seed, std::vector<std::string> exclude);

  // Fits the flavour's preprocessor on each fold (once). Not thread-safe; call before Run.
  Status Prepare(Flavour flavour);
  // Notes of the flavour's preprocessor on the first fold, for the job log.
  std::vector<std::string> Notes(Flavour flavour) const;
  int64_t FeatureCount(Flavour flavour) const;

  // How a trial uses each fold's training rows.
  struct Shape {
    double row_fraction = 1;  // < 1: a seeded share of them (successive halving's early rungs)
    int bags = 1;             // > 1: that many bootstrap samples, predictions averaged
  };
  // Asked after each fold but the last with the fold scores so far; a reason (not empty)
  // stops the trial there as "pruned: <reason>". Null: every trial runs every fold.
  using PruneCheck = std::function<std::string(const std::vector<double>& fold_scores)>;
  // Trains and scores one configuration. Never fails: a failure is recorded in the record's
  // status.
  TrialRecord Run(int id, const Learner& learner, const nlohmann::json& params, Shape shape,
                  int threads, std::chrono::steady_clock::time_point deadline,
                  const std::function<bool()>& should_stop,
                  const PruneCheck& prune = nullptr) const;

  // The labels of the rows the predictions cover (every row for CV, the holdout rows).
  const std::vector<float>& ValidationLabels() const { return validation_labels_; }
  int width() const { return width_; }
  Task task() const { return target_.task; }
  Metric metric() const { return metric_; }
  const std::vector<Fold>& folds() const { return folds_; }

 private:
  struct FoldMatrices {
    Matrix train, valid;
    std::vector<float> train_labels, valid_labels;
  };
  // The training rows one model of a trial sees: all, a share, or a bootstrap sample.
  std::vector<int64_t> SampleRows(int64_t rows, Shape shape, uint64_t seed) const;
  struct Prepared {
    std::vector<FoldMatrices> folds;
    std::vector<std::string> notes;
  };

  const Frame& data_;
  const Target& target_;
  std::vector<Fold> folds_;
  Metric metric_;
  uint64_t seed_;
  std::vector<std::string> exclude_;
  int width_;
  std::vector<float> validation_labels_;
  std::vector<int64_t> validation_offset_;  // per fold: where its rows start in predictions
  std::map<Flavour, Prepared> prepared_;
};

}  // namespace aimass::train
