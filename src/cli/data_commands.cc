// `aimass data list|show|preview|stats`: the dataset verbs of ClientCommands that read.
#include <cstdio>

#include "cli/client_commands.h"
#include "cli/dataset_ref.h"
#include "cli/table.h"

namespace aimass::cli {
namespace {

using nlohmann::json;

std::string VersionPath(const DatasetRef& ref) {
  return "/datasets/" + Segment(ref.name) + "/versions/" + ref.VersionSegment();
}

// "%.6g" for statistics: 37.1234 rather than 37.123456789012345.
std::string ShortNumber(const json& value) {
  if (!value.is_number_float()) return CellText(value);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", value.get<double>());
  return buffer;
}

std::string SourceText(const json& version) {
  const json& lineage = version.contains("lineage") ? version["lineage"] : json();
  if (lineage.is_object()) return "transform of " + FieldText(lineage, "parent");
  const json& source = version.contains("source") ? version["source"] : json();
  std::string text = FieldText(source, "kind");
  if (!FieldText(source, "filename").empty()) text += " " + FieldText(source, "filename");
  return text;
}

std::vector<std::string> VersionRow(const json& v) {
  uint64_t size = v.value("size_bytes", uint64_t{0});
  return {FieldText(v, "ref"),   FieldText(v, "row_count"),      FieldText(v, "column_count"),
          FormatBytes(size), OneLine(SourceText(v), 40), FieldText(v, "created_at")};
}

std::string SchemaTable(const json& detail) {
  std::vector<std::vector<std::string>> rows;
  if (detail.contains("schema") && detail["schema"].is_array()) {
    for (const json& column : detail["schema"]) {
      rows.push_back({FieldText(column, "name"), FieldText(column, "type")});
    }
  }
  return FormatTable({"COLUMN", "TYPE"}, rows);
}

}  // namespace

int ClientCommands::DataList() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer = api->Get("/datasets");
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& d : answer->value("datasets", json::array())) {
    const json& latest = d.contains("latest") ? d["latest"] : json();
    rows.push_back({FieldText(d, "name"), FieldText(d, "version_count"), FieldText(latest, "ref"),
                    FieldText(latest, "row_count"), FieldText(latest, "column_count"),
                    FormatBytes(latest.is_object() ? latest.value("size_bytes", uint64_t{0}) : 0),
                    FieldText(d, "created_at")});
  }
  if (rows.empty()) {
    *terminal_.out << "no datasets yet; import one with `aimass data import FILE --name NAME`\n";
    return kExitOk;
  }
  *terminal_.out << FormatTable(
      {"NAME", "VERSIONS", "LATEST", "ROWS", "COLUMNS", "SIZE", "CREATED"}, rows);
  return kExitOk;
}

int ClientCommands::DataShow() {
  auto ref = ParseDatasetRef(flags_.ref);
  if (!ref) return Usage(ref.error().message);
  auto api = Connect();
  if (!api) return Report(api.error());
  auto dataset = api->Get("/datasets/" + Segment(ref->name));
  if (!dataset) return Report(dataset.error());
  json detail = dataset->value("latest", json());
  if (ref->version) {
    auto version = api->Get(VersionPath(*ref));
    if (!version) return Report(version.error());
    detail = std::move(*version);
  }
  if (flags_.json) {
    PrintJson(ref->version ? detail : *dataset);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& v : dataset->value("versions", json::array())) rows.push_back(VersionRow(v));
  auto& out = *terminal_.out;
  out << "dataset " << FieldText(*dataset, "name") << " (created " << FieldText(*dataset, "created_at")
      << ")\n\n"
      << FormatTable({"VERSION", "ROWS", "COLUMNS", "SIZE", "SOURCE", "CREATED"}, rows);
  out << "\nschema of " << FieldText(detail, "ref") << " (hash " << FieldText(detail, "hash") << ")\n"
      << SchemaTable(detail);
  if (detail.contains("lineage") && detail["lineage"].is_object()) {
    out << "\nmade from " << FieldText(detail["lineage"], "parent") << " by:\n"
        << FieldText(detail["lineage"], "sql") << "\n";
  }
  return kExitOk;
}

int ClientCommands::DataPreview() {
  auto ref = ParseDatasetRef(flags_.ref);
  if (!ref) return Usage(ref.error().message);
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer = api->Get(VersionPath(*ref) + "/preview?offset=" + std::to_string(flags_.offset) +
                         "&limit=" + std::to_string(flags_.limit));
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  std::vector<std::string> header;
  for (const json& column : answer->value("columns", json::array())) {
    header.push_back(FieldText(column, "name"));
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& row : answer->value("rows", json::array())) {
    std::vector<std::string> cells;
    for (const json& cell : row) cells.push_back(OneLine(CellText(cell), 40));
    rows.push_back(std::move(cells));
  }
  *terminal_.out << FormatTable(header, rows);
  int64_t total = answer->value("total_rows", int64_t{0});
  int64_t first = answer->value("offset", flags_.offset);
  *terminal_.out << "(rows " << (rows.empty() ? first : first + 1) << "–"
                 << first + static_cast<int64_t>(rows.size()) << " of " << total << ")\n";
  return kExitOk;
}

int ClientCommands::DataStats() {
  auto ref = ParseDatasetRef(flags_.ref);
  if (!ref) return Usage(ref.error().message);
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer = api->Get(VersionPath(*ref) + "/stats");
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& c : answer->value("columns", json::array())) {
    std::string top;
    if (c.contains("top") && c["top"].is_array()) {
      for (size_t i = 0; i < c["top"].size() && i < 3; ++i) {
        const json& t = c["top"][i];
        top += (i ? ", " : "") + OneLine(FieldText(t, "value"), 20) + " (" + FieldText(t, "count") + ")";
      }
    }
    auto number = [&](const char* key) {
      return c.contains(key) ? OneLine(ShortNumber(c[key]), 24) : "";
    };
    rows.push_back({FieldText(c, "name"), FieldText(c, "type"), FieldText(c, "nulls"), FieldText(c, "distinct"),
                    number("min"), number("max"), number("mean"), number("stddev"), top});
  }
  *terminal_.out << answer->value("row_count", int64_t{0}) << " rows\n"
                 << FormatTable({"COLUMN", "TYPE", "NULLS", "DISTINCT", "MIN", "MAX", "MEAN",
                                 "STDDEV", "TOP"},
                                rows);
  return kExitOk;
}

}  // namespace aimass::cli
