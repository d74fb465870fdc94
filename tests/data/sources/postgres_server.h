// A PostgreSQL server of a test's own: Debian's PostgreSQL 15 binaries, initdb into a temp
// folder, the server on a free loopback port with password (scram-sha-256) logins, stopped
// with the object. As root (initdb refuses root) the commands run as the `postgres` user.
// For the postgres source's tests, and benchmarks later.
#pragma once

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "common/status.h"
#include "data/sources/temp_dir.h"

namespace aimass::data::sources {

// A free TCP port on 127.0.0.1 (free when asked; a test server binds it right after).
inline uint16_t FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

// Not thread-safe.
class PostgresTestServer {
 public:
  static constexpr const char* kUser = "aimass";

  // An error says why, with the end of initdb's or the server's log.
  static Result<std::unique_ptr<PostgresTestServer>> Start() {
    std::unique_ptr<PostgresTestServer> server(new PostgresTestServer());
    if (!std::filesystem::exists(server->bin_ / "initdb")) {
      return Fail(ErrorCode::kUnavailable, server->bin_.string() +
                                               "/initdb is missing: run scripts/setup "
                                               "(packages postgresql, libpq-dev)");
    }
    std::ofstream(server->dir() / "pwfile") << server->password_ << "\n";
    if (geteuid() == 0) {
      passwd* postgres = getpwnam("postgres");
      if (postgres == nullptr) {
        return Fail(ErrorCode::kUnavailable,
                    "tests run as root, and initdb needs another user, but there is no user "
                    "'postgres': run scripts/setup (package postgresql makes it)");
      }
      for (const auto& path : {server->dir(), server->dir() / "pwfile"}) {
        if (chown(path.c_str(), postgres->pw_uid, postgres->pw_gid) != 0) {
          return Fail(ErrorCode::kUnavailable, "cannot chown " + path.string());
        }
      }
      server->as_user_ = "runuser -u postgres -- ";
    }
    server->port_ = FreeLoopbackPort();
    const std::string data = (server->dir() / "data").string();
    AIMASS_RETURN_IF_ERROR(
        server->Command("initdb -D " + data + " -U " + kUser + " --auth=scram-sha-256 --pwfile=" +
                        (server->dir() / "pwfile").string() + " -E UTF8 --locale=C --no-sync"));
    AIMASS_RETURN_IF_ERROR(server->Command(
        "pg_ctl -D " + data + " -l " + (server->dir() / "server.log").string() +
        " -w -t 60 -o \"-c listen_addresses=127.0.0.1 -p " + std::to_string(server->port_) +
        " -k " + server->dir().string() + " -c fsync=off -c full_page_writes=off\" start"));
    server->started_ = true;
    return server;
  }

  ~PostgresTestServer() {
    if (started_) {
      (void)Command("pg_ctl -D " + (dir() / "data").string() + " -m immediate -w stop");
    }
  }

  uint16_t port() const { return port_; }
  const std::string& password() const { return password_; }
  // A libpq connection string without the password.
  std::string Dsn() const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=postgres user=" + kUser;
  }

  // Runs SQL as the superuser; an error holds PostgreSQL's message.
  Status Sql(const std::string& sql) const {
    std::string dsn = Dsn() + " password=" + password_;
    PGconn* connection = PQconnectdb(dsn.c_str());
    std::string error;
    if (PQstatus(connection) != CONNECTION_OK) {
      error = PQerrorMessage(connection);
    } else {
      PGresult* result = PQexec(connection, sql.c_str());
      if (PQresultStatus(result) != PGRES_COMMAND_OK && PQresultStatus(result) != PGRES_TUPLES_OK) {
        error = PQresultErrorMessage(result);
      }
      PQclear(result);
    }
    PQfinish(connection);
    if (!error.empty()) return Fail(ErrorCode::kInternal, "test SQL failed: " + error);
    return Ok();
  }

 private:
  PostgresTestServer() = default;
  const std::filesystem::path& dir() const { return dir_.path(); }

  // Runs one of PostgreSQL's programs; an error shows the end of its output and of the
  // server's log.
  Status Command(const std::string& program_and_args) const {
    std::string command = as_user_ + (bin_ / program_and_args).string() + " >>" +
                          (dir() / "commands.log").string() + " 2>&1";
    if (std::system(command.c_str()) == 0) return Ok();
    std::string logs;
    for (const char* name : {"commands.log", "server.log"}) {
      std::ifstream in(dir() / name);
      std::stringstream text;
      text << in.rdbuf();
      std::string tail = text.str();
      if (tail.size() > 1500) tail = tail.substr(tail.size() - 1500);
      logs += std::string("\n--- ") + name + ":\n" + tail;
    }
    return Fail(ErrorCode::kUnavailable, "`" + command + "` failed" + logs);
  }

  TempDir dir_{"aimass_pg_"};
  std::filesystem::path bin_ = "/usr/lib/postgresql/15/bin";
  std::string password_ = "s3cret-" + std::to_string(getpid());
  std::string as_user_;
  uint16_t port_ = 0;
  bool started_ = false;
};

}  // namespace aimass::data::sources
