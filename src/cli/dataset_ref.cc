#include "cli/dataset_ref.h"

#include <charconv>

namespace aimass::cli {

std::string DatasetRef::VersionSegment() const {
  return version ? std::to_string(*version) : "latest";
}

std::string DatasetRef::ToString() const {
  return version ? name + "@" + std::to_string(*version) : name;
}

Result<DatasetRef> ParseDatasetRef(std::string_view text) {
  auto invalid = [&](std::string_view why) {
    return Fail(ErrorCode::kInvalidArgument,
                "dataset reference '" + std::string(text) + "' " + std::string(why) +
                    "; write NAME, NAME@latest or NAME@N (N a version number, e.g. credit@2)");
  };
  size_t at = text.find('@');
  DatasetRef ref;
  ref.name = std::string(text.substr(0, at));
  if (ref.name.empty()) return invalid("has no dataset name");
  if (ref.name.find('/') != std::string::npos) return invalid("contains '/'");
  if (at == std::string_view::npos) return ref;
  ref.names_version = true;
  std::string_view version = text.substr(at + 1);
  if (version == "latest") return ref;
  int64_t number = 0;
  auto [end, ec] = std::from_chars(version.data(), version.data() + version.size(), number);
  if (version.empty() || ec != std::errc() || end != version.data() + version.size() ||
      number < 1) {
    return invalid("has an invalid version '" + std::string(version) + "'");
  }
  ref.version = number;
  return ref;
}

}  // namespace aimass::cli
