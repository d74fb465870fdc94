#include "data/sql_sandbox.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "data/engine.h"
#include "data/sql_value_limits.h"

namespace aimass::data {
namespace {

constexpr size_t kMaxSqlBytes = 1 << 20;

// Table functions that compute rows and touch nothing outside the query.
const std::set<std::string>& AllowedTableFunctions() {
  static const std::set<std::string> allowed = {"range", "generate_series", "unnest"};
  return allowed;
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

struct Findings {
  std::set<std::string> ctes;
  std::vector<std::string> tables;           // BASE_TABLE references, qualified as written
  std::vector<std::string> refused;          // table functions not allowed
  std::vector<std::string> scalar_refusals;  // why a scalar function call is not allowed
};

// A string member of a parse-tree node, or "" (members like "type" are objects elsewhere).
std::string StringField(const nlohmann::json& node, const char* key) {
  auto it = node.find(key);
  return it != node.end() && it->is_string() ? it->get<std::string>() : "";
}

void Walk(const nlohmann::json& node, Findings& findings);

// A scalar call's node; its arguments are walked by the caller.
void CheckScalarCall(const nlohmann::json& node, Findings& findings) {
  const std::string name = Lower(StringField(node, "function_name"));
  static const nlohmann::json kNoArguments = nlohmann::json::array();
  auto children = node.find("children");
  std::string why = ScalarCallRefusal(
      name, children != node.end() && children->is_array() ? *children : kNoArguments);
  if (!why.empty()) findings.scalar_refusals.push_back(std::move(why));
}

void WalkChildren(const nlohmann::json& node, Findings& findings, std::string_view skip = "") {
  for (const auto& [key, child] : node.items()) {
    if (child.is_structured() && key != skip) Walk(child, findings);
  }
}

void Walk(const nlohmann::json& node, Findings& findings) {
  if (node.is_array()) {
    for (const auto& child : node) Walk(child, findings);
    return;
  }
  if (!node.is_object()) return;
  if (auto it = node.find("cte_map"); it != node.end() && it->contains("map")) {
    for (const auto& entry : (*it)["map"]) {
      if (entry.is_object()) findings.ctes.insert(Lower(StringField(entry, "key")));
    }
  }
  const std::string type = StringField(node, "type");
  if (type == "TABLE_FUNCTION" && node.contains("function")) {
    const nlohmann::json& function = node["function"];
    const std::string name = Lower(StringField(function, "function_name"));
    if (!AllowedTableFunctions().count(name)) findings.refused.push_back(name);
    // range() as a table streams its rows; only its arguments are expressions to check.
    if (function.is_object() && function.contains("children")) Walk(function["children"], findings);
    WalkChildren(node, findings, "function");
    return;
  }
  if (StringField(node, "class") == "FUNCTION") {
    CheckScalarCall(node, findings);
  } else if (type == "BASE_TABLE") {
    std::string name;
    for (const char* part : {"catalog_name", "schema_name", "table_name"}) {
      const std::string value = StringField(node, part);
      if (!value.empty()) name += (name.empty() ? "" : ".") + value;
    }
    findings.tables.push_back(name);
  }
  WalkChildren(node, findings);
}

std::string FirstWord(std::string_view sql) {
  size_t begin = 0;
  while (begin < sql.size()) {
    if (std::isspace(static_cast<unsigned char>(sql[begin]))) {
      ++begin;
    } else if (sql.substr(begin, 2) == "--") {
      begin = sql.find('\n', begin);
      if (begin == std::string_view::npos) return "";
    } else if (sql.substr(begin, 2) == "/*") {
      begin = sql.find("*/", begin);
      if (begin == std::string_view::npos) return "";
      begin += 2;
    } else {
      break;
    }
  }
  size_t end = begin;
  while (end < sql.size() && std::isalpha(static_cast<unsigned char>(sql[end]))) ++end;
  std::string word(sql.substr(begin, end - begin));
  std::transform(word.begin(), word.end(), word.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return word;
}

Status CheckWithEngine(Engine& engine, std::string_view sql) {
  const std::string text(sql);
  duckdb_extracted_statements statements = nullptr;
  const idx_t count = duckdb_extract_statements(engine.connection(), text.c_str(), &statements);
  std::string parse_error;
  bool permission = false;
  if (count == 0) {
    const char* error = duckdb_extract_statements_error(statements);
    parse_error = error ? ShortDuckDbError(error) : "";
    permission = error != nullptr && std::string_view(error).starts_with("Permission");
  }
  duckdb_destroy_extracted(&statements);
  if (count == 0) {
    if (parse_error.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "the transform SQL is empty; write a SELECT");
    }
    if (permission) {  // IMPORT DATABASE reads its folder's files while it is parsed
      const std::string word = FirstWord(sql);
      return Fail(ErrorCode::kInvalidArgument,
                  "a transform must be a single SELECT reading the view 'input'; " +
                      (word.empty() ? std::string("this statement") : word) +
                      " is not allowed (it touches files: " + parse_error + ")");
    }
    return Fail(ErrorCode::kInvalidArgument, "the transform SQL does not parse: " + parse_error);
  }
  if (count > 1) {
    return Fail(ErrorCode::kInvalidArgument,
                "the transform SQL holds " + std::to_string(count) +
                    " statements; write exactly one SELECT (no ';' between statements)");
  }
  AIMASS_ASSIGN_OR_RETURN(Rows rows, engine.Query("SELECT CAST(json_serialize_sql(" +
                                                  QuoteLiteral(sql) + ") AS VARCHAR)"));
  const auto tree = nlohmann::json::parse(rows.rows.at(0).at(0).get<std::string>());
  if (tree.value("error", false)) {
    const std::string word = FirstWord(sql);
    return Fail(ErrorCode::kInvalidArgument,
                "a transform must be a single SELECT (or WITH ... SELECT) reading the view "
                "'input'; " +
                    (word.empty() ? std::string("this statement") : word) + " is not allowed");
  }
  Findings findings;
  Walk(tree["statements"], findings);
  if (!findings.scalar_refusals.empty()) {
    return Fail(ErrorCode::kInvalidArgument, findings.scalar_refusals.front());
  }
  if (!findings.refused.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "the table function " + findings.refused.front() +
                    "() is not allowed in a transform: transforms cannot read files or other "
                    "sources; read the view 'input'");
  }
  for (const auto& table : findings.tables) {
    const std::string lower = Lower(table);
    if (lower == "input" || findings.ctes.count(lower)) continue;
    const bool file = table.find_first_of("/.\\") != std::string::npos;
    return Fail(ErrorCode::kInvalidArgument,
                file ? "reading the file '" + table + "' is not allowed in a transform; " +
                           "read the view 'input'"
                     : "the table '" + table +
                           "' does not exist in a transform; read the view "
                           "'input' (or a name defined in WITH)");
  }
  return Ok();
}

}  // namespace

Status CheckTransformSql(std::string_view sql) {
  if (sql.size() > kMaxSqlBytes) {
    return Fail(ErrorCode::kInvalidArgument, "the transform SQL is longer than 1 MiB");
  }
  try {
    // A private engine: parsing needs a connection (open + close costs about 30 ms).
    EngineOptions options;
    options.threads = 1;
    options.memory_limit = "64MB";
    AIMASS_ASSIGN_OR_RETURN(auto engine, Engine::Open(options));
    // Parsing is not harmless: IMPORT DATABASE 'dir' reads dir/schema.sql while its
    // statements are extracted. This engine gets the sandbox's file rules too.
    AIMASS_RETURN_IF_ERROR(
        engine->Execute("SET enable_external_access = false; SET lock_configuration = true"));
    return CheckWithEngine(*engine, sql);
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, std::string("cannot check the transform SQL: ") + e.what());
  }
}

}  // namespace aimass::data
