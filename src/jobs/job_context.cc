#include "jobs/job_context.h"

#include <algorithm>

namespace aimass::jobs {

namespace {
constexpr int64_t kFlushEveryMillis = 250;
}  // namespace

JobContext::JobContext(store::MetadataStore& store, const Clock& clock, store::JobRecord job,
                       nlohmann::json params, int64_t lease_millis)
    : store_(store),
      clock_(clock),
      job_(std::move(job)),
      params_(std::move(params)),
      lease_millis_(lease_millis),
      percent_(job_.progress),
      message_(job_.message) {}

Status JobContext::CheckStop() {
  if (lease_lost_) {
    return Fail(ErrorCode::kConflict, "job " + std::to_string(job_.id) +
                                          " was taken over by another worker; stopping here");
  }
  if (cancelled_) return Fail(ErrorCode::kCancelled, "cancelled by a user");
  if (shutdown_) return Fail(ErrorCode::kUnavailable, "the server is shutting down");
  return Ok();
}

Status JobContext::Progress(int percent, std::string_view message) {
  {
    std::lock_guard lock(mu_);
    percent_ = std::clamp(percent, 0, 100);
    message_ = std::string(message);
  }
  AIMASS_RETURN_IF_ERROR(Flush(false));
  return CheckStop();
}

void JobContext::Log(std::string_view line) {
  (void)store_.AppendJobLog(job_.id, clock_.NowMillis(), std::string(line));
}

void JobContext::Heartbeat() { (void)Flush(true); }

Status JobContext::Flush(bool force) {
  int percent;
  std::string message;
  const int64_t now = clock_.NowMillis();
  {
    std::lock_guard lock(mu_);
    if (!force && now - last_flush_ < kFlushEveryMillis) return Ok();
    last_flush_ = now;
    percent = percent_;
    message = message_;
  }
  auto renewed = store_.RenewLease(lease(), now + lease_millis_, percent, message);
  if (!renewed) {
    if (renewed.error().code == ErrorCode::kConflict) lease_lost_ = true;
    return Ok();  // a transient store error: the next flush tries again
  }
  if (*renewed) cancelled_ = true;
  return Ok();
}

}  // namespace aimass::jobs
