// A checked pipeline as the JSON stored beside its YAML (and shown by the API).
#include "pipelines/pipeline_spec.h"

namespace aimass::pipelines {

std::string_view TriggerKindName(TriggerKind kind) {
  switch (kind) {
    case TriggerKind::kManual:
      return "manual";
    case TriggerKind::kCron:
      return "cron";
    case TriggerKind::kDataset:
      return "dataset";
    case TriggerKind::kWebhook:
      return "webhook";
  }
  return "manual";
}

std::string_view ConcurrencyName(Concurrency concurrency) {
  switch (concurrency) {
    case Concurrency::kQueue:
      return "queue";
    case Concurrency::kSkip:
      return "skip";
    case Concurrency::kAllow:
      return "allow";
  }
  return "queue";
}

nlohmann::json SpecToJson(const PipelineSpec& spec) {
  nlohmann::json triggers = nlohmann::json::array();
  for (const TriggerSpec& trigger : spec.triggers) {
    nlohmann::json one = {{"kind", TriggerKindName(trigger.kind)}};
    if (!trigger.value.empty()) one["value"] = trigger.value;
    triggers.push_back(std::move(one));
  }
  nlohmann::json steps = nlohmann::json::array();
  for (const StepSpec& step : spec.steps) {
    steps.push_back({{"name", step.name},
                     {"type", step.type},
                     {"needs", step.needs},
                     {"with", step.with},
                     {"retries", step.retries},
                     {"retry_delay_seconds", step.retry_delay_seconds},
                     {"timeout_seconds", step.timeout_seconds},
                     {"cache", step.cache},
                     {"line", step.at.line}});
  }
  return {{"name", spec.name},
          {"description", spec.description},
          {"concurrency", ConcurrencyName(spec.concurrency)},
          {"triggers", std::move(triggers)},
          {"steps", std::move(steps)}};
}

Result<PipelineSpec> SpecFromJson(const nlohmann::json& json) {
  try {
    PipelineSpec spec;
    spec.name = json.at("name").get<std::string>();
    spec.description = json.value("description", "");
    const std::string concurrency = json.value("concurrency", "queue");
    for (auto c : {Concurrency::kQueue, Concurrency::kSkip, Concurrency::kAllow}) {
      if (concurrency == ConcurrencyName(c)) spec.concurrency = c;
    }
    for (const auto& one : json.at("triggers")) {
      TriggerSpec trigger;
      const std::string kind = one.at("kind").get<std::string>();
      for (auto k : {TriggerKind::kManual, TriggerKind::kCron, TriggerKind::kDataset,
                     TriggerKind::kWebhook}) {
        if (kind == TriggerKindName(k)) trigger.kind = k;
      }
      trigger.value = one.value("value", "");
      spec.triggers.push_back(std::move(trigger));
    }
    for (const auto& one : json.at("steps")) {
      StepSpec step;
      step.name = one.at("name").get<std::string>();
      step.type = one.at("type").get<std::string>();
      step.needs = one.at("needs").get<std::vector<std::string>>();
      step.with = one.at("with");
      step.retries = one.value("retries", 0);
      step.retry_delay_seconds = one.value("retry_delay_seconds", 10.0);
      step.timeout_seconds = one.value("timeout_seconds", 3600.0);
      step.cache = one.value("cache", true);
      step.at.line = one.value("line", 0);
      spec.steps.push_back(std::move(step));
    }
    return spec;
  } catch (const nlohmann::json::exception& e) {
    return Fail(ErrorCode::kInternal, std::string("a stored pipeline is damaged: ") + e.what());
  }
}

}  // namespace aimass::pipelines
