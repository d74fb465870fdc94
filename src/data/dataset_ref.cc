#include "data/dataset_ref.h"

#include <cctype>
#include <charconv>

namespace aimass::data {

std::string DatasetRef::ToString() const {
  return version == 0 ? name : name + "@" + std::to_string(version);
}

Status CheckDatasetName(std::string_view name) {
  bool ok =
      !name.empty() && name.size() <= 128 && std::isalnum(static_cast<unsigned char>(name[0]));
  for (char c : name) {
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.');
  }
  if (!ok) {
    return Fail(ErrorCode::kInvalidArgument,
                "dataset name '" + std::string(name.substr(0, 200)) +
                    "' is not allowed: use 1-128 letters, digits, '_', '-' or '.', starting "
                    "with a letter or digit (for example 'credit_2024')");
  }
  return Ok();
}

Result<int64_t> ParseVersion(std::string_view text) {
  if (text == "latest" || text.empty()) return 0;
  int64_t version = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (ec != std::errc() || end != text.data() + text.size() || version < 1) {
    return Fail(ErrorCode::kInvalidArgument,
                "'" + std::string(text.substr(0, 100)) +
                    "' is not a dataset version: use a number from 1, or 'latest'");
  }
  return version;
}

Result<DatasetRef> ParseDatasetRef(std::string_view text) {
  DatasetRef ref;
  size_t at = text.find('@');
  ref.name = std::string(text.substr(0, at));
  AIMASS_RETURN_IF_ERROR(CheckDatasetName(ref.name));
  if (at != std::string_view::npos) {
    AIMASS_ASSIGN_OR_RETURN(ref.version, ParseVersion(text.substr(at + 1)));
  }
  return ref;
}

}  // namespace aimass::data
