// The client verbs end to end: parsed like main() parses them, run against a fake server.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "cli/client_commands.h"
#include "cli/fake_server.h"

namespace aimass::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testutil::ErrorReply;
using testutil::FakeReply;
using testutil::FakeRequest;
using testutil::FakeServer;

struct RunResult {
  int code = -1;
  std::string out;
  std::string err;
};

const char* kVersion2 =
    R"({"dataset":"credit","version":2,"ref":"credit@2","hash":"ab12","row_count":3,)"
    R"("column_count":2,"size_bytes":2048,"created_at":"2026-11-26T23:20:00.123Z","job_id":7,)"
    R"("source":{"kind":"upload","filename":"credit.csv","format":"csv"},"lineage":null})";

std::string Job(const std::string& state, const std::string& extra = "") {
  return R"({"id":7,"kind":"dataset.import","state":")" + state + R"(","progress":)" +
         (state == "succeeded" ? "100" : "40") + R"(,"message":"parsing")" + extra + "}";
}

FakeReply Events(const std::vector<std::string>& jobs) {
  std::string body;
  for (const auto& job : jobs) body += "event: job\ndata: " + job + "\n\n";
  return FakeReply{200, "text/event-stream", body, /*chunked=*/true};
}

class CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/aimass_cli_commands_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    env_.home = (dir_ / "home").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Points the environment at `server` as AIMASS_URL / AIMASS_TOKEN.
  void UseServer(const FakeServer& server) {
    env_.url = server.url();
    env_.token = "tok";
  }

  RunResult Run(std::vector<std::string> args, const std::string& stdin_text = "",
                bool stdin_is_terminal = false) {
    std::istringstream in(stdin_text);
    std::ostringstream out, err;
    ClientCommands commands(env_, Terminal{&in, &out, &err, stdin_is_terminal, false},
                            WaitOptions{std::chrono::milliseconds(300), [](auto) {}, {}});
    CLI::App app("aimass");
    commands.Register(app);
    std::vector<const char*> argv = {"aimass"};
    for (const auto& arg : args) argv.push_back(arg.c_str());
    RunResult result;
    try {
      app.parse(static_cast<int>(argv.size()), argv.data());
      result.code = commands.Selected() ? commands.Run() : -1;
    } catch (const CLI::ParseError& e) {
      result.code = ExitForParseError(app, e);
    }
    result.out = out.str();
    result.err = err.str();
    return result;
  }

  fs::path dir_;
  Environment env_;
};

