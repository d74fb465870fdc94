#include "console/console_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace aimass::console {
namespace {
namespace fs = std::filesystem;

class ConsoleFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("aimass-console-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "ui" / "assets");
    Write(root_ / "ui" / "index.html", "<html>console</html>");
    Write(root_ / "ui" / "assets" / "index-abc.js", "console.log(1)");
    Write(root_ / "ui" / "assets" / "index-abc.js.gz", "GZ");
    Write(root_ / "secret.txt", "outside");
    ServeConsole(router_, root_ / "ui");
  }
  void TearDown() override { fs::remove_all(root_); }

  static void Write(const fs::path& file, const std::string& text) {
    std::ofstream(file, std::ios::binary) << text;
  }

  http::Response Get(const std::string& raw_path, const std::string& accept_encoding = "") {
    auto match = router_.Find("GET", raw_path);
    EXPECT_TRUE(match.has_value()) << raw_path;
    if (!match) return match.error();
    http::Request request;
    request.method = "GET";
    request.params = match->params;
    if (!accept_encoding.empty()) request.headers.emplace_back("Accept-Encoding", accept_encoding);
    return match->route->handler(request);
  }

  static std::string HeaderOf(const http::Response& response, const std::string& name) {
    for (const auto& [key, value] : response.headers) {
      if (key == name) return value;
    }
    return "";
  }

  fs::path root_;
  http::Router router_;
};

TEST_F(ConsoleFilesTest, PagesOfTheConsoleGetIndexHtml) {
  for (const char* path : {"/", "/datasets", "/models/credit/versions/3"}) {
    auto response = Get(path);
    EXPECT_EQ(response.status, 200) << path;
    EXPECT_EQ(response.body, "<html>console</html>") << path;
    EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(HeaderOf(response, "Cache-Control"), "no-cache");
    EXPECT_NE(HeaderOf(response, "Content-Security-Policy").find("script-src 'self'"),
              std::string::npos);
  }
}

TEST_F(ConsoleFilesTest, AssetsAreCachedAndSentGzippedToWhoeverAcceptsIt) {
  auto plain = Get("/assets/index-abc.js");
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(plain.body, "console.log(1)");
  EXPECT_EQ(plain.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(HeaderOf(plain, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(HeaderOf(plain, "Content-Encoding"), "");
  auto zipped = Get("/assets/index-abc.js", "gzip, deflate, br");
  EXPECT_EQ(zipped.body, "GZ");
  EXPECT_EQ(HeaderOf(zipped, "Content-Encoding"), "gzip");
  EXPECT_EQ(HeaderOf(zipped, "Vary"), "Accept-Encoding");
}

TEST_F(ConsoleFilesTest, MissingAssetsAndEscapesAre404) {
  EXPECT_EQ(Get("/assets/gone.js").status, 404);
  EXPECT_EQ(Get("/favicon.ico").status, 404);
  EXPECT_EQ(Get("/../secret.txt").status, 404);
  EXPECT_EQ(Get("/assets/..%2F..%2Fsecret.txt").status, 404);
  EXPECT_EQ(Get("/.hidden").status, 404);
  fs::create_symlink(root_ / "secret.txt", root_ / "ui" / "assets" / "link.txt");
  EXPECT_EQ(Get("/assets/link.txt").status, 404);
}

TEST_F(ConsoleFilesTest, WithoutABuiltConsoleItSaysHowToBuildIt) {
  fs::remove(root_ / "ui" / "index.html");
  auto response = Get("/");
  EXPECT_EQ(response.status, 200);
  EXPECT_NE(response.body.find("scripts/build"), std::string::npos);
}

}  // namespace
}  // namespace aimass::console
