#include "train/pipeline.h"

#include <cmath>
#include <set>

#include "train/calibration.h"
#include "train/ensemble.h"

namespace aimass::train {
namespace {

constexpr const char* kFormat = "aimass-model";

std::string MemberFile(size_t index) { return "members/" + std::to_string(index) + ".model"; }

}  // namespace

Pipeline::Pipeline(Parts parts) : parts_(std::move(parts)) {
  std::set<std::string> seen;
  for (const auto& [flavour, preprocessor] : parts_.preprocessors) {
    for (const auto& column : preprocessor->InputSchema().columns) {
      if (seen.insert(column.name).second) schema_.columns.push_back(column);
    }
  }
}

MemberReader PipelineFiles::Reader() const {
  return [this](const std::string& name) -> Result<std::string> {
    auto it = files.find(name);
    if (it == files.end()) return Fail(ErrorCode::kNotFound, "no member '" + name + "'");
    return it->second;
  };
}

int Pipeline::width() const {
  return IsClassification(parts_.task) ? static_cast<int>(parts_.classes.size()) : 1;
}

Result<PipelineFiles> Pipeline::Save() const {
  PipelineFiles files;
  nlohmann::json members = nlohmann::json::array();
  for (size_t i = 0; i < parts_.members.size(); ++i) {
    const auto& member = parts_.members[i];
    AIMASS_ASSIGN_OR_RETURN(std::string bytes, member.model->Serialize());
    files.files[MemberFile(i)] = std::move(bytes);
    members.push_back({{"learner", member.learner},
                       {"params", member.params},
                       {"preprocessor", member.flavour},
                       {"file", MemberFile(i)}});
  }
  nlohmann::json preprocessors = nlohmann::json::object();
  for (const auto& [flavour, preprocessor] : parts_.preprocessors) {
    preprocessors[flavour] = preprocessor->ToJson();
  }
  nlohmann::json combination = {{"kind", parts_.combination}};
  if (parts_.combination == "voting") combination["weights"] = parts_.weights;
  if (parts_.temperature != 1) combination["temperature"] = parts_.temperature;
  if (parts_.combination == "stacking") {
    AIMASS_ASSIGN_OR_RETURN(std::string bytes, parts_.stacker->Serialize());
    files.files["members/stacker.model"] = std::move(bytes);
    combination["stacker"] = {{"learner", "linear"},
                              {"params", parts_.stacker_params},
                              {"file", "members/stacker.model"}};
  }
  files.manifest = {{"format", kFormat},
                    {"format_version", kPipelineFormatVersion},
                    {"task", TaskName(parts_.task)},
                    {"target", parts_.target},
                    {"classes", parts_.classes},
                    {"schema", schema_.ToJson()},
                    {"preprocessors", std::move(preprocessors)},
                    {"members", std::move(members)},
                    {"combination", std::move(combination)},
                    {"extra", parts_.extra}};
  files.files[kPipelineManifest] = files.manifest.dump(1);
  return files;
}

Result<std::shared_ptr<const Pipeline>> Pipeline::Load(const MemberReader& read,
                                                       const LearnerRegistry& learners) {
  AIMASS_ASSIGN_OR_RETURN(std::string text, read(kPipelineManifest));
  const auto manifest = nlohmann::json::parse(text, nullptr, false);
  // value() throws on a field of another type: these checks read the fields by hand.
  const auto field = [&](const char* name) {
    return manifest.is_object() && manifest.contains(name) ? manifest[name] : nlohmann::json();
  };
  if (field("format") != kFormat) {
    return Fail(ErrorCode::kInvalidArgument, "model.json is not an aimass model manifest");
  }
  if (field("format_version") != kPipelineFormatVersion) {
    return Fail(ErrorCode::kInvalidArgument,
                "model.json has format version " + manifest["format_version"].dump() +
                    "; this aimass reads version " + std::to_string(kPipelineFormatVersion));
  }
  try {
    Parts parts;
    AIMASS_ASSIGN_OR_RETURN(parts.task, ParseTask(manifest.at("task").get<std::string>()));
    parts.target = manifest.value("target", "");
    parts.classes = manifest.value("classes", std::vector<std::string>{});
    const int num_classes = static_cast<int>(parts.classes.size());
    for (const auto& [flavour, json] : manifest.at("preprocessors").items()) {
      AIMASS_ASSIGN_OR_RETURN(Preprocessor preprocessor, Preprocessor::FromJson(json));
      parts.preprocessors[flavour] = std::make_shared<const Preprocessor>(std::move(preprocessor));
    }
    const auto load_model =
        [&](const nlohmann::json& entry) -> Result<std::shared_ptr<const TrainedModel>> {
      AIMASS_ASSIGN_OR_RETURN(const Learner* learner,
                              learners.Get(entry.at("learner").get<std::string>()));
      AIMASS_ASSIGN_OR_RETURN(std::string bytes, read(entry.at("file").get<std::string>()));
      AIMASS_ASSIGN_OR_RETURN(auto model, learner->Load(bytes, parts.task, num_classes));
      return std::shared_ptr<const TrainedModel>(std::move(model));
    };
    for (const auto& entry : manifest.at("members")) {
      Member member;
      member.learner = entry.at("learner").get<std::string>();
      member.params = entry.value("params", nlohmann::json::object());
      member.flavour = entry.at("preprocessor").get<std::string>();
      if (!parts.preprocessors.contains(member.flavour)) {
        return Fail(ErrorCode::kInvalidArgument,
                    "model.json: member uses preprocessor '" + member.flavour + "', not saved");
      }
      AIMASS_ASSIGN_OR_RETURN(member.model, load_model(entry));
      parts.members.push_back(std::move(member));
    }
    const auto& combination = manifest.at("combination");
    parts.combination = combination.at("kind").get<std::string>();
    if (parts.combination == "voting") {
      parts.weights = combination.at("weights").get<std::vector<double>>();
    } else if (parts.combination == "stacking") {
      parts.stacker_params = combination.at("stacker").value("params", nlohmann::json::object());
      AIMASS_ASSIGN_OR_RETURN(parts.stacker, load_model(combination.at("stacker")));
    }
    parts.temperature = combination.value("temperature", 1.0);
    if (!std::isfinite(parts.temperature) || parts.temperature < 0.01 || parts.temperature > 100) {
      return Fail(ErrorCode::kInvalidArgument,
                  "model.json: the calibration temperature must be a number from 0.01 to 100");
    }
    if (parts.members.empty() ||
        (parts.combination == "voting" && parts.weights.size() != parts.members.size())) {
      return Fail(ErrorCode::kInvalidArgument, "model.json: members and weights do not match");
    }
    parts.extra = manifest.value("extra", nlohmann::json::object());
    return std::make_shared<const Pipeline>(std::move(parts));
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInvalidArgument, std::string("model.json is malformed: ") + e.what());
  }
}

