// `register`: a model version's files (and task, metrics, leaderboard, params, lineage)
// registered again as the next version of another model, e.g. a candidate promoted into
// the model that production follows.
#include "common/files.h"
#include "common/stored_json.h"
#include "pipelines/steps/builtin_steps.h"
#include "pipelines/steps/step_params.h"
#include "registry/model_ref.h"

namespace aimass::pipelines {
namespace {

using nlohmann::json;

class RegisterStep final : public StepType {
 public:
  explicit RegisterStep(const StepServices& services) : services_(services) {}

  std::string name() const override { return "register"; }
  std::string help() const override {
    return "registers a model version again as the next version of another model";
  }
  std::vector<ParamSpec> params() const override {
    return {{"model", ValueType::kModel, true, "the version to register"},
            {"name", ValueType::kString, true, "the model to add it to"},
            {"description", ValueType::kString, false, "the new version's description"},
            {"tags", ValueType::kObject, false, "tags to set on the model, key: value"}};
  }
  std::vector<OutputSpec> outputs() const override {
    return {{"model", ValueType::kModel, "the new version, name@N"}};
  }

  Status CheckLiterals(const json& with) const override {
    AIMASS_RETURN_IF_ERROR(CheckString(with, "model", registry::ParseModelRef));
    AIMASS_RETURN_IF_ERROR(CheckString(with, "name", registry::CheckModelName));
    AIMASS_ASSIGN_OR_RETURN(json tags, ObjectOr(with, "tags"));
    for (const auto& [key, value] : tags.items()) {
      if (auto checked = registry::CheckTagKey(key); !checked) {
        return Fail(InParam("tags", checked.error()));
      }
      if (!value.is_string()) {
        return Fail(ErrorCode::kInvalidArgument, "parameter 'tags': the value of '" + key +
                                                     "' must be text, not " + value.dump());
      }
      if (auto checked = registry::CheckTagValue(value.get<std::string>()); !checked) {
        return Fail(InParam("tags", checked.error()));
      }
    }
    return Ok();
  }

  Result<json> Run(const StepInput& input, jobs::JobContext& context) override {
    AIMASS_RETURN_IF_ERROR(CheckLiterals(input.with));
    AIMASS_ASSIGN_OR_RETURN(std::string text, RequiredString(input.with, "model"));
    AIMASS_ASSIGN_OR_RETURN(std::string name, RequiredString(input.with, "name"));
    AIMASS_ASSIGN_OR_RETURN(auto description, OptionalString(input.with, "description"));
    AIMASS_ASSIGN_OR_RETURN(json tags, ObjectOr(input.with, "tags"));
    AIMASS_ASSIGN_OR_RETURN(auto source, ModelVersionOf(services_.registry, input, "model", text));
    if (auto writable = CheckModelWritable(services_.registry, input, name); !writable) {
      return Fail(InParam("name", writable.error()));
    }
    const std::string from = ModelRefOf(source);

    // The members as scratch files, which registration consumes.
    std::vector<registry::MemberFile> files;
    const auto copy_members = [&]() -> Status {
      for (const auto& member : source.members) {
        AIMASS_RETURN_IF_ERROR(context.CheckStop());
        registry::ModelRef ref{source.model_name, source.version, ""};
        AIMASS_ASSIGN_OR_RETURN(auto download, services_.registry.OpenMember(ref, member.name));
        files.push_back({member.name, services_.blobs.NewScratchPath(".member")});
        std::error_code ec;
        std::filesystem::copy_file(download.file.path(), files.back().file, ec);
        if (ec) {
          return Fail(ErrorCode::kInternal,
                      "cannot copy member '" + member.name + "' of " + from + ": " + ec.message());
        }
      }
      return Ok();
    };
    if (auto copied = copy_members(); !copied) {
      registry::RemoveMemberFiles(files);
      return Fail(copied.error());
    }
    store::NewModelVersion version;
    version.model_name = name;
    version.task = source.task;
    version.description = description.value_or(source.description);
    version.metrics_json = source.metrics_json;
    version.leaderboard_json = source.leaderboard_json;
    version.params_json = source.params_json;
    json lineage = ParseStoredJson(source.lineage_json);
    if (!lineage.is_object()) lineage = json::object();
    lineage["registered_from"] = from;
    version.lineage_json = lineage.dump();
    version.source_json = json{
        {"kind", "pipeline"},
        {"pipeline", input.pipeline},
        {"run", input.run_id},
        {"step", input.step},
        {"from", from}}.dump();
    AIMASS_ASSIGN_OR_RETURN(auto registered, services_.registry.Register(version, files));
    for (const auto& [key, value] : tags.items()) {
      AIMASS_RETURN_IF_ERROR(services_.registry.SetTag(name, key, value.get<std::string>()));
    }
    context.Log("registered " + from + " as " + ModelRefOf(registered));
    return json{{"model", ModelRefOf(registered)}};
  }

 private:
  StepServices services_;
};

}  // namespace

std::unique_ptr<StepType> MakeRegisterStep(const StepServices& services) {
  return std::make_unique<RegisterStep>(services);
}

}  // namespace aimass::pipelines