TEST_F(CommandsTest, LoginChecksTheTokenAndSavesIt) {
  FakeServer server([](const FakeRequest& r) {
    if (r.headers.at("authorization") != "Bearer good") {
      return ErrorReply(401, "unauthenticated", "the token is not valid");
    }
    if (r.target == "/api/v1/whoami")
      return FakeReply{200, "application/json", R"({"user":"admin","is_admin":true})"};
    return FakeReply{200, "application/json", R"({"datasets":[]})"};
  });
  auto bad = Run({"login", "--server", server.url(), "--token", "bad"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_EQ(bad.err, "error: the token is not valid\n");
  fs::path config = dir_ / "home/.config/aimass/config.json";
  EXPECT_FALSE(fs::exists(config));

  auto good = Run({"login", "--server", server.url() + "/", "--token", "good"});
  ASSERT_EQ(good.code, 0) << good.err;
  EXPECT_EQ(good.out, "logged in to " + server.url() + " as admin (admin); saved to " +
                          config.string() + "\n");
  struct stat st;
  ASSERT_EQ(::stat(config.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  json saved = json::parse(std::ifstream(config));
  EXPECT_EQ(saved["server"], server.url());
  EXPECT_EQ(saved["token"], "good");

  auto list = Run({"data", "list"});  // later commands use the saved login
  EXPECT_EQ(list.code, 0) << list.err;
  EXPECT_NE(list.out.find("no datasets yet"), std::string::npos);
}

TEST_F(CommandsTest, NotLoggedInAndServerDownSayWhatToDo) {
  auto none = Run({"jobs", "list"});
  EXPECT_EQ(none.code, 1);
  EXPECT_EQ(none.err, std::string("error: ") + kNotLoggedInMessage + "\n");

  uint16_t port;
  {
    FakeServer gone([](const FakeRequest&) { return FakeReply{}; });
    port = gone.port();
  }
  auto down =
      Run({"data", "list", "--server", "http://127.0.0.1:" + std::to_string(port), "--token", "t"});
  EXPECT_EQ(down.code, 1);
  EXPECT_NE(down.err.find("cannot connect to http://127.0.0.1:" + std::to_string(port)),
            std::string::npos);
  EXPECT_NE(down.err.find("aimass serve"), std::string::npos) << down.err;
}

TEST_F(CommandsTest, UsageErrorsExitTwo) {
  env_.url = "http://127.0.0.1:1";
  env_.token = "t";
  EXPECT_EQ(Run({"data", "show", "credit@x"}).code, 2);
  EXPECT_EQ(Run({"data", "import", (dir_ / "missing.csv").string(), "--name", "a"}).code, 2);
  EXPECT_EQ(Run({"jobs", "watch", "abc"}).code, 2);
  EXPECT_EQ(Run({"jobs", "list", "--state", "sleeping"}).code, 2);
  EXPECT_EQ(Run({"data", "export", "credit", "-o", (dir_ / "out.dat").string()}).code, 2);
  auto no_confirm = Run({"data", "delete", "credit"});
  EXPECT_EQ(no_confirm.code, 2);
  EXPECT_NE(no_confirm.err.find("pass --yes"), std::string::npos);
  EXPECT_EQ(Run({"data"}).code, 2);  // a group without a verb
}

TEST_F(CommandsTest, DataListShowsATableOrTheRawJson) {
  std::string answer = R"({"datasets":[{"name":"credit","created_at":"2026-11-26T23:20:00.000Z",)"
                       R"("version_count":2,"latest":)" +
                       std::string(kVersion2) + "}]}";
  FakeServer server([&](const FakeRequest&) { return FakeReply{200, "application/json", answer}; });
  UseServer(server);
  auto table = Run({"data", "list"});
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_EQ(table.out,
            "NAME    VERSIONS  LATEST    ROWS  COLUMNS  SIZE     CREATED\n"
            "credit         2  credit@2     3        2  2.0 KiB  2026-11-26T23:20:00.000Z\n");
  // Global flags work after the verb too.
  env_ = Environment{env_.home, "", "", "", ""};
  auto raw = Run({"data", "list", "--json", "--server", server.url(), "--token", "tok"});
  ASSERT_EQ(raw.code, 0) << raw.err;
  EXPECT_EQ(json::parse(raw.out), json::parse(answer));
}

TEST_F(CommandsTest, DataImportStreamsTheFileThenFollowsTheJob) {
  fs::path file = dir_ / "credit.csv";
  std::ofstream(file) << "Age;Home\n30;owner\n41;rent\n52;owner\n";
  FakeServer server([](const FakeRequest& r) {
    if (r.method == "POST")
      return FakeReply{202, "application/json", "{\"job\":" + Job("queued") + "}"};
    return Events({Job("running"), Job("succeeded", ",\"result\":" + std::string(kVersion2))});
  });
  UseServer(server);
  // --type takes one value each time (or a comma list), so the file may follow it.
  auto result =
      Run({"data", "import", "--name", "credit", "--format", "csv", "--type", "Age:BIGINT",
           "--type", "Home:VARCHAR", file.string(), "--delimiter", ";", "--no-header"});
  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out, "credit@2: 3 rows, 2 columns\n");
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].target,
            "/api/v1/datasets?name=credit&filename=credit.csv&format=csv"
            "&types=Age%3ABIGINT%2CHome%3AVARCHAR&delimiter=%3B&header=false");
  EXPECT_EQ(requests[0].body, "Age;Home\n30;owner\n41;rent\n52;owner\n");
  EXPECT_EQ(requests[1].target, "/api/v1/jobs/7/events");
  EXPECT_NE(result.err.find("uploading credit.csv"), std::string::npos);  // upload progress
  EXPECT_NE(result.err.find("100%  succeeded"), std::string::npos);       // job progress
}

TEST_F(CommandsTest, FailedJobExitsOneWithItsError) {
  fs::path file = dir_ / "bad.csv";
  std::ofstream(file) << "age\nabc\n";
  FakeServer server([](const FakeRequest& r) {
    if (r.method == "POST")
      return FakeReply{202, "application/json", "{\"job\":" + Job("queued") + "}"};
    return Events({Job("failed", R"(,"error":"column 'age' in row 1: 'abc' is not a number")")});
  });
  UseServer(server);
  auto result = Run({"data", "import", file.string(), "--name", "bad"});
  EXPECT_EQ(result.code, 1);
  EXPECT_NE(result.err.find("error: job 7 failed: column 'age' in row 1: 'abc' is not a number\n"),
            std::string::npos)
      << result.err;

  auto no_wait = Run({"data", "import", file.string(), "--name", "bad", "--no-wait"});
  EXPECT_EQ(no_wait.code, 0);
  EXPECT_EQ(no_wait.out, "job 7 queued; follow it with `aimass jobs watch 7`\n");
}

TEST_F(CommandsTest, UploadRefusedByTheServerShowsItsMessage) {
  fs::path file = dir_ / "big.csv";
  std::ofstream(file) << std::string(100000, 'x');
  FakeServer server([](const FakeRequest&) {
    return ErrorReply(413, "payload_too_large",
                      "the upload is larger than --max-upload-bytes (50000)");
  });
  UseServer(server);
  auto result = Run({"data", "import", file.string(), "--name", "big"});
  EXPECT_EQ(result.code, 1);
  EXPECT_NE(result.err.find("error: the upload is larger than --max-upload-bytes (50000)\n"),
            std::string::npos);
}

TEST_F(CommandsTest, ExportWritesTheFileOnlyWhenComplete) {
  FakeServer server([](const FakeRequest& r) {
    if (r.target.find("/credit/") != std::string::npos) {
      return FakeReply{200, "text/csv", "Age,Home\n30,owner\n"};
    }
    return ErrorReply(404, "not_found", "dataset 'nope' does not exist");
  });
  UseServer(server);
  fs::path out = dir_ / "out.csv";
  auto ok = Run({"data", "export", "credit@2", "-o", out.string()});
  ASSERT_EQ(ok.code, 0) << ok.err;
  EXPECT_EQ(server.requests().at(0).target, "/api/v1/datasets/credit/versions/2/export?format=csv");
  std::stringstream contents;
  contents << std::ifstream(out).rdbuf();
  EXPECT_EQ(contents.str(), "Age,Home\n30,owner\n");
  EXPECT_EQ(ok.out, "wrote " + out.string() + " (csv, 18 B)\n");

  fs::path missing = dir_ / "missing.parquet";
  auto failed = Run({"data", "export", "nope", "-o", missing.string()});
  EXPECT_EQ(failed.code, 1);
  EXPECT_EQ(failed.err, "error: dataset 'nope' does not exist\n");
  EXPECT_EQ(server.requests().back().target,
            "/api/v1/datasets/nope/versions/latest/export?format=parquet");
  int files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir_)) ++files;
  EXPECT_EQ(files, 1);  // out.csv only: no partial file, no temporary
}

