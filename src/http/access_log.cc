#include "http/access_log.h"

#include <spdlog/spdlog.h>

namespace aimass::http {

void LogAccess(const Request& request, int status, uint64_t bytes_sent,
               std::chrono::steady_clock::duration elapsed) {
  if (!spdlog::should_log(spdlog::level::info)) return;
  double ms = std::chrono::duration<double, std::milli>(elapsed).count();
  const std::string& user = request.principal.user_name;
  const std::string& path = request.path.empty() ? request.target : request.path;
  spdlog::info("{} {} {} {} {} {}B {:.1f}ms", request.request_id, user.empty() ? "-" : user,
               request.method.empty() ? "-" : request.method, path.empty() ? "-" : path, status,
               bytes_sent, ms);
}

}  // namespace aimass::http
