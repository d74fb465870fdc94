// Model bundles: one file holding a model version, for moving it between registries
// (`aimass models export` / `import`). A POSIX ustar archive: manifest.json first (see
// manifest.h), then each member under its own name, so `tar tf` lists them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "registry/manifest.h"
#include "registry/member_file.h"
#include "registry/tar.h"
#include "store/records.h"

namespace aimass::registry {

struct BundleLimits {
  uint64_t max_member_bytes = 64ull << 30;  // per member
  uint64_t max_manifest_bytes = 16ull << 20;
  size_t max_members = 10000;
};

// What writing one version's bundle takes: its manifest and its members' files.
struct BundlePlan {
  std::string manifest;
  std::vector<std::pair<store::ModelMemberRecord, std::filesystem::path>> members;
  int64_t mtime_seconds = 0;
  uint64_t size = 0;  // the archive's size in bytes
};

// The size in bytes of `version`'s bundle (known before it is written).
uint64_t BundleSize(const store::ModelVersionRecord& version);
// `member_files[i]` holds `version.members[i]`'s bytes (an opened blob).
BundlePlan PlanBundle(const store::ModelVersionRecord& version,
                      const std::vector<std::filesystem::path>& member_files);
// Writes the archive; kCancelled when the sink stops taking bytes.
Status WriteBundle(const BundlePlan& plan, const tar::Sink& sink);

// A bundle that passed every check, its members unpacked into files that are removed with
// it unless registration took them first. Movable, not copyable.
struct UnpackedBundle {
  Manifest manifest;
  std::vector<MemberFile> files;  // in the manifest's order

  UnpackedBundle() = default;
  UnpackedBundle(UnpackedBundle&&) = default;
  UnpackedBundle& operator=(UnpackedBundle&&) = default;
  ~UnpackedBundle() { RemoveMemberFiles(files); }
};

// Reads a bundle file and checks everything before anything is registered: the tar
// structure (truncation, header checksums), entry types (regular files only), names (no
// absolute paths, no '..'), the limits, the manifest, and every member against it (listed,
// present exactly once, size, SHA-256). Each error names the member and the problem.
// Members are unpacked into files from `new_file`; on error none is left.
Result<UnpackedBundle> UnpackBundle(const std::filesystem::path& bundle, const BundleLimits& limits,
                                    const std::function<std::filesystem::path()>& new_file);

}  // namespace aimass::registry
