// Metrics by hand on small cases, and against scikit-learn 1.2 (/usr/bin/python3) on larger
// random ones with many ties.
#include "train/metrics.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

namespace aimass::train {
namespace {

namespace fs = std::filesystem;

TEST(MetricsTest, NamesAndDefaults) {
  for (Task task : {Task::kBinary, Task::kMulticlass, Task::kRegression}) {
    const auto metrics = MetricsFor(task);
    EXPECT_EQ(metrics.front(), DefaultMetric(task));
    for (Metric metric : metrics) {
      auto parsed = ParseMetric(MetricName(metric), task);
      ASSERT_TRUE(parsed.has_value());
      EXPECT_EQ(*parsed, metric);
    }
  }
  EXPECT_EQ(DefaultMetric(Task::kBinary), Metric::kRocAuc);
  EXPECT_EQ(DefaultMetric(Task::kMulticlass), Metric::kLogLoss);
  EXPECT_EQ(DefaultMetric(Task::kRegression), Metric::kRmse);
  EXPECT_EQ(MetricsFor(Task::kRegression).size(), 3u);
  EXPECT_EQ(MetricsFor(Task::kBinary).size(), 5u);
  EXPECT_TRUE(HigherIsBetter(Metric::kRocAuc));
  EXPECT_TRUE(HigherIsBetter(Metric::kR2));
  EXPECT_FALSE(HigherIsBetter(Metric::kLogLoss));
  EXPECT_FALSE(HigherIsBetter(Metric::kRmse));
  EXPECT_EQ(MetricName(Metric::kBalancedAccuracy), "balanced_accuracy");

  auto unknown = ParseMetric("auc", Task::kBinary);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().message,
            "unknown metric 'auc' for a binary task; use one of: roc_auc, accuracy, "
            "balanced_accuracy, log_loss, f1");
  auto mismatch = ParseMetric("rmse", Task::kMulticlass);
  ASSERT_FALSE(mismatch.has_value());
  EXPECT_NE(mismatch.error().message.find("does not fit a multiclass task"), std::string::npos);
}

TEST(MetricsTest, SmallCasesByHand) {
  const std::vector<float> labels = {0, 0, 1, 1};
  const std::vector<double> p = {0.9, 0.1, 0.6, 0.4, 0.65, 0.35, 0.2, 0.8};
  EXPECT_DOUBLE_EQ(*Score(Metric::kRocAuc, Task::kBinary, labels, p, 2), 0.75);
  EXPECT_DOUBLE_EQ(*Score(Metric::kAccuracy, Task::kBinary, labels, p, 2), 0.75);
  EXPECT_DOUBLE_EQ(*Score(Metric::kF1, Task::kBinary, labels, p, 2), 2.0 / 3);
  // Ties: positives {0.5, 0.9}, negatives {0.5, 0.2}: (0.5 + 1 + 1 + 1) / 4.
  const std::vector<float> tied_labels = {0, 1, 0, 1};
  const std::vector<double> tied = {0.5, 0.5, 0.2, 0.9};
  EXPECT_DOUBLE_EQ(*Score(Metric::kRocAuc, Task::kBinary, tied_labels, tied, 1), 0.875);
  // Log loss clips a probability of 0 instead of returning infinity.
  const std::vector<double> sure_and_wrong = {1, 0, 0, 1, 1, 0, 0, 1};  // rows 1, 2 wrong
  const double loss = *Score(Metric::kLogLoss, Task::kBinary, labels, sure_and_wrong, 2);
  EXPECT_NEAR(loss, -std::log(1e-15) / 2, 1e-6);

  const std::vector<float> y = {1, 2, 3};
  const std::vector<double> yhat = {1, 2, 5};
  EXPECT_DOUBLE_EQ(*Score(Metric::kMae, Task::kRegression, y, yhat, 1), 2.0 / 3);
  EXPECT_DOUBLE_EQ(*Score(Metric::kRmse, Task::kRegression, y, yhat, 1), std::sqrt(4.0 / 3));
  EXPECT_DOUBLE_EQ(*Score(Metric::kR2, Task::kRegression, y, yhat, 1), 1 - 4.0 / 2);
}

TEST(MetricsTest, Errors) {
  const std::vector<float> labels = {0, 1};
  const std::vector<double> p = {0.5, 0.5, 0.2, 0.8};
  auto mismatch = Score(Metric::kRmse, Task::kBinary, labels, p, 2);
  ASSERT_FALSE(mismatch.has_value());
  EXPECT_NE(mismatch.error().message.find("'rmse' does not fit a binary task"), std::string::npos);
  EXPECT_FALSE(Score(Metric::kAccuracy, Task::kRegression, labels, p, 1).has_value());
  EXPECT_FALSE(Score(Metric::kAccuracy, Task::kBinary, labels, p, 3).has_value());
  EXPECT_FALSE(Score(Metric::kAccuracy, Task::kBinary, {}, {}, 2).has_value());
  const std::vector<float> out_of_range = {0, 2};
  EXPECT_FALSE(Score(Metric::kAccuracy, Task::kBinary, out_of_range, p, 2).has_value());
  const std::vector<float> one_class = {1, 1};
  auto auc = Score(Metric::kRocAuc, Task::kBinary, one_class, p, 2);
  ASSERT_FALSE(auc.has_value());
  EXPECT_NE(auc.error().message.find("at least two classes"), std::string::npos);
  const std::vector<double> nan = {0.5, std::nan(""), 0.2, 0.8};
  EXPECT_FALSE(Score(Metric::kLogLoss, Task::kBinary, labels, nan, 2).has_value());
}

constexpr const char* kSklearnScript = R"(
import json, sys
import numpy as np
from sklearn import metrics as m
out = {}
for case in json.load(open(sys.argv[1])):
    y = np.array(case["labels"], dtype=np.float64)
    p = np.array(case["predictions"], dtype=np.float64).reshape(len(y), case["width"])
    r = {}
    if case["task"] == "regression":
        p = p[:, 0]
        r["rmse"] = float(np.sqrt(m.mean_squared_error(y, p)))
        r["mae"] = m.mean_absolute_error(y, p)
        r["r2"] = m.r2_score(y, p)
    else:
        y = y.astype(int)
        k = p.shape[1]
        pred = p.argmax(axis=1)
        r["accuracy"] = m.accuracy_score(y, pred)
        r["balanced_accuracy"] = m.balanced_accuracy_score(y, pred)
        r["log_loss"] = m.log_loss(y, p, eps=1e-15, labels=list(range(k)))
        if case["task"] == "binary":
            r["roc_auc"] = m.roc_auc_score(y, p[:, 1])
            r["f1"] = m.f1_score(y, pred)
        else:
            r["roc_auc"] = m.roc_auc_score(y, p, multi_class="ovr", average="macro")
            r["f1"] = m.f1_score(y, pred, average="macro")
    out[case["name"]] = {name: float(value) for name, value in r.items()}
print(json.dumps(out))
)";

