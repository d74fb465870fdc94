// Temperature scaling: the fit finds the temperature that made probabilities timid or sure,
// leaves calibrated ones alone, never moves the predicted class, and a calibrated AutoML model
// keeps its temperature through Save and Load; a manifest with a bad one is refused.
#include "train/calibration.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "train/automl_frames.h"

namespace aimass::train {
namespace {
using namespace testing;  // NOLINT: the synthetic frames

constexpr int kClasses = 4;

// Labels drawn from softmax(z) for random logits z; the probabilities given are
// softmax(z / distortion), so the temperature that mends them is 1 / distortion.
struct Drawn {
  std::vector<double> probabilities;
  std::vector<float> labels;
};

Drawn Draw(int rows, double distortion, uint64_t seed = 3) {
  std::mt19937_64 random(seed);
  std::normal_distribution<double> normal(0, 2);
  std::uniform_real_distribution<double> uniform(0, 1);
  Drawn drawn;
  for (int r = 0; r < rows; ++r) {
    double z[kClasses], truth[kClasses], shown[kClasses];
    double truth_sum = 0, shown_sum = 0;
    for (int c = 0; c < kClasses; ++c) {
      z[c] = normal(random);
      truth_sum += truth[c] = std::exp(z[c]);
      shown_sum += shown[c] = std::exp(z[c] / distortion);
    }
    double u = uniform(random) * truth_sum;
    int label = kClasses - 1;
    for (int c = 0; c < kClasses; ++c) {
      if ((u -= truth[c]) < 0) {
        label = c;
        break;
      }
    }
    drawn.labels.push_back(static_cast<float>(label));
    for (int c = 0; c < kClasses; ++c) drawn.probabilities.push_back(shown[c] / shown_sum);
  }
  return drawn;
}

int ArgMax(const double* row, int width) {
  return static_cast<int>(std::max_element(row, row + width) - row);
}

TEST(CalibrationTest, FindsTheTemperatureThatMendsTimidOrSureProbabilities) {
  for (double distortion : {2.0, 0.5}) {
    const Drawn drawn = Draw(20000, distortion);
    const Temperature fitted = FitTemperature(drawn.probabilities, drawn.labels, kClasses);
    EXPECT_NEAR(fitted.value, 1 / distortion, 0.1 / distortion) << "distortion " << distortion;
    EXPECT_LT(fitted.after, fitted.before * 0.95);
    // Applying it gives the log loss the fit reported.
    auto mended = drawn.probabilities;
    ApplyTemperature(mended, kClasses, fitted.value);
    double loss = 0;
    for (size_t r = 0; r < drawn.labels.size(); ++r) {
      loss -= std::log(mended[r * kClasses + static_cast<size_t>(drawn.labels[r])]);
    }
    EXPECT_NEAR(loss / static_cast<double>(drawn.labels.size()), fitted.after, 1e-9);
  }
}

TEST(CalibrationTest, CalibratedProbabilitiesAreLeftAlone) {
  const Drawn drawn = Draw(20000, 1.0);
  const Temperature fitted = FitTemperature(drawn.probabilities, drawn.labels, kClasses);
  EXPECT_EQ(fitted.value, 1);
  EXPECT_EQ(fitted.after, fitted.before);
  auto same = drawn.probabilities;
  ApplyTemperature(same, kClasses, 1);
  EXPECT_EQ(same, drawn.probabilities);
}

TEST(CalibrationTest, ClassesAndBinaryRanksStayTheSame) {
  const Drawn drawn = Draw(500, 1.7);
  for (double temperature : {0.3, 0.8, 2.5}) {
    auto scaled = drawn.probabilities;
    ApplyTemperature(scaled, kClasses, temperature);
    for (size_t r = 0; r < drawn.labels.size(); ++r) {
      const double* row = scaled.data() + r * kClasses;
      EXPECT_NEAR(row[0] + row[1] + row[2] + row[3], 1, 1e-12);
      ASSERT_EQ(ArgMax(row, kClasses), ArgMax(drawn.probabilities.data() + r * kClasses, kClasses));
    }
  }
  // Binary: P(class 1) keeps its order, and a certain 0 or 1 stays finite.
  std::vector<double> binary = {0.9, 0.1, 0.4, 0.6, 0.2, 0.8, 0.0, 1.0};
  ApplyTemperature(binary, 2, 0.5);
  EXPECT_LT(binary[1], binary[3]);
  EXPECT_LT(binary[3], binary[5]);
  EXPECT_LT(binary[5], binary[7] + 1e-12);
  EXPECT_GT(binary[2 * 1 + 1], 0.6);  // sharper
  for (double p : binary) EXPECT_TRUE(std::isfinite(p));
}

TEST(CalibrationTest, MismatchedInputIsLeftAlone) {
  EXPECT_EQ(FitTemperature({}, {}, kClasses).value, 1);
  const std::vector<double> probabilities = {0.5, 0.5, 0.5};
  const std::vector<float> labels = {0, 1};
  EXPECT_EQ(FitTemperature(probabilities, labels, 2).value, 1);
}

// `files` loaded with `combination` in place of the saved one.
Result<std::shared_ptr<const Pipeline>> Reload(const PipelineFiles& files,
                                               const nlohmann::json& combination) {
  nlohmann::json manifest = files.manifest;
  manifest["combination"] = combination;
  PipelineFiles changed = files;
  changed.files[kPipelineManifest] = manifest.dump();
  return Pipeline::Load(changed.Reader(), LearnerRegistry::Builtin());
}

TEST(CalibrationTest, AnAutoMlModelKeepsItsTemperatureAndABadOneIsRefused) {
  // A random forest's votes are timid: its probabilities get a temperature below 1.
  const Frame frame = MakeFrame(600, Task::kMulticlass);
  TrainingSpec spec = Spec();
  spec.learners = {"rf"};
  spec.ensemble = EnsembleMode::kNone;
  spec.max_trials = 2;
  std::vector<std::string> lines;
  AutoMlEnvironment environment = Environment();
  environment.log = [&](const std::string& line) { lines.push_back(line); };
  auto result = RunAutoMl(frame, spec, environment);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  const double temperature = result->pipeline->parts().temperature;
  EXPECT_LT(temperature, 1);
  EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](const std::string& line) {
    return line.find("calibrated: temperature") != std::string::npos;
  }));
  // The score is the calibrated out-of-fold log loss, below the trial's own.
  EXPECT_LT(result->score, result->leaderboard[0]["score"].get<double>());

  auto files = result->pipeline->Save();
  ASSERT_TRUE(files.has_value()) << files.error().message;
  nlohmann::json combination = files->manifest["combination"];
  EXPECT_EQ(combination["temperature"], temperature);
  auto loaded = Reload(*files, combination);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  EXPECT_EQ(*(*loaded)->Predict(frame), *result->pipeline->Predict(frame));

  // Without it the same members give other (timid) probabilities, with the same classes.
  combination.erase("temperature");
  auto plain = Reload(*files, combination);
  ASSERT_TRUE(plain.has_value()) << plain.error().message;
  const auto sure = *result->pipeline->Predict(frame);
  const auto timid = *(*plain)->Predict(frame);
  ASSERT_EQ(sure.size(), timid.size());
  EXPECT_NE(sure, timid);
  for (size_t r = 0; r < sure.size() / 3; ++r) {
    ASSERT_EQ(ArgMax(sure.data() + r * 3, 3), ArgMax(timid.data() + r * 3, 3));
  }

  for (const nlohmann::json& bad : {nlohmann::json(0), nlohmann::json(-1), nlohmann::json(1000)}) {
    combination["temperature"] = bad;
    auto refused = Reload(*files, combination);
    ASSERT_FALSE(refused.has_value()) << bad;
    EXPECT_NE(refused.error().message.find("temperature"), std::string::npos);
  }
  combination["temperature"] = "warm";
  EXPECT_FALSE(Reload(*files, combination).has_value());
}

}  // namespace
}  // namespace aimass::train