Result<std::vector<double>> Pipeline::Predict(const Frame& frame) const {
  std::map<std::string, Matrix> features;
  for (const auto& [flavour, preprocessor] : parts_.preprocessors) {
    AIMASS_ASSIGN_OR_RETURN(features[flavour], preprocessor->Transform(frame));
  }
  std::vector<std::vector<double>> outputs;
  for (const auto& member : parts_.members) {
    AIMASS_ASSIGN_OR_RETURN(auto predicted, member.model->Predict(features.at(member.flavour)));
    outputs.push_back(std::move(predicted));
  }
  std::vector<double> combined;
  if (parts_.combination == "single") {
    combined = std::move(outputs[0]);
  } else {
    std::vector<const std::vector<double>*> pointers;
    for (const auto& output : outputs) pointers.push_back(&output);
    if (parts_.combination == "voting") {
      combined = Blend(pointers, parts_.weights);
    } else {
      AIMASS_ASSIGN_OR_RETURN(
          combined, parts_.stacker->Predict(StackingFeatures(pointers, parts_.task, width())));
    }
  }
  if (IsClassification(parts_.task)) ApplyTemperature(combined, width(), parts_.temperature);
  return combined;
}

Result<nlohmann::json> Pipeline::PredictRecords(const nlohmann::json& records) const {
  AIMASS_ASSIGN_OR_RETURN(Frame frame, FrameFromRecords(records, schema_));
  AIMASS_ASSIGN_OR_RETURN(auto predicted, Predict(frame));
  nlohmann::json out = nlohmann::json::array();
  const int w = width();
  for (int64_t r = 0; r < frame.rows; ++r) {
    const double* row = predicted.data() + r * w;
    if (!IsClassification(parts_.task)) {
      out.push_back({{"prediction", row[0]}});
      continue;
    }
    nlohmann::json probabilities = nlohmann::json::object();
    int best = 0;
    for (int c = 0; c < w; ++c) {
      probabilities[parts_.classes[static_cast<size_t>(c)]] = row[c];
      if (row[c] > row[best]) best = c;
    }
    out.push_back({{"prediction", parts_.classes[static_cast<size_t>(best)]},
                   {"probabilities", std::move(probabilities)}});
  }
  return out;
}

}  // namespace aimass::train
