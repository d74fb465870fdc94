#include "data/sources/postgres_connection.h"

#include <vector>

namespace aimass::data::sources {
namespace {

// libpq's message without its "connection to server at ... failed: " lead and "FATAL:"
// prefix, first line only: "password authentication failed for user \"x\"".
std::string Reason(std::string_view message) {
  if (size_t failed = message.find("failed: ");
      failed != std::string_view::npos && message.starts_with("connection to server")) {
    message.remove_prefix(failed + 8);
  }
  for (std::string_view prefix : {"FATAL:", "ERROR:"}) {
    if (message.starts_with(prefix)) message.remove_prefix(prefix.size());
  }
  while (!message.empty() && message.front() == ' ') message.remove_prefix(1);
  message = message.substr(0, message.find('\n'));
  return std::string(message);
}

}  // namespace

std::string PostgresErrorText(const PGconn* connection, const PGresult* result) {
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string text = primary ? primary : Reason(PQerrorMessage(connection));
  if (const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr) {
    text += std::string(" (SQLSTATE ") + state + ")";
  }
  return text;
}

Result<PostgresConnection> PostgresConnection::Open(const std::string& dsn,
                                                    const std::optional<std::string>& password,
                                                    int64_t connect_timeout_seconds) {
  std::string timeout = std::to_string(connect_timeout_seconds);
  // Later keywords override earlier ones, the expanded dsn included: the dsn may set its
  // own connect_timeout, never the password.
  std::vector<const char*> keys = {"connect_timeout", "fallback_application_name", "dbname"};
  std::vector<const char*> values = {timeout.c_str(), "aimass", dsn.c_str()};
  if (password) {
    keys.push_back("password");
    values.push_back(password->c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PostgresConnection connection(PQconnectdbParams(keys.data(), values.data(), 1));
  PGconn* raw = connection.get();
  if (raw == nullptr) return Fail(ErrorCode::kInternal, "libpq could not allocate a connection");
  if (PQstatus(raw) == CONNECTION_OK) {
    // Timestamps as ISO text in UTC, whatever the server's defaults.
    AIMASS_RETURN_IF_ERROR(connection.Run("SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'"));
    return connection;
  }
  std::string message = PQerrorMessage(raw);
  std::string where = connection.Where();
  const char* user = PQuser(raw);
  if (message.find("authentication failed") != std::string::npos ||
      message.find("no password supplied") != std::string::npos ||
      message.find("role \"") != std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument,
                "PostgreSQL refused the login for user '" + std::string(user ? user : "") +
                    "' at " + where + ": " + Reason(message) +
                    "; check the source's dsn and the variable named by password_env");
  }
  if (message.find("FATAL:") != std::string::npos) {  // the server answered, and said no
    return Fail(ErrorCode::kInvalidArgument, "PostgreSQL at " + where +
                                                 " refused the connection: " + Reason(message) +
                                                 "; check the source's dsn");
  }
  return Fail(ErrorCode::kUnavailable, "cannot connect to PostgreSQL at " + where + ": " +
                                           Reason(message) +
                                           "; check that the server runs and the source's dsn");
}

std::string PostgresConnection::Where() const {
  const char* host = PQhost(connection_.get());
  const char* port = PQport(connection_.get());
  return std::string(host && *host ? host : "localhost") + ":" + (port && *port ? port : "5432");
}

Error PostgresConnection::QueryError(const PGresult* result) const {
  return Error{ErrorCode::kInvalidArgument,
               "PostgreSQL at " + Where() + ": " + PostgresErrorText(connection_.get(), result)};
}

Status PostgresConnection::Run(const std::string& sql) {
  PgResult result(PQexec(connection_.get(), sql.c_str()));
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) return Fail(QueryError(result.get()));
  return Ok();
}

Result<PgResult> PostgresConnection::Describe(const std::string& sql) {
  PgResult prepared(PQprepare(connection_.get(), "", sql.c_str(), 0, nullptr));
  if (PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) return Fail(QueryError(prepared.get()));
  PgResult described(PQdescribePrepared(connection_.get(), ""));
  if (PQresultStatus(described.get()) != PGRES_COMMAND_OK) {
    return Fail(QueryError(described.get()));
  }
  return described;
}

Status PostgresConnection::StartRows(const std::string& sql,
                                     const std::vector<std::string>& params) {
  std::vector<const char*> values;
  for (const std::string& param : params) values.push_back(param.c_str());
  if (!PQsendQueryParams(connection_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                         values.data(), nullptr, nullptr, 0) ||
      !PQsetSingleRowMode(connection_.get())) {
    return Fail(QueryError(nullptr));
  }
  return Ok();
}

Result<PgResult> PostgresConnection::NextRow() {
  while (true) {
    PgResult result(PQgetResult(connection_.get()));
    if (!result) return PgResult();
    ExecStatusType status = PQresultStatus(result.get());
    if (status == PGRES_SINGLE_TUPLE) return result;
    if (status == PGRES_TUPLES_OK) continue;  // the end marker; then nullptr
    Error error = QueryError(result.get());
    while (PgResult rest{PQgetResult(connection_.get())}) {
    }
    return Fail(std::move(error));
  }
}

}  // namespace aimass::data::sources
