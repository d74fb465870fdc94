#include "pipelines/steps/builtin_steps.h"

namespace aimass::pipelines {

void AddBuiltInSteps(StepTypeRegistry& registry, const StepServices& services) {
  registry.Add(MakeImportStep(services));
  registry.Add(MakeTransformStep(services));
  registry.Add(MakeTrainStep(services));
  registry.Add(MakeEvaluateStep(services));
  registry.Add(MakeGateStep());
  registry.Add(MakeRegisterStep(services));
  registry.Add(MakeSetAliasStep(services));
  registry.Add(MakeDeployStep(services));
  registry.Add(MakeBatchPredictStep(services));
  registry.Add(MakeNotifyStep(services));
}

}  // namespace aimass::pipelines
