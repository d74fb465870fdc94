#include "registry/member_file.h"

#include <system_error>

namespace aimass::registry {

void RemoveMemberFiles(const std::vector<MemberFile>& files) {
  std::error_code ec;
  for (const auto& member : files) std::filesystem::remove(member.file, ec);
}

}  // namespace aimass::registry
