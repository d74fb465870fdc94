#include "pipelines/pipeline_service.h"

#include "common/hash.h"

namespace aimass::pipelines {
namespace {

constexpr std::string_view kWebhookTokenPrefix = "aimwh_";

bool HasWebhook(const PipelineSpec& spec) {
  for (const TriggerSpec& trigger : spec.triggers) {
    if (trigger.kind == TriggerKind::kWebhook) return true;
  }
  return false;
}

}  // namespace

PipelineService::PipelineService(store::MetadataStore& store, PipelineRunner& runner,
                                 const StepTypeRegistry& types, const Clock& clock)
    : store_(store), runner_(runner), types_(types), clock_(clock) {}

Result<PipelineSpec> PipelineService::Check(std::string_view yaml) const {
  return ParsePipeline(yaml, types_);
}

Result<AppliedPipeline> PipelineService::Apply(std::string_view yaml) {
  AIMASS_ASSIGN_OR_RETURN(PipelineSpec spec, ParsePipeline(yaml, types_));
  const std::string spec_json = SpecToJson(spec).dump();
  AppliedPipeline applied;
  AIMASS_ASSIGN_OR_RETURN(auto version,
                          store_.ApplyPipeline(spec.name, std::string(yaml), spec_json,
                                               Sha256Hex(spec_json), clock_.NowMillis()));
  applied.version = std::move(version.first);
  applied.changed = version.second;
  AIMASS_ASSIGN_OR_RETURN(applied.pipeline, store_.GetPipeline(spec.name));
  AIMASS_RETURN_IF_ERROR(MarkDatasetTriggers(applied.pipeline, spec));
  if (HasWebhook(spec) && !applied.pipeline.has_webhook_token) {
    AIMASS_ASSIGN_OR_RETURN(applied.webhook_token, NewWebhookToken(spec.name));
    applied.pipeline.has_webhook_token = true;
  }
  return applied;
}

Status PipelineService::MarkDatasetTriggers(const store::PipelineRecord& pipeline,
                                            const PipelineSpec& spec) {
  for (const TriggerSpec& trigger : spec.triggers) {
    if (trigger.kind != TriggerKind::kDataset) continue;
    const std::string key = "dataset:" + trigger.value;
    AIMASS_ASSIGN_OR_RETURN(std::string mark, store_.TriggerMark(pipeline.id, key));
    if (!mark.empty()) continue;
    auto newest = store_.GetVersion(trigger.value, 0);
    AIMASS_RETURN_IF_ERROR(
        store_.SetTriggerMark(pipeline.id, key, newest ? std::to_string(newest->id) : "0"));
  }
  return Ok();
}

Status PipelineService::Delete(const std::string& name) {
  return store_.DeletePipeline(name, clock_.NowMillis());
}

Result<std::string> PipelineService::NewWebhookToken(const std::string& name) {
  AIMASS_ASSIGN_OR_RETURN(auto pipeline, store_.GetPipeline(name));
  AIMASS_ASSIGN_OR_RETURN(auto version, store_.GetPipelineVersion(pipeline.id, 0));
  AIMASS_ASSIGN_OR_RETURN(auto spec, runner_.SpecOf(version.id));
  if (!HasWebhook(*spec)) {
    return Fail(ErrorCode::kConflict,
                "pipeline '" + name +
                    "' has no webhook trigger; add `- webhook: {}` under its triggers and apply "
                    "it again");
  }
  const std::string token = std::string(kWebhookTokenPrefix) + RandomHex(24);
  AIMASS_RETURN_IF_ERROR(store_.SetPipelineWebhookHash(name, Sha256Hex(token), clock_.NowMillis()));
  return token;
}

Result<store::PipelineRecord> PipelineService::CheckWebhookToken(const std::string& name,
                                                                 std::string_view token) {
  const auto refused = [] {
    return Fail(ErrorCode::kUnauthenticated,
                "the webhook token is missing or wrong; send the pipeline's token in the "
                "X-Aimass-Webhook-Token header (a new one: aimass pipelines webhook-token NAME)");
  };
  auto hash = store_.PipelineWebhookHash(name);
  if (!hash || hash->empty() || token.empty()) return refused();
  if (!ConstantTimeEquals(*hash, Sha256Hex(token))) return refused();
  return store_.GetPipeline(name);
}

}  // namespace aimass::pipelines
