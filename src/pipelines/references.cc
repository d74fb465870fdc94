#include "pipelines/references.h"

#include <cctype>

namespace aimass::pipelines {
namespace {

constexpr std::string_view kOpen = "${{";
constexpr std::string_view kClose = "}}";

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::vector<std::string_view> Parts(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t dot = text.find('.', start);
    parts.push_back(text.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

Result<Reference> ParseInside(std::string_view inside, Reference reference) {
  const std::vector<std::string_view> parts = Parts(Trim(inside));
  if (parts.size() == 4 && parts[0] == "steps" && parts[2] == "outputs" && !parts[1].empty() &&
      !parts[3].empty()) {
    reference.kind = Reference::Kind::kStepOutput;
    reference.step = std::string(parts[1]);
    reference.output = std::string(parts[3]);
    return reference;
  }
  if (parts.size() == 2 && parts[0] == "trigger" && parts[1] == "dataset") {
    reference.kind = Reference::Kind::kTriggerDataset;
    return reference;
  }
  if (parts.size() == 2 && parts[0] == "run" && parts[1] == "id") {
    reference.kind = Reference::Kind::kRunId;
    return reference;
  }
  if (parts.size() == 2 && parts[0] == "pipeline" && parts[1] == "name") {
    reference.kind = Reference::Kind::kPipelineName;
    return reference;
  }
  return Fail(ErrorCode::kInvalidArgument,
              "'" + reference.text +
                  "' is not a reference aimass knows; write ${{ steps.STEP.outputs.OUTPUT }}, "
                  "${{ trigger.dataset }}, ${{ run.id }} or ${{ pipeline.name }}");
}

std::string AsText(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

}  // namespace

Result<std::vector<Reference>> FindReferences(std::string_view text) {
  std::vector<Reference> references;
  size_t at = 0;
  while ((at = text.find(kOpen, at)) != std::string_view::npos) {
    size_t close = text.find(kClose, at + kOpen.size());
    if (close == std::string_view::npos) {
      return Fail(ErrorCode::kInvalidArgument,
                  "'" + std::string(text.substr(at, 60)) +
                      "' opens a reference with ${{ but never closes it with }}");
    }
    Reference reference;
    reference.begin = at;
    reference.end = close + kClose.size();
    reference.text = std::string(text.substr(at, reference.end - at));
    AIMASS_ASSIGN_OR_RETURN(reference,
                            ParseInside(text.substr(at + kOpen.size(), close - at - kOpen.size()),
                                        std::move(reference)));
    at = reference.end;
    references.push_back(std::move(reference));
  }
  return references;
}

Result<nlohmann::json> ResolveReferences(const nlohmann::json& value,
                                         const ReferenceLookup& lookup) {
  if (value.is_object()) {
    nlohmann::json resolved = nlohmann::json::object();
    for (const auto& [key, item] : value.items()) {
      AIMASS_ASSIGN_OR_RETURN(resolved[key], ResolveReferences(item, lookup));
    }
    return resolved;
  }
  if (value.is_array()) {
    nlohmann::json resolved = nlohmann::json::array();
    for (const auto& item : value) {
      AIMASS_ASSIGN_OR_RETURN(nlohmann::json one, ResolveReferences(item, lookup));
      resolved.push_back(std::move(one));
    }
    return resolved;
  }
  if (!value.is_string()) return value;
  const std::string& text = value.get_ref<const std::string&>();
  AIMASS_ASSIGN_OR_RETURN(const std::vector<Reference> references, FindReferences(text));
  if (references.empty()) return value;
  if (references.size() == 1 && references[0].begin == 0 && references[0].end == text.size()) {
    return lookup(references[0]);
  }
  std::string out;
  size_t copied = 0;
  for (const Reference& reference : references) {
    out.append(text, copied, reference.begin - copied);
    AIMASS_ASSIGN_OR_RETURN(const nlohmann::json resolved, lookup(reference));
    out += AsText(resolved);
    copied = reference.end;
  }
  out.append(text, copied);
  return nlohmann::json(out);
}

bool HasReferences(const nlohmann::json& value) {
  if (value.is_object() || value.is_array()) {
    for (const auto& item : value) {
      if (HasReferences(item)) return true;
    }
    return false;
  }
  return value.is_string() && value.get_ref<const std::string&>().find(kOpen) != std::string::npos;
}

}  // namespace aimass::pipelines
