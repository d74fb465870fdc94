#include "cli/dataset_ref.h"

#include <cctype>
#include <charconv>
#include <optional>

namespace aimass::cli {

std::string DatasetRef::VersionSegment() const {
  return version ? std::to_string(*version) : "latest";
}

std::string DatasetRef::ToString() const {
  return version ? name + "@" + std::to_string(*version) : name;
}

namespace {

// A reference split at its '@': the name (present, without '/') and what follows the '@'
// (nullopt without one). `kind` and `forms` go into the error.
struct SplitRef {
  std::string name;
  std::optional<std::string_view> selector;
};

Result<SplitRef> Split(std::string_view text, std::string_view kind, std::string_view forms) {
  SplitRef split;
  size_t at = text.find('@');
  split.name = std::string(text.substr(0, at));
  std::string why;
  if (split.name.empty()) why = "has no " + std::string(kind) + " name";
  if (split.name.find('/') != std::string::npos) why = "contains '/'";
  if (why.empty() && at != std::string_view::npos) split.selector = text.substr(at + 1);
  if (why.empty()) return split;
  return Fail(ErrorCode::kInvalidArgument, std::string(kind) + " reference '" + std::string(text) +
                                               "' " + why + "; write " + std::string(forms));
}

// A version number from 1, or nullopt.
std::optional<int64_t> VersionNumber(std::string_view text) {
  int64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || number < 1) {
    return std::nullopt;
  }
  return number;
}

}  // namespace

Result<DatasetRef> ParseDatasetRef(std::string_view text) {
  constexpr std::string_view kForms =
      "NAME, NAME@latest or NAME@N (N a version number, e.g. credit@2)";
  AIMASS_ASSIGN_OR_RETURN(SplitRef split, Split(text, "dataset", kForms));
  DatasetRef ref;
  ref.name = std::move(split.name);
  if (!split.selector) return ref;
  ref.names_version = true;
  std::string_view version = *split.selector;
  if (version == "latest") return ref;
  ref.version = VersionNumber(version);
  if (!ref.version) {
    return Fail(ErrorCode::kInvalidArgument,
                "dataset reference '" + std::string(text) + "' has an invalid version '" +
                    std::string(version) + "'; write " + std::string(kForms));
  }
  return ref;
}

Result<ModelRef> ParseModelRef(std::string_view text) {
  constexpr std::string_view kForms =
      "NAME, NAME@N (a version number), NAME@latest or NAME@ALIAS (e.g. credit_risk@champion)";
  AIMASS_ASSIGN_OR_RETURN(SplitRef split, Split(text, "model", kForms));
  ModelRef ref;
  ref.name = std::move(split.name);
  if (!split.selector) return ref;
  std::string_view selector = *split.selector;
  bool numeric = !selector.empty() &&
                 (std::isdigit(static_cast<unsigned char>(selector[0])) || selector[0] == '-');
  if (selector.empty() || selector.find('@') != std::string_view::npos ||
      (numeric && !VersionNumber(selector))) {
    return Fail(ErrorCode::kInvalidArgument,
                "model reference '" + std::string(text) + "' has an invalid version '" +
                    std::string(selector) + "'; write " + std::string(kForms));
  }
  ref.selector = std::string(selector);
  return ref;
}

}  // namespace aimass::cli
