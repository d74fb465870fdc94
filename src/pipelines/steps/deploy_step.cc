// `deploy`: creates a serving endpoint or points an existing one at other models, through
// the same EndpointService calls as the endpoints API, then waits until it serves the
// version its model reference names now.
#include <cmath>
#include <thread>

#include "pipelines/steps/builtin_steps.h"
#include "pipelines/steps/step_params.h"
#include "registry/model_ref.h"

namespace aimass::pipelines {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

constexpr double kDefaultWaitSeconds = 60;

class DeployStep final : public StepType {
 public:
  explicit DeployStep(const StepServices& services) : services_(services) {}

  std::string name() const override { return "deploy"; }
  std::string help() const override {
    return "deploys a model to an endpoint (created or updated) and waits until it serves it";
  }
  std::vector<ParamSpec> params() const override {
    return {{"endpoint", ValueType::kString, true, "the endpoint's name"},
            {"model", ValueType::kModel, true, "what it serves; name@alias follows the alias"},
            {"canary", ValueType::kModel, false, "a model that takes canary_percent of requests"},
            {"canary_percent", ValueType::kNumber, false, "1 to 100, with canary"},
            {"shadow", ValueType::kModel, false, "a model that sees every request, logged only"},
            {"wait", ValueType::kDuration, false, "how long to wait for the switch (default 60s)"}};
  }
  std::vector<OutputSpec> outputs() const override {
    return {{"endpoint", ValueType::kString, "the endpoint's name"},
            {"model", ValueType::kModel, "the version it serves now, name@N"}};
  }

  Status CheckLiterals(const json& with) const override {
    AIMASS_RETURN_IF_ERROR(CheckString(with, "endpoint", registry::CheckModelName));
    for (const char* param : {"model", "canary", "shadow"}) {
      AIMASS_RETURN_IF_ERROR(CheckString(with, param, registry::ParseModelRef));
    }
    AIMASS_ASSIGN_OR_RETURN(auto percent, OptionalNumber(with, "canary_percent"));
    if (percent && !(*percent >= 1 && *percent <= 100 && *percent == std::floor(*percent))) {
      return Fail(ErrorCode::kInvalidArgument,
                  "parameter 'canary_percent' must be a whole number from 1 to 100, not " +
                      with["canary_percent"].dump());
    }
    if (with.contains("wait") && !IsReference(with["wait"])) {
      AIMASS_RETURN_IF_ERROR(OptionalDuration(with, "wait"));
    }
    return Ok();
  }

  Result<json> Run(const StepInput& input, jobs::JobContext& context) override {
    AIMASS_RETURN_IF_ERROR(CheckLiterals(input.with));
    AIMASS_ASSIGN_OR_RETURN(std::string endpoint, RequiredString(input.with, "endpoint"));
    store::EndpointRecord record;
    record.name = endpoint;
    AIMASS_ASSIGN_OR_RETURN(record.model, RequiredString(input.with, "model"));
    AIMASS_ASSIGN_OR_RETURN(auto canary, OptionalString(input.with, "canary"));
    AIMASS_ASSIGN_OR_RETURN(auto percent, OptionalNumber(input.with, "canary_percent"));
    AIMASS_ASSIGN_OR_RETURN(auto shadow, OptionalString(input.with, "shadow"));
    AIMASS_ASSIGN_OR_RETURN(auto wait, OptionalDuration(input.with, "wait"));
    if (canary.has_value() != percent.has_value()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "parameters 'canary' and 'canary_percent': give both (a canary takes that "
                  "share of the requests) or neither");
    }
    record.canary = canary.value_or("");
    record.canary_percent = static_cast<int>(percent.value_or(0));
    record.shadow = shadow.value_or("");
    // Every model it serves must be one of the pipeline's project, as must the endpoint.
    for (const auto& [param, text] :
         {std::pair{"model", record.model}, std::pair{"canary", record.canary},
          std::pair{"shadow", record.shadow}}) {
      if (text.empty()) continue;
      AIMASS_RETURN_IF_ERROR(ModelVersionOf(services_.registry, input, param, text));
    }
    auto existing = services_.store.GetEndpoint(endpoint);
    if (!existing && existing.error().code != ErrorCode::kNotFound) return Fail(existing.error());
    if (existing && existing->project_id != input.project_id) {
      return Fail(ErrorCode::kPermissionDenied,
                  "endpoint '" + endpoint + "' belongs to project '" + existing->project +
                      "', not to the project pipeline '" + input.pipeline +
                      "' runs in; deploy to an endpoint of this project (or a new name)");
    }
    auto deployed =
        existing ? services_.endpoints.Update(record) : services_.endpoints.Deploy(record);
    if (!deployed) {
      return Fail(deployed.error().code,
                  "endpoint '" + endpoint + "': " + deployed.error().message);
    }
    context.Log((existing ? "updated endpoint " : "created endpoint ") + endpoint + " to serve " +
                record.model);
    AIMASS_ASSIGN_OR_RETURN(auto serving,
                            WaitUntilServing(record, wait.value_or(kDefaultWaitSeconds), context));
    return json{{"endpoint", endpoint}, {"model", serving}};
  }

 private:
  // Polls the endpoint until its primary model is the version `record.model` resolves to.
  // Deploy and Update load before they switch, so this is mostly a confirmation; it matters
  // when a refresh switches the endpoint meanwhile or loading failed.
  Result<std::string> WaitUntilServing(const store::EndpointRecord& record, double seconds,
                                       jobs::JobContext& context) {
    const auto deadline =
        SteadyClock::now() + std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
    AIMASS_ASSIGN_OR_RETURN(auto ref, registry::ParseModelRef(record.model));
    std::string state;
    while (true) {
      AIMASS_RETURN_IF_ERROR(context.CheckStop());
      AIMASS_ASSIGN_OR_RETURN(auto wanted, services_.loader.Resolve(ref));
      AIMASS_ASSIGN_OR_RETURN(auto status, services_.endpoints.Get(record.name));
      state = status.state;
      if (status.deployment && status.deployment->model &&
          status.deployment->model->version.id == wanted.id) {
        return status.deployment->model->Ref();
      }
      if (state.starts_with("failed") || state.find("switching failed") != std::string::npos) {
        return Fail(ErrorCode::kUnavailable, "endpoint '" + record.name + "' does not serve " +
                                                 ModelRefOf(wanted) + ": " + state);
      }
      if (SteadyClock::now() >= deadline) break;
      std::this_thread::sleep_for(services_.poll_interval);
    }
    return Fail(ErrorCode::kDeadlineExceeded,
                "endpoint '" + record.name + "' did not serve " + record.model + " within " +
                    std::to_string(static_cast<int64_t>(seconds)) + " s (" + state +
                    "); raise 'wait' or look at GET /api/v1/endpoints/" + record.name);
  }

  StepServices services_;
};

}  // namespace

std::unique_ptr<StepType> MakeDeployStep(const StepServices& services) {
  return std::make_unique<DeployStep>(services);
}

}  // namespace aimass::pipelines
