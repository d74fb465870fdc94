// Reading a pipeline's YAML into a PipelineSpec: the shape of the document (keys, types of
// the step settings) is checked here, with the line of every problem; what the values mean
// is checked by CheckPipeline (pipeline_check.cc).
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <set>

#include "common/duration.h"
#include "pipelines/pipeline_spec.h"

namespace aimass::pipelines {
namespace {

constexpr size_t kMaxYamlBytes = 256 * 1024;
constexpr int kMaxDepth = 32;
constexpr int kMaxNodes = 20000;

SourceMark MarkOf(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return {mark.line + 1, mark.column + 1};
}

// Collects problems with where they are.
class Problems {
 public:
  explicit Problems(std::vector<std::string>& list) : list_(list) {}
  void Add(const SourceMark& at, const std::string& message) {
    list_.push_back(at.line > 0 ? at.Where() + ": " + message : message);
  }
  void Add(const YAML::Node& node, const std::string& message) { Add(MarkOf(node), message); }

 private:
  std::vector<std::string>& list_;
};

// A plain scalar as YAML 1.2's core schema reads it; quoted scalars stay text.
nlohmann::json ScalarValue(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return text;  // quoted
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return nullptr;
  }
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  char* end = nullptr;
  errno = 0;
  const long long integer = std::strtoll(text.c_str(), &end, 10);
  if (end == text.c_str() + text.size() && errno == 0) return integer;
  const double number = std::strtod(text.c_str(), &end);
  if (end == text.c_str() + text.size() && std::isfinite(number)) return number;
  return text;
}

// YAML to JSON, refusing documents too deep or too large once aliases are expanded.
class JsonConverter {
 public:
  explicit JsonConverter(Problems& problems) : problems_(problems) {}

  nlohmann::json Convert(const YAML::Node& node, int depth = 0) {
    if (++nodes_ > kMaxNodes || depth > kMaxDepth) {
      if (!refused_) {
        problems_.Add(node, "the pipeline is too large or too deeply nested (at most " +
                                std::to_string(kMaxNodes) + " values, " +
                                std::to_string(kMaxDepth) + " levels)");
      }
      refused_ = true;
      return nullptr;
    }
    switch (node.Type()) {
      case YAML::NodeType::Scalar:
        return ScalarValue(node);
      case YAML::NodeType::Sequence: {
        nlohmann::json array = nlohmann::json::array();
        for (const auto& item : node) array.push_back(Convert(item, depth + 1));
        return array;
      }
      case YAML::NodeType::Map: {
        nlohmann::json object = nlohmann::json::object();
        for (const auto& item : node) {
          object[item.first.Scalar()] = Convert(item.second, depth + 1);
        }
        return object;
      }
      default:
        return nullptr;
    }
  }
  bool refused() const { return refused_; }

 private:
  Problems& problems_;
  int nodes_ = 0;
  bool refused_ = false;
};

void CheckKeys(const YAML::Node& map, const std::set<std::string>& known, const std::string& what,
               Problems& problems) {
  for (const auto& item : map) {
    const std::string key = item.first.Scalar();
    if (known.count(key) == 0) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      problems.Add(item.first, what + ": unknown key '" + key + "'; the keys are " + list);
    }
  }
}

std::string Text(const YAML::Node& node, const std::string& what, Problems& problems) {
  if (!node.IsScalar()) {
    problems.Add(node, what + " must be text");
    return "";
  }
  return node.Scalar();
}

std::vector<std::string> TextList(const YAML::Node& node, const std::string& what,
                                  Problems& problems) {
  std::vector<std::string> list;
  if (node.IsScalar()) {
    list.push_back(node.Scalar());
  } else if (node.IsSequence()) {
    for (const auto& item : node) list.push_back(Text(item, what, problems));
  } else {
    problems.Add(node, what + " must be a step name or a list of them, e.g. [clean, train]");
  }
  return list;
}

double Seconds(const YAML::Node& node, const std::string& what, Problems& problems) {
  auto seconds = ParseDurationSeconds(ScalarValue(node), what);
  if (!node.IsScalar() || !seconds || *seconds < 0) {
    problems.Add(node, what + " must be a duration such as 30s, 10m or 1h");
    return 0;
  }
  return *seconds;
}

void ReadTriggers(const YAML::Node& node, PipelineSpec& spec, Problems& problems) {
  if (!node.IsSequence()) {
    problems.Add(node,
                 "triggers must be a list, e.g. [{cron: '0 * * * *'}, {dataset: sales}, "
                 "{webhook: {}}, {manual: {}}]");
    return;
  }
  for (const auto& item : node) {
    if (!item.IsMap() || item.size() != 1) {
      problems.Add(item,
                   "each trigger is one of cron: EXPR, dataset: NAME, webhook: {} or "
                   "manual: {}");
      continue;
    }
    const auto entry = *item.begin();
    const std::string kind = entry.first.Scalar();
    TriggerSpec trigger;
    trigger.at = MarkOf(entry.first);
    if (kind == "cron") {
      trigger.kind = TriggerKind::kCron;
      trigger.value = Text(entry.second, "cron", problems);
    } else if (kind == "dataset") {
      trigger.kind = TriggerKind::kDataset;
      trigger.value = Text(entry.second, "dataset", problems);
    } else if (kind == "webhook") {
      trigger.kind = TriggerKind::kWebhook;
    } else if (kind == "manual") {
      trigger.kind = TriggerKind::kManual;
    } else {
      problems.Add(entry.first, "unknown trigger '" + kind +
                                    "'; the triggers are cron, dataset, webhook and manual");
      continue;
    }
    spec.triggers.push_back(std::move(trigger));
  }
}