TEST_F(CommandsTest, DeleteLatestPinsTheVersionAndAsksFirst) {
  FakeServer server([](const FakeRequest& r) {
    if (r.method == "GET")
      return FakeReply{200, "application/json", R"({"version":3,"ref":"credit@3"})"};
    return FakeReply{204, "application/json", ""};
  });
  UseServer(server);
  auto declined = Run({"data", "delete", "credit@latest"}, "n\n", /*stdin_is_terminal=*/true);
  EXPECT_EQ(declined.code, 1);
  EXPECT_NE(declined.err.find("delete version credit@3? [y/N]"), std::string::npos);
  EXPECT_EQ(server.requests().back().method, "GET");

  auto confirmed = Run({"data", "delete", "credit@latest"}, "y\n", /*stdin_is_terminal=*/true);
  ASSERT_EQ(confirmed.code, 0) << confirmed.err;
  EXPECT_EQ(confirmed.out, "deleted version credit@3\n");
  EXPECT_EQ(server.requests().back().method, "DELETE");
  EXPECT_EQ(server.requests().back().target, "/api/v1/datasets/credit/versions/3");

  auto whole = Run({"data", "delete", "credit", "--yes"});
  ASSERT_EQ(whole.code, 0) << whole.err;
  EXPECT_EQ(whole.out, "deleted dataset 'credit' and all its versions\n");
  EXPECT_EQ(server.requests().back().target, "/api/v1/datasets/credit");
}

