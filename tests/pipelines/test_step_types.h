// Step types for testing the pipeline engine without the platform's services: they run
// inline and do what their parameters say.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/duration.h"
#include "pipelines/step_type.h"

namespace aimass::pipelines::testing {

// "make": gives `dataset` (= with.name + "@1") and `count` (= with.count); cacheable.
class MakeStep : public StepType {
 public:
  explicit MakeStep(std::atomic<int>* runs = nullptr) : runs_(runs) {}
  std::string name() const override { return "make"; }
  std::string help() const override { return "makes a dataset reference"; }
  std::vector<ParamSpec> params() const override {
    return {{"name", ValueType::kString, true, "a dataset name"},
            {"count", ValueType::kNumber, false, "a number"},
            {"sleep", ValueType::kDuration, false, "how long to take"}};
  }
  std::vector<OutputSpec> outputs() const override {
    return {{"dataset", ValueType::kDataset, "name@1"}, {"count", ValueType::kNumber, "count"}};
  }
  bool cacheable() const override { return true; }
  Result<nlohmann::json> Run(const StepInput& input, jobs::JobContext& context) override {
    if (runs_ != nullptr) ++*runs_;
    const double sleep =
        ParseDurationSeconds(input.with.value("sleep", nlohmann::json(0)), "sleep").value_or(0);
    for (int waited = 0; waited < sleep * 1000; waited += 20) {
      AIMASS_RETURN_IF_ERROR(context.CheckStop());
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return nlohmann::json{{"dataset", input.with.value("name", "") + "@1"},
                          {"count", input.with.value("count", 0)}};
  }

 private:
  std::atomic<int>* runs_;
};

// "use": takes a dataset and a note; echoes them; fails its first `fail` attempts (counted
// per step name across runs).
class UseStep : public StepType {
 public:
  std::string name() const override { return "use"; }
  std::string help() const override { return "uses a dataset"; }
  std::vector<ParamSpec> params() const override {
    return {{"dataset", ValueType::kDataset, true, "a dataset"},
            {"note", ValueType::kString, false, "text"},
            {"fail", ValueType::kNumber, false, "attempts that fail"},
            {"metrics", ValueType::kMetrics, false, "metrics"}};
  }
  std::vector<OutputSpec> outputs() const override {
    return {{"echo", ValueType::kString, "dataset and note"}};
  }
  Result<nlohmann::json> Run(const StepInput& input, jobs::JobContext&) override {
    int attempt = 0;
    {
      std::lock_guard lock(mu_);
      attempt = ++attempts_[input.step];
    }
    if (attempt <= input.with.value("fail", 0)) {
      return Fail(ErrorCode::kUnavailable, "attempt " + std::to_string(attempt) + " fails");
    }
    return nlohmann::json{
        {"echo", input.with.value("dataset", "") + " " + input.with.value("note", "")}};
  }

 private:
  std::mutex mu_;
  std::map<std::string, int> attempts_;
};

// "gate": passes when with.pass is true.
class TestGateStep : public StepType {
 public:
  std::string name() const override { return "gate"; }
  std::string help() const override { return "passes or not"; }
  std::vector<ParamSpec> params() const override {
    return {{"pass", ValueType::kBool, true, "whether it passes"}};
  }
  std::vector<OutputSpec> outputs() const override {
    return {{"passed", ValueType::kBool, "whether it passed"}};
  }
  Result<nlohmann::json> Run(const StepInput& input, jobs::JobContext&) override {
    const bool pass = input.with.value("pass", false);
    return nlohmann::json{{"passed", pass}, {"reason", pass ? "told to pass" : "told not to"}};
  }
};

inline void AddTestSteps(StepTypeRegistry& registry, std::atomic<int>* make_runs = nullptr) {
  registry.Add(std::make_unique<MakeStep>(make_runs));
  registry.Add(std::make_unique<UseStep>());
  registry.Add(std::make_unique<TestGateStep>());
}

}  // namespace aimass::pipelines::testing
