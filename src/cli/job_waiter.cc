#include "cli/job_waiter.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <thread>

namespace aimass::cli {
namespace {

using nlohmann::json;

void Show(ProgressBar& bar, const json& job) {
  std::string state = job.value("state", "");
  std::string message = job.contains("message") && job["message"].is_string()
                            ? job["message"].get<std::string>()
                            : "";
  int progress =
      job.contains("progress") && job["progress"].is_number() ? job["progress"].get<int>() : 0;
  if (state == "succeeded") progress = 100;
  bar.Update(progress, message.empty() || state != "running" ? state : message);
}

// The message the SIGINT handler writes; filled before the handler is installed, so the
// handler only calls async-signal-safe write() and _exit().
char g_interrupt_message[256];
size_t g_interrupt_message_size = 0;

void OnInterrupt(int) {
  ssize_t ignored = ::write(STDERR_FILENO, g_interrupt_message, g_interrupt_message_size);
  (void)ignored;
  ::_exit(130);
}

}  // namespace

bool IsFinishedState(std::string_view state) {
  return state == "succeeded" || state == "failed" || state == "cancelled";
}

Result<json> WaitForJob(ApiClient& api, int64_t job_id, ProgressBar& bar,
                        const WaitOptions& options) {
  const std::string path = "/jobs/" + std::to_string(job_id);
  json last;
  bool finished = false;
  auto on_event = [&](const SseEvent& event) {
    if (event.event != "job" && event.event != "message") return true;
    json job = json::parse(event.data, nullptr, /*allow_exceptions=*/false);
    if (!job.is_object()) return false;  // a broken stream: poll instead
    last = std::move(job);
    Show(bar, last);
    if (options.on_update) options.on_update(last);
    finished = IsFinishedState(last.value("state", ""));
    return !finished;
  };
  // A stream that fails, or ends before a finished state, leaves the job to polling; the
  // stream's own error is dropped because polling reports the same one if it persists.
  (void)api.ReadEvents(path + "/events", on_event);
  while (!finished) {
    auto job = api.Get(path);
    if (!job) return Fail(std::move(job).error());
    last = std::move(*job);
    Show(bar, last);
    if (options.on_update) options.on_update(last);
    finished = IsFinishedState(last.value("state", ""));
    if (finished) break;
    if (options.sleep) {
      options.sleep(options.poll_interval);
    } else {
      std::this_thread::sleep_for(options.poll_interval);
    }
  }
  bar.Finish();
  return last;
}

struct InterruptNotice::Saved {
  struct sigaction previous;
};

InterruptNotice::InterruptNotice(int64_t job_id) : saved_(std::make_unique<Saved>()) {
  long long id = static_cast<long long>(job_id);
  int n = std::snprintf(g_interrupt_message, sizeof g_interrupt_message,
                        "\nstopped watching job %lld; it keeps running. Cancel it with "
                        "`aimass jobs cancel %lld`\n",
                        id, id);
  g_interrupt_message_size =
      n < 0 ? 0 : std::min(static_cast<size_t>(n), sizeof g_interrupt_message - 1);
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, &saved_->previous);
}

InterruptNotice::~InterruptNotice() { ::sigaction(SIGINT, &saved_->previous, nullptr); }

}  // namespace aimass::cli
