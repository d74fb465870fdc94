// SourceKinds: the registry of source kinds (source.h).
#include <utility>

#include "data/sources/source.h"

namespace aimass::data::sources {

Status SourceKinds::Add(std::string kind, SourceFactory factory, SourceConfigCheck check,
                        SourceAccess access) {
  if (kinds_.contains(kind)) {
    return Fail(ErrorCode::kConflict, "source kind '" + kind + "' is registered twice");
  }
  kinds_.emplace(std::move(kind), Kind{std::move(factory), std::move(check), access});
  return Ok();
}

bool SourceKinds::Has(std::string_view kind) const { return kinds_.find(kind) != kinds_.end(); }

std::vector<std::string> SourceKinds::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, kind] : kinds_) names.push_back(name);
  return names;
}

Result<const SourceKinds::Kind*> SourceKinds::Find(std::string_view kind) const {
  auto it = kinds_.find(kind);
  if (it != kinds_.end()) return &it->second;
  std::string known;
  for (const auto& [name, unused] : kinds_) known += (known.empty() ? "" : ", ") + name;
  return Fail(ErrorCode::kInvalidArgument,
              "unknown source kind '" + std::string(kind) + "'; use one of: " + known);
}

Result<SourceAccess> SourceKinds::Access(std::string_view kind) const {
  AIMASS_ASSIGN_OR_RETURN(const Kind* found, Find(kind));
  return found->access;
}

Status SourceKinds::Check(const SourceConfig& config) const {
  AIMASS_ASSIGN_OR_RETURN(const Kind* found, Find(config.kind));
  if (!config.settings.is_object()) {
    return Fail(ErrorCode::kInvalidArgument,
                "a source's config must be a JSON object, like {\"path\": \"/srv/inbox\"}");
  }
  return found->check ? found->check(config) : Ok();
}

Result<std::unique_ptr<Source>> SourceKinds::Create(const SourceConfig& config) const {
  AIMASS_ASSIGN_OR_RETURN(const Kind* found, Find(config.kind));
  return found->factory(config);
}

}  // namespace aimass::data::sources
