// A folder under the system's temp directory, removed with everything in it when the
// TempDir goes away. For the source kinds' tests and their test servers.
#pragma once

#include <filesystem>
#include <random>
#include <string>
#include <string_view>

namespace aimass::data::sources {

class TempDir {
 public:
  explicit TempDir(std::string_view prefix)
      : path_(std::filesystem::temp_directory_path() /
              (std::string(prefix) + std::to_string(std::random_device{}()))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace aimass::data::sources
