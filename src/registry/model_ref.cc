#include "registry/model_ref.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "data/dataset_ref.h"
#include "registry/tar.h"

namespace aimass::registry {
namespace {

constexpr size_t kMaxTagValueBytes = 5000;
constexpr std::string_view kRules =
    "use 1-128 letters, digits, '_', '-' or '.', starting with a letter or digit";

// The platform's one name rule (data::CheckDatasetName), with a message that names what
// is being named.
Status CheckNamed(std::string_view what, std::string_view text, std::string_view example) {
  if (data::CheckDatasetName(text)) return Ok();
  return Fail(ErrorCode::kInvalidArgument,
              std::string(what) + " '" + std::string(text.substr(0, 200)) + "' is not allowed: " +
                  std::string(kRules) + " (for example '" + std::string(example) + "')");
}

bool AllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](unsigned char c) { return std::isdigit(c) != 0; });
}

bool MemberChar(unsigned char c) {
  return std::isalnum(c) || c == '.' || c == '_' || c == '-' || c == '+';
}

std::unexpected<Error> BadMember(std::string_view name, std::string_view why) {
  return Fail(ErrorCode::kInvalidArgument,
              "member '" + std::string(name.substr(0, 300)) + "' " + std::string(why));
}

}  // namespace

std::string ModelRef::ToString() const {
  if (!alias.empty()) return name + "@" + alias;
  return version == 0 ? name : name + "@" + std::to_string(version);
}

Status CheckModelName(std::string_view name) {
  return CheckNamed("model name", name, "credit_risk");
}

Status CheckAlias(std::string_view alias) {
  AIMASS_RETURN_IF_ERROR(CheckNamed("alias", alias, "champion"));
  if (AllDigits(alias) || alias == "latest") {
    return Fail(ErrorCode::kInvalidArgument,
                "alias '" + std::string(alias) +
                    "' looks like a version; an alias is a name such as 'champion'");
  }
  return Ok();
}

Status CheckTagKey(std::string_view key) { return CheckNamed("tag key", key, "team"); }

Status CheckTagValue(std::string_view value) {
  if (value.size() <= kMaxTagValueBytes) return Ok();
  return Fail(ErrorCode::kInvalidArgument,
              "a tag value may hold at most 5000 bytes (this one has " +
                  std::to_string(value.size()) + ")");
}

Status CheckMetricName(std::string_view metric) {
  return CheckNamed("metric name", metric, "roc_auc");
}

Status CheckTask(std::string_view task) {
  constexpr std::array<std::string_view, 3> kTasks = {"binary", "multiclass", "regression"};
  if (std::find(kTasks.begin(), kTasks.end(), task) != kTasks.end()) return Ok();
  return Fail(ErrorCode::kInvalidArgument, "task '" + std::string(task.substr(0, 100)) +
                                               "' is not one of binary, multiclass, regression");
}

Status CheckMemberName(std::string_view name) {
  if (name.empty()) return Fail(ErrorCode::kInvalidArgument, "a member has an empty name");
  if (name.front() == '/') {
    return BadMember(name, "is an absolute path; members are relative paths like 'learners/0.ubj'");
  }
  size_t start = 0;
  while (start <= name.size()) {
    size_t slash = std::min(name.find('/', start), name.size());
    std::string_view part = name.substr(start, slash - start);
    if (part == "..") {
      return BadMember(name, "has a '..' component; members may not point outside the bundle");
    }
    if (part.empty() || part == ".") {
      return BadMember(name, "has an empty or '.' component; write it like 'learners/0.ubj'");
    }
    for (unsigned char c : part) {
      if (!MemberChar(c)) {
        return BadMember(name,
                         "holds a character other than letters, digits, '.', '_', '-', "
                         "'+' and '/'");
      }
    }
    start = slash + 1;
  }
  if (name.size() > 255 || !tar::SplitName(name)) {
    return BadMember(name,
                     "is too long: at most 255 bytes, with a '/' within the first 155 "
                     "when longer than 100");
  }
  if (name == "manifest.json") {
    return BadMember(name, "takes the name of the bundle's own manifest; rename the member");
  }
  return Ok();
}

Result<ModelRef> ModelRefOf(std::string_view name, std::string_view selector) {
  ModelRef ref;
  ref.name = std::string(name);
  AIMASS_RETURN_IF_ERROR(CheckModelName(name));
  if (selector.empty() || selector == "latest") return ref;
  if (AllDigits(selector) || selector.front() == '-' || selector.front() == '+') {
    auto version = data::ParseVersion(selector);
    if (!version) {
      return Fail(ErrorCode::kInvalidArgument,
                  "'" + std::string(selector.substr(0, 100)) +
                      "' is not a model version: use a number from 1, 'latest' or an alias");
    }
    ref.version = *version;
    return ref;
  }
  AIMASS_RETURN_IF_ERROR(CheckAlias(selector));
  ref.alias = std::string(selector);
  return ref;
}

Result<ModelRef> ParseModelRef(std::string_view text) {
  size_t at = text.find('@');
  if (at == std::string_view::npos) return ModelRefOf(text, "");
  std::string_view selector = text.substr(at + 1);
  if (selector.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "'" + std::string(text.substr(0, 200)) +
                    "' ends in '@'; write NAME@N, NAME@latest or NAME@alias");
  }
  return ModelRefOf(text.substr(0, at), selector);
}

}  // namespace aimass::registry
