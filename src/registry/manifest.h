// manifest.json, the first file of a model bundle: the format, the model and version it
// was exported from, the version's metadata, and each member's name, size and SHA-256.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/metadata_store.h"

namespace aimass::registry {

inline constexpr std::string_view kManifestName = "manifest.json";
inline constexpr std::string_view kBundleFormat = "aimass-model-bundle";
inline constexpr int kBundleFormatVersion = 1;

struct ManifestMember {
  std::string name;
  uint64_t size = 0;
  std::string sha256;
};

struct Manifest {
  std::string model;    // the model it was exported from
  int64_t version = 0;  // and its version there
  std::string created_at;
  store::NewModelVersion metadata;  // task, description, metrics, ...; no members
  std::vector<ManifestMember> members;
};

// The manifest of a stored version (pretty-printed JSON).
std::string ManifestJson(const store::ModelVersionRecord& version);
// Parses and checks a manifest: format and version, types of every field, member names
// (model_ref.h's rules), sizes and hashes, no member listed twice. Errors name the field.
Result<Manifest> ParseManifest(std::string_view text);

}  // namespace aimass::registry
