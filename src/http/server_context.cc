#include "http/server_context.h"

#include "http/session.h"

namespace aimass::http {

void ServerContext::AddSession(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(mu);
  sessions.emplace(session.get(), session);
}

void ServerContext::RemoveSession(Session* session) {
  std::lock_guard lock(mu);
  sessions.erase(session);
  cv.notify_all();  // under the lock: the waiter may destroy the context once it returns
}

std::vector<std::shared_ptr<Session>> ServerContext::LiveSessions() {
  std::vector<std::shared_ptr<Session>> live;
  std::lock_guard lock(mu);
  for (auto& [raw, weak] : sessions) {
    if (auto session = weak.lock()) live.push_back(std::move(session));
  }
  return live;
}

bool ServerContext::WaitForNoSessions(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu);
  return cv.wait_for(lock, timeout, [this] { return sessions.empty(); });
}

void ServerContext::StreamStarted() {
  std::lock_guard lock(mu);
  ++streams;
}

void ServerContext::StreamEnded() {
  std::lock_guard lock(mu);
  --streams;
  cv.notify_all();
}

}  // namespace aimass::http
