// For tests that compare with Python's xgboost: run a script with /usr/bin/python3 in a temp
// folder, and read and write the float32 files such scripts trade in. Without xgboost or
// numpy in that Python the tests skip; with them, a failing script fails the test.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "common/files.h"

namespace aimass::python_scripts {

inline constexpr const char* kPython = "/usr/bin/python3";
inline constexpr const char* kMissing = "/usr/bin/python3 with xgboost and numpy is not installed";

// Writes `script` to dir/train.py and runs it with `dir` and then `args` as its arguments.
// True when it ran; false when Python lacks xgboost or numpy (the caller skips).
inline bool Run(const std::filesystem::path& dir, std::string_view script,
                const std::vector<std::string>& args = {}) {
  EXPECT_TRUE(WriteFileAtomically(dir / "train.py", std::string(script)));
  std::string command =
      std::string(kPython) + " " + (dir / "train.py").string() + " " + dir.string();
  for (const auto& arg : args) command += " " + arg;
  if (std::system(command.c_str()) == 0) return true;
  const std::string check = std::string(kPython) + " -c 'import xgboost, numpy' 2>/dev/null";
  EXPECT_NE(std::system(check.c_str()), 0) << command << " failed";
  return false;
}

inline std::string ReadBytes(const std::filesystem::path& file) {
  auto bytes = ReadFile(file);
  EXPECT_TRUE(bytes) << file;
  return bytes ? *bytes : "";
}

inline std::vector<float> ReadFloats(const std::filesystem::path& file) {
  const std::string bytes = ReadBytes(file);
  std::vector<float> values(bytes.size() / sizeof(float));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
  return values;
}

inline void WriteFloats(const std::filesystem::path& file, const std::vector<float>& values) {
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(values.data()),
            static_cast<std::streamsize>(values.size() * sizeof(float)));
  EXPECT_TRUE(out.good()) << file;
}

}  // namespace aimass::python_scripts
