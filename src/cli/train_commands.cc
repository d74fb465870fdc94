// `aimass train`: starts an AutoML run (POST /training-runs), prints each trial as it
// finishes, and ends with the model it registered and the top of the leaderboard.
#include <cmath>
#include <cstdio>

#include "cli/client_commands.h"
#include "cli/dataset_ref.h"
#include "cli/progress.h"
#include "cli/table.h"

namespace aimass::cli {
namespace {

using nlohmann::json;

std::string Score(const json& value) {
  if (!value.is_number()) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.5g", value.get<double>());
  return text;
}

std::string ParamsText(const json& params) {
  std::string text;
  for (const auto& [key, value] : params.items()) {
    std::string shown = value.is_number_float() ? Score(value) : CellText(value);
    text += (text.empty() ? "" : " ") + key + "=" + shown;
  }
  return text;
}

// "trial 3  xgboost  roc_auc 0.91234  folds 0.90 0.92 0.91  1.2 s  max_depth=6 ..."
std::string TrialLine(const json& trial) {
  std::string line = "trial " + CellText(trial.value("id", json())) + "  " +
                     trial.value("learner", "") + "  ";
  if (trial.value("status", "") != "ok") return line + trial.value("status", "");
  line += trial.value("metric", "") + " " + Score(trial.value("score", json()));
  if (trial.contains("fold_scores") && trial["fold_scores"].size() > 1) {
    line += "  folds";
    for (const auto& score : trial["fold_scores"]) line += " " + Score(score);
  }
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "  %.1f s", trial.value("seconds", 0.0));
  line += seconds;
  if (trial.contains("row_fraction")) {
    line += "  on " + std::to_string(std::lround(trial["row_fraction"].get<double>() * 100)) +
            "% of the rows";
  }
  return line + "  " + ParamsText(trial.value("params", json::object()));
}

std::vector<std::string> LeaderboardRow(size_t rank, const json& entry) {
  std::string what = entry.value("learner", "");
  if (what == "ensemble") what = entry.value("kind", "") + " " + CellText(entry["trials"]);
  return {std::to_string(rank), entry.contains("id") ? CellText(entry["id"]) : "", what,
          Score(entry.value("score", json())),
          entry.contains("seconds") ? CellText(entry["seconds"]) : "",
          OneLine(ParamsText(entry.value("params", json::object())), 70)};
}

}  // namespace

void ClientCommands::RegisterTrain(CLI::App& app) {
  TrainFlags& f = train_;
  CLI::App* train = app.add_subcommand(
      "train", "Train the best model a time budget allows (AutoML) and register it");
  train->fallthrough();
  train->add_option("dataset", f.dataset, "NAME or NAME@V: the training data")->required();
  train->add_option("--target", f.target, "The column to predict")->required();
  train->add_option("--task", f.task, "What to predict")
      ->check(CLI::IsMember({"auto", "binary", "multiclass", "regression"}))
      ->capture_default_str();
  train->add_option("--metric", f.metric,
                    "accuracy, balanced_accuracy, log_loss, roc_auc, f1, rmse, mae or r2 "
                    "(default: roc_auc, log_loss or rmse by task)");
  train->add_option("--budget", f.budget, "Wall-clock time for the whole run: 90s, 5m, 1h")
      ->capture_default_str();
  train->add_option("--learners", f.learners, "Learners to try, e.g. xgboost,rf,linear")
      ->delimiter(',');
  train->add_option("--search", f.search, "Hyperparameter search")
      ->check(CLI::IsMember({"random", "grid", "bayes", "halving"}))
      ->capture_default_str();
  auto* cv = train->add_option("--cv", f.cv, "Cross-validation folds")->capture_default_str();
  train->add_option("--holdout", f.holdout, "Validate on this share of rows instead, e.g. 0.2")
      ->excludes(cv);
  train->add_option("--ensemble", f.ensemble, "Ensembles over the leaderboard")
      ->check(CLI::IsMember({"auto", "voting", "stacking", "bagging", "none"}))
      ->capture_default_str();
  train->add_option("--seed", f.seed, "Seed of every random choice")->capture_default_str();
  train->add_option("--max-trials", f.max_trials, "Stop after this many trials");
  train->add_option("--exclude", f.exclude, "Columns not to use as features")->delimiter(',');
  train->add_option("--register", f.register_as, "Model name (default: the dataset's)");
  train->add_flag("--no-wait", flags_.no_wait, "Print the job id and return at once");
  On(train, &ClientCommands::Train);
}

int ClientCommands::Train() {
  auto ref = ParseDatasetRef(train_.dataset);
  if (!ref) return Usage(ref.error().message);
  json body = {{"dataset", ref->ToString()}, {"target", train_.target}, {"task", train_.task},
               {"budget", train_.budget}, {"search", train_.search},
               {"ensemble", train_.ensemble}, {"seed", train_.seed}};
  if (!train_.metric.empty()) body["metric"] = train_.metric;
  if (!train_.learners.empty()) body["learners"] = train_.learners;
  if (train_.holdout > 0) {
    body["holdout"] = train_.holdout;
  } else {
    body["cv"] = train_.cv;
  }
  if (!train_.register_as.empty()) body["register"] = train_.register_as;
  if (train_.max_trials > 0) body["max_trials"] = train_.max_trials;
  if (!train_.exclude.empty()) body["exclude"] = train_.exclude;
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer = api->Post("/training-runs", body);
  if (!answer) return Report(answer.error());
  const int64_t id = (*answer)["job"].value("id", int64_t{0});
  if (flags_.no_wait) return FollowJob(*api, *answer);

  InterruptNotice notice(id);
  ProgressBar bar(*terminal_.err, terminal_.stderr_is_terminal);
  size_t printed = 0;
  std::string last_message;
  WaitOptions wait = wait_;
  wait.on_update = [&](const json& job) {
    // A new trial shows in the job's message; then fetch the run's trials and print the new.
    const std::string message = job.value("message", "");
    const bool done = IsFinishedState(job.value("state", ""));
    if (flags_.json || (message == last_message && !done)) return;
    last_message = message;
    auto run = api->Get("/training-runs/" + std::to_string(id));
    if (!run) return;
    const json& trials = (*run)["trials"];
    if (printed >= trials.size()) return;
    bar.Clear();
    for (; printed < trials.size(); ++printed) *terminal_.out << TrialLine(trials[printed]) << "\n";
    terminal_.out->flush();
  };
  auto finished = WaitForJob(*api, id, bar, wait);
  if (!finished) return Report(finished.error());
  const json& job = *finished;
  if (job.value("state", "") != "succeeded" || flags_.json) return Outcome(job);
  const json& result = job["result"];
  *terminal_.out << "\nregistered " << result.value("ref", "") << ": " << result.value("chosen", "")
                 << ", cross-validated " << result.value("metric", "") << " "
                 << Score(result.value("score", json())) << " (" << result.value("trials", 0)
                 << " trials in " << CellText(result.value("seconds", json())) << " s)\n\n";
  std::vector<std::vector<std::string>> rows;
  size_t rank = 0;
  for (const auto& entry : result.value("leaderboard", json::array())) {
    rows.push_back(LeaderboardRow(++rank, entry));
  }
  *terminal_.out << FormatTable({"RANK", "TRIAL", "LEARNER", result.value("metric", "SCORE"),
                                 "SECONDS", "PARAMS"},
                                rows);
  return kExitOk;
}

}  // namespace aimass::cli
