// `set-alias`: points an alias ("champion") at a model version, moving it atomically
// (endpoints that follow the alias switch on their next refresh).
#include "pipelines/steps/builtin_steps.h"
#include "pipelines/steps/step_params.h"
#include "registry/model_ref.h"

namespace aimass::pipelines {
namespace {

using nlohmann::json;

class SetAliasStep final : public StepType {
 public:
  explicit SetAliasStep(const StepServices& services) : services_(services) {}

  std::string name() const override { return "set-alias"; }
  std::string help() const override {
    return "points an alias of a model (e.g. champion) at a version";
  }
  std::vector<ParamSpec> params() const override {
    return {{"model", ValueType::kModel, true, "the version the alias should point at"},
            {"alias", ValueType::kString, true, "the alias, e.g. champion"}};
  }
  std::vector<OutputSpec> outputs() const override {
    return {{"model", ValueType::kModel, "the version it points at now, name@N"},
            {"previous", ValueType::kString, "the version it pointed at before, \"\" if none"}};
  }

  Status CheckLiterals(const json& with) const override {
    AIMASS_RETURN_IF_ERROR(CheckString(with, "model", registry::ParseModelRef));
    AIMASS_RETURN_IF_ERROR(CheckString(with, "alias", registry::CheckAlias));
    return Ok();
  }

  Result<json> Run(const StepInput& input, jobs::JobContext& context) override {
    (void)context;
    AIMASS_RETURN_IF_ERROR(CheckLiterals(input.with));
    AIMASS_ASSIGN_OR_RETURN(std::string text, RequiredString(input.with, "model"));
    AIMASS_ASSIGN_OR_RETURN(std::string alias, RequiredString(input.with, "alias"));
    AIMASS_ASSIGN_OR_RETURN(auto version, ModelVersionOf(services_.registry, input, "model", text));
    AIMASS_ASSIGN_OR_RETURN(auto model, services_.registry.Get(version.model_name));
    std::string previous;
    if (auto it = model.aliases.find(alias); it != model.aliases.end()) {
      previous = model.name + "@" + std::to_string(it->second);
    }
    AIMASS_ASSIGN_OR_RETURN(
        auto now, services_.registry.SetAlias(version.model_name, alias, version.version));
    return json{{"model", ModelRefOf(now)}, {"previous", previous}};
  }

 private:
  StepServices services_;
};

}  // namespace

std::unique_ptr<StepType> MakeSetAliasStep(const StepServices& services) {
  return std::make_unique<SetAliasStep>(services);
}

}  // namespace aimass::pipelines
