#include "train/trial.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace aimass::train {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

Flavour FlavourOf(std::string_view learner) {
  return learner == "linear" ? Flavour::kLinear : Flavour::kTrees;
}

std::string_view FlavourName(Flavour flavour) {
  return flavour == Flavour::kLinear ? "linear" : "trees";
}

nlohmann::json TrialRecord::ToJson(Metric metric) const {
  nlohmann::json out = {
      {"id", id},
      {"learner", learner},
      {"params", params},
      {"status", status},
      {"metric", MetricName(metric)},
      {"score", ok() && std::isfinite(score) ? nlohmann::json(score) : nlohmann::json()},
      {"fold_scores", fold_scores},
      {"seconds", std::round(seconds * 1000) / 1000}};
  if (row_fraction < 1) out["row_fraction"] = row_fraction;
  if (bags > 1) out["bags"] = bags;
  if (best_rounds > 0) out["best_rounds"] = best_rounds;
  return out;
}

TrialRunner::TrialRunner(const Frame& data, const Target& target, std::vector<Fold> folds,
                         Metric metric, uint64_t seed, std::vector<std::string> exclude)
    : data_(data),
      target_(target),
      folds_(std::move(folds)),
      metric_(metric),
      seed_(seed),
      exclude_(std::move(exclude)),
      width_(IsClassification(target.task) ? target.num_classes() : 1) {
  for (const auto& fold : folds_) {
    validation_offset_.push_back(static_cast<int64_t>(validation_labels_.size()));
    for (int64_t row : fold.valid) validation_labels_.push_back(target_.labels[row]);
  }
}

Status TrialRunner::Prepare(Flavour flavour) {
  if (prepared_.contains(flavour)) return Ok();
  Prepared prepared;
  PreprocessOptions options;
  options.for_linear = flavour == Flavour::kLinear;
  options.seed = seed_;
  options.exclude = exclude_;
  for (const auto& fold : folds_) {
    Preprocessor preprocessor;
    FoldMatrices matrices;
    AIMASS_ASSIGN_OR_RETURN(matrices.train,
                            preprocessor.FitTransform(data_, fold.train, target_, options));
    AIMASS_ASSIGN_OR_RETURN(matrices.valid, preprocessor.Transform(data_, fold.valid));
    for (int64_t row : fold.train) matrices.train_labels.push_back(target_.labels[row]);
    for (int64_t row : fold.valid) matrices.valid_labels.push_back(target_.labels[row]);
    if (prepared.folds.empty()) prepared.notes = preprocessor.Notes();
    prepared.folds.push_back(std::move(matrices));
  }
  prepared_[flavour] = std::move(prepared);
  return Ok();
}

std::vector<std::string> TrialRunner::Notes(Flavour flavour) const {
  auto it = prepared_.find(flavour);
  return it == prepared_.end() ? std::vector<std::string>{} : it->second.notes;
}

int64_t TrialRunner::FeatureCount(Flavour flavour) const {
  auto it = prepared_.find(flavour);
  return it == prepared_.end() || it->second.folds.empty() ? 0 : it->second.folds[0].train.cols;
}

std::vector<int64_t> TrialRunner::SampleRows(int64_t rows, Shape shape, uint64_t seed) const {
  std::mt19937_64 random(seed);
  std::vector<int64_t> out;
  if (shape.bags > 1) {  // a bootstrap sample: rows drawn with replacement
    out.resize(static_cast<size_t>(rows));
    for (auto& row : out) {
      row = static_cast<int64_t>(random() % static_cast<uint64_t>(rows));
    }
  } else {
    out.resize(static_cast<size_t>(rows));
    std::iota(out.begin(), out.end(), int64_t{0});
    Shuffle(out, random);
    out.resize(std::max<size_t>(
        1, static_cast<size_t>(std::ceil(shape.row_fraction * static_cast<double>(rows)))));
  }
  std::sort(out.begin(), out.end());
  return out;
}

