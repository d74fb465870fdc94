#include "cli/config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

namespace aimass::cli {
namespace {

namespace fs = std::filesystem;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/aimass_cli_config_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    env_.home = (dir_ / "home").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  static unsigned Mode(const fs::path& path) {
    struct stat st;
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_mode & 0777;
  }

  fs::path dir_;
  Environment env_;
};

TEST_F(ConfigTest, PathHonoursXdgThenHome) {
  EXPECT_EQ(*ConfigPath(env_), dir_ / "home/.config/aimass/config.json");
  env_.xdg_config_home = (dir_ / "xdg").string();
  EXPECT_EQ(*ConfigPath(env_), dir_ / "xdg/aimass/config.json");
  env_.xdg_config_home = "relative/xdg";  // invalid per the XDG spec: ignored
  EXPECT_EQ(*ConfigPath(env_), dir_ / "home/.config/aimass/config.json");
  EXPECT_FALSE(ConfigPath(Environment{}));
}

TEST_F(ConfigTest, SavesPrivatelyAndLoadsBack) {
  fs::path path = *ConfigPath(env_);
  ASSERT_TRUE(SaveConfig(path, {"http://127.0.0.1:8080", "s3cret", ""}));
  EXPECT_EQ(Mode(path), 0600u);
  EXPECT_EQ(Mode(path.parent_path()), 0700u);
  auto loaded = LoadConfig(path);
  ASSERT_TRUE(loaded && *loaded);
  EXPECT_EQ((*loaded)->server, "http://127.0.0.1:8080");
  EXPECT_EQ((*loaded)->token, "s3cret");

  // Replaces the file atomically.
  ASSERT_TRUE(SaveConfig(path, {"http://other:1", "t2", "/etc/ca.pem"}));
  EXPECT_EQ((*LoadConfig(path))->token, "t2");
  EXPECT_EQ((*LoadConfig(path))->ca_cert, "/etc/ca.pem");
  EXPECT_EQ(Mode(path), 0600u);
  int files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(path.parent_path())) ++files;
  EXPECT_EQ(files, 1);  // no temporary left behind
}

TEST_F(ConfigTest, MissingFileIsNotAnError) {
  auto loaded = LoadConfig(dir_ / "nope.json");
  ASSERT_TRUE(loaded);
  EXPECT_FALSE(*loaded);
}

TEST_F(ConfigTest, BrokenFileNamesItselfAndTheFix) {
  fs::path path = dir_ / "config.json";
  std::ofstream(path) << "{not json";
  auto loaded = LoadConfig(path);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message.find(path.string()), std::string::npos);
  EXPECT_NE(loaded.error().message.find("aimass login"), std::string::npos);
  std::ofstream(path) << R"({"server": 5})";
  EXPECT_FALSE(LoadConfig(path));
}

TEST_F(ConfigTest, FlagsBeatEnvironmentWhichBeatsTheFile) {
  ASSERT_TRUE(SaveConfig(*ConfigPath(env_), {"http://file:1", "file-token", "/file/ca.pem"}));
  auto resolved = ResolveCredentials(std::nullopt, std::nullopt, env_);
  ASSERT_TRUE(resolved);
  EXPECT_EQ(resolved->server, "http://file:1");
  EXPECT_EQ(resolved->token, "file-token");
  EXPECT_EQ(resolved->ca_cert, "/file/ca.pem");

  env_.url = "http://env:2";
  resolved = ResolveCredentials(std::nullopt, std::nullopt, env_);
  EXPECT_EQ(resolved->server, "http://env:2");
  EXPECT_EQ(resolved->token, "file-token");  // each setting resolves on its own
  EXPECT_EQ(resolved->ca_cert, "");  // the saved CA belongs to the saved server only
  env_.ca_cert = "/env/ca.pem";
  EXPECT_EQ(ResolveCredentials(std::nullopt, std::nullopt, env_)->ca_cert, "/env/ca.pem");
  EXPECT_EQ(ResolveCredentials(std::nullopt, std::nullopt, env_, std::string("/flag/ca.pem"))
                ->ca_cert,
            "/flag/ca.pem");

  env_.token = "env-token";
  resolved = ResolveCredentials(std::string("http://flag:3"), std::nullopt, env_);
  EXPECT_EQ(resolved->server, "http://flag:3");
  EXPECT_EQ(resolved->token, "env-token");

  resolved = ResolveCredentials(std::nullopt, std::string("flag-token"), env_);
  EXPECT_EQ(resolved->token, "flag-token");
}

TEST_F(ConfigTest, NotLoggedInSaysHowToLogIn) {
  auto resolved = ResolveCredentials(std::nullopt, std::nullopt, env_);
  ASSERT_FALSE(resolved);
  EXPECT_EQ(resolved.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(resolved.error().message,
            "not logged in: run `aimass login --server http://127.0.0.1:8080 --token <token>` or "
            "set AIMASS_URL and AIMASS_TOKEN");
  env_.url = "http://env:2";  // a server without a token is still not enough
  EXPECT_FALSE(ResolveCredentials(std::nullopt, std::nullopt, env_));
  // Flags and environment work without any home directory.
  EXPECT_TRUE(ResolveCredentials(std::nullopt, std::string("t"),
                                 Environment{"", "", "http://x:1", "", ""}));
}

}  // namespace
}  // namespace aimass::cli
