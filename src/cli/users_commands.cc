// `aimass users ...` and `aimass tokens ...`: the account verbs of ClientCommands.
#include "cli/client_commands.h"
#include "cli/table.h"

namespace aimass::cli {
using nlohmann::json;

void ClientCommands::RegisterUsers(CLI::App& app) {
  CLI::App* users = app.add_subcommand("users", "Users (admins only): create, list");
  users->fallthrough();
  users->require_subcommand(1);
  CLI::App* create = users->add_subcommand(
      "create", "Make a user; then give them a token with `aimass tokens create --user NAME`");
  create->add_option("name", user_flags_.name, "User name: 1 to 64 of A-Z a-z 0-9 _ . -")
      ->required();
  create->add_flag("--admin", user_flags_.admin, "Make an admin");
  create->add_flag("--password-stdin", user_flags_.password_stdin,
                   "Read their web console password (12+ characters) from standard input");
  On(create, &ClientCommands::UsersCreate);
  CLI::App* passwd = users->add_subcommand(
      "passwd",
      "Set a password from standard input (admins: anyone's; others: their own, "
      "the current one on the first line, the new one on the second)");
  passwd->add_option("name", user_flags_.name, "User name")->required();
  On(passwd, &ClientCommands::UsersPasswd);
  On(users->add_subcommand("list", "List the users"), &ClientCommands::UsersList);

  CLI::App* tokens = app.add_subcommand("tokens", "API tokens: create, list, revoke");
  tokens->fallthrough();
  tokens->require_subcommand(1);
  CLI::App* make = tokens->add_subcommand("create", "Make an API token (shown once)");
  make->add_option("--user", user_flags_.user, "Whose token (admins only; default: yours)");
  make->add_option("--scopes", user_flags_.scopes,
                   "What it may do: read, write, predict, admin, joined by commas")
      ->capture_default_str();
  make->add_option("--endpoint", user_flags_.endpoint,
                   "With --scopes predict: the one endpoint it may predict on");
  make->add_option("--label", user_flags_.label, "What it is for, e.g. ci or notebook");
  make->add_option("--expires-in-days", user_flags_.expires_in_days, "0: never")
      ->capture_default_str();
  On(make, &ClientCommands::TokensCreate);
  CLI::App* list = tokens->add_subcommand("list", "List tokens (never their secrets)");
  list->add_option("--user", user_flags_.user, "Another user's (admins only)");
  On(list, &ClientCommands::TokensList);
  CLI::App* revoke = tokens->add_subcommand("revoke", "Revoke a token: it stops working at once");
  revoke->add_option("id", user_flags_.token_id, "The token's id (`aimass tokens list`)")
      ->required();
  On(revoke, &ClientCommands::TokensRevoke);
}

std::string ClientCommands::ReadSecretLine() {
  std::string line;
  std::getline(*terminal_.in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int ClientCommands::UsersCreate() {
  auto api = Connect();
  if (!api) return Report(api.error());
  json body = {{"name", user_flags_.name}, {"admin", user_flags_.admin}};
  if (user_flags_.password_stdin) body["password"] = ReadSecretLine();
  auto user = api->Post("/users", body);
  if (!user) return Report(user.error());
  if (flags_.json) {
    PrintJson(*user);
    return kExitOk;
  }
  *terminal_.out << "user " << FieldText(*user, "name") << " created"
                 << (user->value("admin", false) ? " (admin)" : "")
                 << "; give them a token: aimass tokens create --user " << FieldText(*user, "name")
                 << "\n";
  return kExitOk;
}

int ClientCommands::UsersPasswd() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto whoami = api->Get("/whoami");
  if (!whoami) return Report(whoami.error());
  json body = json::object();
  if (!whoami->value("is_admin", false)) body["current_password"] = ReadSecretLine();
  body["password"] = ReadSecretLine();
  auto set = api->Put("/users/" + UrlEncode(user_flags_.name) + "/password", body);
  if (!set) return Report(set.error());
  *terminal_.out << "password of " << user_flags_.name << " set\n";
  return kExitOk;
}

int ClientCommands::UsersList() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer = api->Get("/users");
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& user : answer->value("users", json::array())) {
    rows.push_back(
        {FieldText(user, "name"), user.value("admin", false) ? "yes" : "", FieldText(user, "created_at")});
  }
  *terminal_.out << FormatTable({"NAME", "ADMIN", "CREATED"}, rows);
  return kExitOk;
}

int ClientCommands::TokensCreate() {
  auto api = Connect();
  if (!api) return Report(api.error());
  json body = {{"scopes", user_flags_.scopes},
               {"label", user_flags_.label},
               {"expires_in_days", user_flags_.expires_in_days}};
  if (!user_flags_.user.empty()) body["user"] = user_flags_.user;
  if (!user_flags_.endpoint.empty()) body["endpoint"] = user_flags_.endpoint;
  auto token = api->Post("/tokens", body);
  if (!token) return Report(token.error());
  if (flags_.json) {
    PrintJson(*token);
    return kExitOk;
  }
  *terminal_.out << "token " << FieldText(*token, "id") << " for " << FieldText(*token, "user") << " (scopes "
                 << FieldText(*token, "scopes") << ", expires "
                 << (token->value("expires_at", json()).is_null() ? "never"
                                                                  : FieldText(*token, "expires_at"))
                 << "):\n  " << FieldText(*token, "token")
                 << "\n  (shown once; keep it. Use it: aimass login --server URL --token TOKEN)\n";
  return kExitOk;
}

int ClientCommands::TokensList() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer = api->Get("/tokens" +
                         (user_flags_.user.empty() ? "" : "?user=" + UrlEncode(user_flags_.user)));
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& token : answer->value("tokens", json::array())) {
    rows.push_back({FieldText(token, "id"), FieldText(token, "user"), FieldText(token, "label"),
                    FieldText(token, "scopes") +
                        (FieldText(token, "endpoint").empty() ? "" : " on " + FieldText(token, "endpoint")),
                    FieldText(token, "expires_at"), FieldText(token, "last_used_at"),
                    token.value("revoked", false) ? "revoked" : ""});
  }
  *terminal_.out << FormatTable({"ID", "USER", "LABEL", "SCOPES", "EXPIRES", "LAST USED", "STATE"},
                                rows);
  return kExitOk;
}

int ClientCommands::TokensRevoke() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto revoked = api->Delete("/tokens/" + std::to_string(user_flags_.token_id));
  if (!revoked) return Report(revoked.error());
  *terminal_.out << "token " << user_flags_.token_id << " revoked\n";
  return kExitOk;
}

}  // namespace aimass::cli
