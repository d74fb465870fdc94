// The cron and dataset triggers, looked at on every tick of the runner. What each trigger
// last saw is stored (pipeline_trigger_marks), so a restart neither repeats a firing nor
// misses a dataset version that arrived while the server was down. Cron firings missed while
// it was down are not made up, as cron does.
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "common/actor.h"
#include "common/time_format.h"
#include "pipelines/cron.h"
#include "pipelines/pipeline_runner.h"

namespace aimass::pipelines {
namespace {

void Report(const store::PipelineRecord& pipeline, const std::string& trigger,
            const Result<store::PipelineRunRecord>& run) {
  if (run) {
    spdlog::info("pipeline {}: {} trigger queued run {}", pipeline.name, trigger, run->id);
  } else {
    spdlog::info("pipeline {}: {} trigger: {}", pipeline.name, trigger, run.error().message);
  }
}

}  // namespace

void PipelineRunner::FireTriggers(int64_t now) {
  auto pipelines = store_.ListPipelines(std::nullopt);
  if (!pipelines) return;
  const int64_t minute = now / 60000;
  const bool new_minute = minute != last_cron_minute_;
  last_cron_minute_ = minute;
  for (const store::PipelineRecord& pipeline : *pipelines) {
    auto version = store_.GetPipelineVersion(pipeline.id, 0);
    if (!version) continue;
    auto spec = SpecOf(version->id);
    if (!spec) continue;
    for (const TriggerSpec& trigger : (*spec)->triggers) {
      if (trigger.kind == TriggerKind::kCron && new_minute) {
        auto schedule = CronSchedule::Parse(trigger.value);
        const std::string key = "cron:" + trigger.value;
        if (!schedule || !schedule->Matches(minute)) continue;
        auto mark = store_.TriggerMark(pipeline.id, key);
        if (!mark || *mark == std::to_string(minute)) continue;
        (void)store_.SetTriggerMark(pipeline.id, key, std::to_string(minute));
        ActorScope actor("pipeline " + pipeline.name + " (cron)");
        Report(pipeline, "cron",
               FireLocked(pipeline, "cron",
                          {{"cron", trigger.value}, {"minute", IsoTime(minute * 60000)}}));
      } else if (trigger.kind == TriggerKind::kDataset) {
        auto newest = store_.GetVersion(trigger.value, 0);
        if (!newest) continue;
        auto dataset = store_.GetDataset(trigger.value);
        if (!dataset || dataset->project_id != pipeline.project_id) continue;
        const std::string key = "dataset:" + trigger.value;
        auto mark = store_.TriggerMark(pipeline.id, key);
        if (!mark) continue;
        const std::string seen = std::to_string(newest->id);
        if (*mark == seen) continue;
        (void)store_.SetTriggerMark(pipeline.id, key, seen);
        if (mark->empty() || std::strtoll(mark->c_str(), nullptr, 10) >= newest->id) continue;
        ActorScope actor("pipeline " + pipeline.name + " (dataset trigger)");
        Report(pipeline, "dataset",
               FireLocked(pipeline, "dataset",
                          {{"dataset", trigger.value + "@" + std::to_string(newest->version)}}));
      }
    }
  }
}

}  // namespace aimass::pipelines
