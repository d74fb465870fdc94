// The step types every server knows (import, transform, train, evaluate, gate, register,
// set-alias, deploy, batch-predict, notify), each in its own file of this folder, and the
// services they call.
#pragma once

#include <chrono>
#include <memory>

#include "blob/blob_store.h"
#include "common/clock.h"
#include "data/dataset_service.h"
#include "pipelines/step_type.h"
#include "registry/registry_service.h"
#include "serve/batch_prediction.h"
#include "serve/endpoint_service.h"
#include "serve/model_loader.h"
#include "store/metadata_store.h"
#include "train/training_service.h"

namespace aimass::pipelines {

// What the built-in steps work with. Every member must outlive the registry the steps are
// added to; the services are thread-safe, so steps of several runs may call them at once.
struct StepServices {
  store::MetadataStore& store;
  blob::BlobStore& blobs;  // register: scratch copies of a version's members
  data::DatasetService& datasets;
  train::TrainingService& training;
  registry::RegistryService& registry;
  serve::ModelLoader& loader;  // evaluate: the model as serving loads it
  serve::EndpointService& endpoints;
  serve::BatchPredictionService& batch;
  const Clock& clock;
  // notify: the time a webhook may take, connecting and answering.
  std::chrono::milliseconds notify_timeout{10000};
  // deploy: how often a waiting deploy looks at its endpoint.
  std::chrono::milliseconds poll_interval{200};
};

// Adds every built-in step type to `registry`.
void AddBuiltInSteps(StepTypeRegistry& registry, const StepServices& services);

// One factory per step type (each in its own file).
std::unique_ptr<StepType> MakeImportStep(const StepServices& services);
std::unique_ptr<StepType> MakeTransformStep(const StepServices& services);
std::unique_ptr<StepType> MakeTrainStep(const StepServices& services);
std::unique_ptr<StepType> MakeEvaluateStep(const StepServices& services);
std::unique_ptr<StepType> MakeGateStep();
std::unique_ptr<StepType> MakeRegisterStep(const StepServices& services);
std::unique_ptr<StepType> MakeSetAliasStep(const StepServices& services);
std::unique_ptr<StepType> MakeDeployStep(const StepServices& services);
std::unique_ptr<StepType> MakeBatchPredictStep(const StepServices& services);
std::unique_ptr<StepType> MakeNotifyStep(const StepServices& services);

}  // namespace aimass::pipelines