void ReadStep(const YAML::Node& node, PipelineSpec& spec, Problems& problems,
              JsonConverter& converter) {
  if (!node.IsMap()) {
    problems.Add(node, "each step must be a map with name, type, needs and with");
    return;
  }
  StepSpec step;
  step.at = MarkOf(node);
  const std::string what =
      node["name"] && node["name"].IsScalar() ? "step '" + node["name"].Scalar() + "'" : "a step";
  CheckKeys(node, {"name", "type", "needs", "with", "retries", "retry_delay", "timeout", "cache"},
            what, problems);
  if (node["name"]) {
    step.name = Text(node["name"], what + ": name", problems);
  } else {
    problems.Add(node, "a step has no name; give each step a name: unique in the pipeline");
  }
  if (node["type"]) {
    step.type = Text(node["type"], what + ": type", problems);
  } else {
    problems.Add(node, what + " has no type; e.g. type: train");
  }
  if (node["needs"]) step.needs = TextList(node["needs"], what + ": needs", problems);
  if (const YAML::Node with = node["with"]) {
    if (!with.IsMap()) {
      problems.Add(with, what + ": with must be a map of parameter: value");
    } else {
      for (const auto& item : with) {
        const std::string key = item.first.Scalar();
        step.with[key] = converter.Convert(item.second, 2);
        step.param_marks[key] = MarkOf(item.second);
      }
    }
  }
  if (const YAML::Node retries = node["retries"]) {
    const nlohmann::json value = retries.IsScalar() ? ScalarValue(retries) : nlohmann::json();
    if (!value.is_number_integer() || value.get<int64_t>() < 0 || value.get<int64_t>() > 20) {
      problems.Add(retries, what + ": retries must be a whole number from 0 to 20");
    } else {
      step.retries = value.get<int>();
    }
  }
  if (node["retry_delay"]) {
    step.retry_delay_seconds = Seconds(node["retry_delay"], what + ": retry_delay", problems);
  }
  if (node["timeout"]) {
    step.timeout_seconds = Seconds(node["timeout"], what + ": timeout", problems);
    if (step.timeout_seconds <= 0) problems.Add(node["timeout"], what + ": timeout must be > 0");
  }
  if (const YAML::Node cache = node["cache"]) {
    const nlohmann::json value = cache.IsScalar() ? ScalarValue(cache) : nlohmann::json();
    if (!value.is_boolean()) {
      problems.Add(cache, what + ": cache must be true or false");
    } else {
      step.cache = value.get<bool>();
    }
  }
  spec.steps.push_back(std::move(step));
}

}  // namespace

std::string SourceMark::Where() const {
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

Result<PipelineSpec> ParsePipeline(std::string_view yaml, const StepTypeRegistry& types) {
  if (yaml.size() > kMaxYamlBytes) {
    return Fail(ErrorCode::kPayloadTooLarge, "a pipeline file may hold at most " +
                                                 std::to_string(kMaxYamlBytes / 1024) +
                                                 " KiB of YAML");
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Fail(ErrorCode::kInvalidArgument,
                "the pipeline is not valid YAML: " +
                    SourceMark{e.mark.line + 1, e.mark.column + 1}.Where() + ": " + e.msg);
  }
  std::vector<std::string> list;
  Problems problems(list);
  PipelineSpec spec;
  try {
    if (!root.IsMap()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "a pipeline is a YAML map with name, triggers and steps");
    }
    JsonConverter converter(problems);
    CheckKeys(root, {"name", "description", "concurrency", "triggers", "steps"}, "the pipeline",
              problems);
    if (root["name"]) {
      spec.name = Text(root["name"], "name", problems);
    } else {
      problems.Add(root, "the pipeline has no name; add name: followed by one");
    }
    if (root["description"]) spec.description = Text(root["description"], "description", problems);
    if (const YAML::Node concurrency = root["concurrency"]) {
      const std::string value = Text(concurrency, "concurrency", problems);
      if (value == "queue")
        spec.concurrency = Concurrency::kQueue;
      else if (value == "skip")
        spec.concurrency = Concurrency::kSkip;
      else if (value == "allow")
        spec.concurrency = Concurrency::kAllow;
      else
        problems.Add(concurrency, "concurrency must be queue (the default), skip or allow");
    }
    if (root["triggers"]) ReadTriggers(root["triggers"], spec, problems);
    if (const YAML::Node steps = root["steps"]; steps && steps.IsSequence()) {
      for (const auto& step : steps) ReadStep(step, spec, problems, converter);
    } else {
      problems.Add(steps ? MarkOf(steps) : MarkOf(root),
                   "the pipeline needs steps: a list of steps, each with name and type");
    }
  } catch (const YAML::Exception& e) {
    problems.Add(SourceMark{e.mark.line + 1, e.mark.column + 1}, e.msg);
  }
  if (list.empty()) CheckPipeline(spec, types, list);
  if (!list.empty()) {
    std::string message = list.size() == 1
                              ? "the pipeline has a problem:"
                              : "the pipeline has " + std::to_string(list.size()) + " problems:";
    for (size_t i = 0; i < list.size() && i < 50; ++i) message += "\n  " + list[i];
    return Fail(ErrorCode::kInvalidArgument, message);
  }
  return spec;
}

}  // namespace aimass::pipelines