struct Case {
  std::string name;
  Task task;
  int width;
  std::vector<float> labels;
  std::vector<double> predictions;
};

// Probabilities drawn from a few values, so that many scores tie.
Case Classification(std::string name, Task task, int classes, int rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Case c{std::move(name), task, classes, {}, {}};
  for (int i = 0; i < rows; ++i) {
    const auto label = static_cast<int>(rng() % classes);
    c.labels.push_back(static_cast<float>(i < classes ? i : label));  // every class present
    std::vector<double> raw(classes);
    double sum = 0;
    for (int k = 0; k < classes; ++k) {
      raw[k] = 1.0 + static_cast<double>(rng() % 4) + (k == label ? 2.0 * (rng() % 2) : 0.0);
      sum += raw[k];
    }
    for (double x : raw) c.predictions.push_back(x / sum);
  }
  return c;
}

Case Regression(int rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0, 3);
  Case c{"regression", Task::kRegression, 1, {}, {}};
  for (int i = 0; i < rows; ++i) {
    const double x = static_cast<double>(rng() % 1000) / 10;
    c.labels.push_back(static_cast<float>(x * 1.7 + 2));
    c.predictions.push_back(x * 1.65 + 2.5 + noise(rng));
  }
  return c;
}

TEST(MetricsTest, MatchScikitLearn) {
  if (!fs::exists("/usr/bin/python3") ||
      std::system("/usr/bin/python3 -c 'import sklearn' 2>/dev/null") != 0) {
    GTEST_SKIP() << "/usr/bin/python3 with scikit-learn is not installed";
  }
  const fs::path dir =
      fs::temp_directory_path() / ("aimass_metrics_" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  const std::vector<Case> cases = {
      Classification("binary", Task::kBinary, 2, 700, 1),
      Classification("multiclass", Task::kMulticlass, 4, 900, 2),
      Regression(800, 3),
  };
  nlohmann::json input = nlohmann::json::array();
  for (const Case& c : cases) {
    input.push_back({{"name", c.name},
                     {"task", TaskName(c.task)},
                     {"width", c.width},
                     {"labels", c.labels},
                     {"predictions", c.predictions}});
  }
  std::ofstream(dir / "cases.json") << input.dump();
  std::ofstream(dir / "score.py") << kSklearnScript;
  const std::string command =
      "/usr/bin/python3 " + (dir / "score.py").string() + " " + (dir / "cases.json").string();
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  while (size_t got = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, got);
  ASSERT_EQ(pclose(pipe), 0) << output;
  fs::remove_all(dir);
  const auto expected = nlohmann::json::parse(output);

  int compared = 0;
  for (const Case& c : cases) {
    for (Metric metric : MetricsFor(c.task)) {
      const std::string name(MetricName(metric));
      SCOPED_TRACE(c.name + " " + name);
      auto ours = Score(metric, c.task, c.labels, c.predictions, c.width);
      ASSERT_TRUE(ours.has_value()) << ours.error().message;
      EXPECT_NEAR(*ours, expected.at(c.name).at(name).get<double>(), 1e-9);
      ++compared;
    }
  }
  EXPECT_EQ(compared, 13);
}

}  // namespace
}  // namespace aimass::train