TrialRecord TrialRunner::Run(int id, const Learner& learner, const nlohmann::json& params,
                             Shape shape, int threads,
                             std::chrono::steady_clock::time_point deadline,
                             const std::function<bool()>& should_stop,
                             const PruneCheck& prune) const {
  const auto start = std::chrono::steady_clock::now();
  TrialRecord record;
  record.id = id;
  record.learner = std::string(learner.name());
  record.params = params;
  record.row_fraction = shape.row_fraction;
  record.bags = shape.bags;
  const auto fail = [&](const std::string& why) {
    record.status = "failed: " + why;
    record.score = NAN;
    record.predictions.clear();
    record.seconds = SecondsSince(start);
    return record;
  };
  auto prepared = prepared_.find(FlavourOf(learner.name()));
  if (prepared == prepared_.end()) return fail("its preprocessing was not prepared");
  record.predictions.assign(validation_labels_.size() * static_cast<size_t>(width_), 0.0);
  double rounds = 0;
  int models = 0;
  bool all_stopped_early = true;
  for (size_t f = 0; f < folds_.size(); ++f) {
    const FoldMatrices& fold = prepared->second.folds[f];
    TrainInput validation{&fold.valid, fold.valid_labels, {}};
    TrainOptions options;
    options.task = target_.task;
    options.num_classes = IsClassification(target_.task) ? width_ : 0;
    options.threads = threads;
    options.validation = &validation;
    options.deadline = deadline;
    options.should_stop = should_stop;
    std::vector<double> averaged;
    for (int bag = 0; bag < shape.bags; ++bag) {
      const uint64_t seed = seed_ + static_cast<uint64_t>(id) * 7919 + f * 131 + bag;
      options.seed = seed;
      Matrix sample;
      std::vector<float> sample_labels;
      const Matrix* train = &fold.train;
      std::span<const float> labels = fold.train_labels;
      if (shape.row_fraction < 1 || shape.bags > 1) {
        const auto rows = SampleRows(fold.train.rows, shape, seed);
        sample = TakeRows(fold.train, rows);
        for (int64_t row : rows) sample_labels.push_back(fold.train_labels[row]);
        train = &sample;
        labels = sample_labels;
      }
      auto model = learner.Train({train, labels, {}}, params, options);
      if (!model) return fail(model.error().message);
      auto predicted = (*model)->Predict(fold.valid);
      if (!predicted) return fail(predicted.error().message);
      if (averaged.empty()) averaged.assign(predicted->size(), 0.0);
      for (size_t i = 0; i < averaged.size(); ++i) averaged[i] += (*predicted)[i] / shape.bags;
      // The rounds early stopping kept, when every model stopped early (a model that ran
      // to its maximum, or a forest's single round, says nothing about the right number).
      const auto info = (*model)->Info();
      if (info.value("stopped", "") == "early_stopping" && info.contains("best_iteration")) {
        rounds += info["best_iteration"].get<double>() + 1;
        ++models;
      } else {
        all_stopped_early = false;
      }
    }
    std::copy(averaged.begin(), averaged.end(),
              record.predictions.begin() + validation_offset_[f] * width_);
    auto score = Score(metric_, target_.task, fold.valid_labels, averaged, width_);
    record.fold_scores.push_back(score ? *score : NAN);
    if (prune && f + 1 < folds_.size()) {
      if (std::string why = prune(record.fold_scores); !why.empty()) {
        record.status = "pruned: " + why;
        record.score = NAN;
        record.predictions.clear();
        record.seconds = SecondsSince(start);
        return record;
      }
    }
  }
  auto score = Score(metric_, target_.task, validation_labels_, record.predictions, width_);
  if (!score) return fail(score.error().message);
  record.score = *score;
  if (models > 0 && all_stopped_early) {
    record.best_rounds = static_cast<int>(std::lround(rounds / models));
  }
  record.seconds = SecondsSince(start);
  return record;
}

}  // namespace aimass::train
