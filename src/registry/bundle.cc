#include "registry/bundle.h"

#include <cstdio>
#include <map>
#include <memory>
#include <optional>

#include "common/hash.h"
#include "registry/model_ref.h"

namespace aimass::registry {
namespace fs = std::filesystem;

namespace {

std::unexpected<Error> Refuse(const std::string& why) {
  return Fail(ErrorCode::kInvalidArgument, "the bundle is refused: " + why);
}

std::string Bytes(uint64_t n) { return std::to_string(n) + (n == 1 ? " byte" : " bytes"); }

// A member's data, unpacked and hashed.
struct Unpacked {
  fs::path file;
  uint64_t size = 0;
  std::string sha256;
};

Result<std::string> ReadManifest(tar::Reader& reader, const tar::Entry& entry,
                                 const BundleLimits& limits) {
  if (entry.size > limits.max_manifest_bytes) {
    return Refuse("manifest.json is " + Bytes(entry.size) + ", over the limit of " +
                  Bytes(limits.max_manifest_bytes));
  }
  std::string text;
  AIMASS_RETURN_IF_ERROR(reader.ReadData([&](std::string_view chunk) -> Status {
    text.append(chunk);
    return Ok();
  }));
  return text;
}

Result<Unpacked> UnpackMember(tar::Reader& reader, const tar::Entry& entry, const fs::path& file) {
  std::unique_ptr<FILE, int (*)(FILE*)> out(std::fopen(file.c_str(), "wb"), &std::fclose);
  if (!out) return Fail(ErrorCode::kInternal, "cannot create " + file.string());
  Sha256 digest;
  AIMASS_RETURN_IF_ERROR(reader.ReadData([&](std::string_view chunk) -> Status {
    digest.Update(chunk);
    if (std::fwrite(chunk.data(), 1, chunk.size(), out.get()) != chunk.size()) {
      return Fail(ErrorCode::kInternal, "cannot write " + file.string() + " (is the disk full?)");
    }
    return Ok();
  }));
  if (std::fclose(out.release()) != 0) {
    return Fail(ErrorCode::kInternal, "cannot write " + file.string() + " (is the disk full?)");
  }
  return Unpacked{file, entry.size, digest.FinishHex()};
}

bool Lists(const Manifest& manifest, const std::string& name) {
  for (const auto& member : manifest.members) {
    if (member.name == name) return true;
  }
  return false;
}

std::unexpected<Error> NotListed(const std::string& name) {
  return Refuse("archive member '" + name + "' is not listed in manifest.json");
}

// Every member against the manifest, once the whole archive is read.
Status Reconcile(const Manifest& manifest, const std::map<std::string, Unpacked>& found) {
  for (const auto& [name, unpacked] : found) {
    if (!Lists(manifest, name)) return NotListed(name);
  }
  for (const auto& member : manifest.members) {
    auto it = found.find(member.name);
    if (it == found.end()) {
      return Refuse("member '" + member.name +
                    "' is listed in manifest.json but missing from the archive");
    }
    if (it->second.size != member.size) {
      return Refuse("member '" + member.name + "' holds " + Bytes(it->second.size) +
                    " but manifest.json says " + Bytes(member.size));
    }
    if (it->second.sha256 != member.sha256) {
      return Refuse("member '" + member.name + "' does not match its SHA-256 in manifest.json (" +
                    it->second.sha256 + " instead of " + member.sha256 +
                    "); the file was damaged or altered");
    }
  }
  return Ok();
}

}  // namespace

namespace {

uint64_t ArchiveSize(const store::ModelVersionRecord& version, const std::string& manifest) {
  std::vector<uint64_t> sizes = {manifest.size()};
  for (const auto& member : version.members) {
    sizes.push_back(static_cast<uint64_t>(member.size_bytes));
  }
  return tar::ArchiveSize(sizes);
}

}  // namespace

uint64_t BundleSize(const store::ModelVersionRecord& version) {
  return ArchiveSize(version, ManifestJson(version));
}

BundlePlan PlanBundle(const store::ModelVersionRecord& version,
                      const std::vector<fs::path>& member_files) {
  BundlePlan plan;
  plan.manifest = ManifestJson(version);
  plan.mtime_seconds = version.created_at / 1000;
  for (size_t i = 0; i < version.members.size() && i < member_files.size(); ++i) {
    plan.members.emplace_back(version.members[i], member_files[i]);
  }
  plan.size = ArchiveSize(version, plan.manifest);
  return plan;
}

Status WriteBundle(const BundlePlan& plan, const tar::Sink& sink) {
  tar::Writer writer(sink, plan.mtime_seconds);
  AIMASS_RETURN_IF_ERROR(writer.AddBytes(kManifestName, plan.manifest));
  for (const auto& [member, file] : plan.members) {
    AIMASS_RETURN_IF_ERROR(
        writer.AddFile(member.name, file, static_cast<uint64_t>(member.size_bytes)));
  }
  return writer.Finish();
}

Result<UnpackedBundle> UnpackBundle(const fs::path& bundle, const BundleLimits& limits,
                                    const std::function<fs::path()>& new_file) {
  AIMASS_ASSIGN_OR_RETURN(auto reader, tar::Reader::Open(bundle));
  std::optional<Manifest> manifest;
  std::map<std::string, Unpacked> found;
  // Whatever is unpacked goes again unless the bundle passes every check.
  UnpackedBundle result;
  auto keep = [&](const std::string& name, const fs::path& file) {
    result.files.push_back({name, file});
  };
  size_t entries = 0;
  while (true) {
    AIMASS_ASSIGN_OR_RETURN(std::optional<tar::Entry> entry, reader->Next());
    if (!entry) break;
    if (++entries > limits.max_members + 1) {
      return Refuse("it holds more than " + std::to_string(limits.max_members) + " members");
    }
    if (!tar::IsRegularFile(entry->typeflag)) {
      return Refuse("archive member '" + entry->name + "' is " + tar::TypeName(entry->typeflag) +
                    "; a bundle holds regular files only");
    }
    if (entry->name == kManifestName) {
      if (manifest) return Refuse("manifest.json appears twice in the archive");
      AIMASS_ASSIGN_OR_RETURN(std::string text, ReadManifest(*reader, *entry, limits));
      AIMASS_ASSIGN_OR_RETURN(manifest, ParseManifest(text));
      continue;
    }
    if (auto named = CheckMemberName(entry->name); !named) {
      return Refuse(named.error().message);
    }
    if (found.contains(entry->name)) {
      return Refuse("member '" + entry->name + "' appears twice in the archive");
    }
    // With the manifest first (as export writes it), a stranger is refused before its
    // bytes are copied.
    if (manifest && !Lists(*manifest, entry->name)) return NotListed(entry->name);
    if (entry->size > limits.max_member_bytes) {
      return Refuse("member '" + entry->name + "' is " + Bytes(entry->size) +
                    ", over the limit of " + Bytes(limits.max_member_bytes) +
                    " per member (--max-bundle-member-bytes)");
    }
    fs::path file = new_file();
    keep(entry->name, file);
    AIMASS_ASSIGN_OR_RETURN(found[entry->name], UnpackMember(*reader, *entry, file));
  }
  if (!manifest) {
    return Refuse("it has no manifest.json; is it an aimass model bundle (aimass models export)?");
  }
  AIMASS_RETURN_IF_ERROR(Reconcile(*manifest, found));
  // In the manifest's order, which is the order members are registered in.
  std::vector<MemberFile> ordered;
  for (const auto& member : manifest->members) {
    ordered.push_back({member.name, found.at(member.name).file});
  }
  result.files = std::move(ordered);
  result.manifest = std::move(*manifest);
  return result;
}

}  // namespace aimass::registry
