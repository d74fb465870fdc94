// A file on its way into a model version: registration moves it into the blob store.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace aimass::registry {

// One member to register: its name in the version and the file holding its bytes, which
// registration consumes (moves into the blob store, or removes when it fails).
struct MemberFile {
  std::string name;
  std::filesystem::path file;
};

// Removes the files that are still there (registration consumed the others).
void RemoveMemberFiles(const std::vector<MemberFile>& files);

}  // namespace aimass::registry