TEST_F(CommandsTest, TransformSendsTheSqlFromStdin) {
  FakeServer server([](const FakeRequest&) {
    return FakeReply{202, "application/json", R"({"job":{"id":9,"state":"queued"}})"};
  });
  UseServer(server);
  auto result = Run({"data", "transform", "credit@1", "--sql", "-", "--as", "adults", "--no-wait"},
                    "SELECT * FROM input WHERE Age > 30\n");
  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out, "job 9 queued; follow it with `aimass jobs watch 9`\n");
  auto request = server.requests().at(0);
  EXPECT_EQ(request.target, "/api/v1/transforms");
  EXPECT_EQ(json::parse(request.body), json({{"input", "credit@1"},
                                             {"sql", "SELECT * FROM input WHERE Age > 30\n"},
                                             {"output", "adults"}}));
  EXPECT_EQ(Run({"data", "transform", "credit", "--sql", "-"}, "  \n").code, 2);
}

TEST_F(CommandsTest, PreviewAndStatsPrintTables) {
  FakeServer server([](const FakeRequest& r) {
    if (r.target.find("/preview") != std::string::npos) {
      return FakeReply{
          200, "application/json",
          R"({"columns":[{"name":"Age","type":"BIGINT"},{"name":"Home","type":"VARCHAR"}],)"
          R"("rows":[[30,"owner"],[41,null]],"offset":0,"limit":2,"total_rows":4454})"};
    }
    return FakeReply{200, "application/json",
                     R"({"row_count":4454,"columns":[{"name":"Age","type":"BIGINT","nulls":0,)"
                     R"("distinct":50,"min":18,"max":68,"mean":37.123456789,"stddev":10.9},)"
                     R"({"name":"Home","type":"VARCHAR","nulls":6,"distinct":6,)"
                     R"("top":[{"value":"owner","count":2107},{"value":"rent","count":1900}]}]})"};
  });
  UseServer(server);
  auto preview = Run({"data", "preview", "credit@2", "--limit", "2"});
  ASSERT_EQ(preview.code, 0) << preview.err;
  EXPECT_EQ(server.requests().at(0).target,
            "/api/v1/datasets/credit/versions/2/preview?offset=0&limit=2");
  EXPECT_EQ(preview.out,
            "Age  Home\n"
            " 30  owner\n"
            " 41\n"
            "(rows 1–2 of 4454)\n");
  auto stats = Run({"data", "stats", "credit"});
  ASSERT_EQ(stats.code, 0) << stats.err;
  EXPECT_EQ(
      stats.out,
      "4454 rows\n"
      "COLUMN  TYPE     NULLS  DISTINCT  MIN  MAX     MEAN  STDDEV  TOP\n"
      "Age     BIGINT       0        50   18   68  37.1235    10.9\n"
      "Home    VARCHAR      6         6                             owner (2107), rent (1900)\n");
}

TEST_F(CommandsTest, JobsVerbs) {
  FakeServer server([](const FakeRequest& r) {
    if (r.target.starts_with("/api/v1/jobs?")) {
      return FakeReply{200, "application/json", "{\"jobs\":[" + Job("running") + "]}"};
    }
    if (r.target == "/api/v1/jobs/7/log") return FakeReply{200, "text/plain", "line 1\nline 2"};
    if (r.target == "/api/v1/jobs/7/cancel")
      return FakeReply{202, "application/json", Job("cancelled")};
    if (r.target == "/api/v1/jobs/8/cancel")
      return ErrorReply(409, "conflict", "job 8 already finished");
    return FakeReply{200, "application/json", Job("running")};
  });
  UseServer(server);
  auto list = Run({"jobs", "list", "--state", "running"});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_EQ(server.requests().back().target, "/api/v1/jobs?limit=20&state=running");
  EXPECT_EQ(list.out,
            "ID  KIND            STATE    PROGRESS  MESSAGE  CREATED\n"
            " 7  dataset.import  running       40%  parsing\n");
  auto show = Run({"jobs", "show", "7"});
  EXPECT_EQ(show.out,
            "id        7\n"
            "kind      dataset.import\n"
            "state     running\n"
            "progress  40%\n"
            "message   parsing\n");
  EXPECT_EQ(Run({"jobs", "log", "7"}).out, "line 1\nline 2\n");
  EXPECT_EQ(Run({"jobs", "cancel", "7"}).out, "job 7 cancelled\n");
  auto conflict = Run({"jobs", "cancel", "8"});
  EXPECT_EQ(conflict.code, 1);
  EXPECT_EQ(conflict.err, "error: job 8 already finished\n");
}

}  // namespace
}  // namespace aimass::cli
