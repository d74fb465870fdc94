// `aimass models list|show|alias|unalias|tag|untag|describe|delete`: the model registry
// verbs of ClientCommands that read or change metadata (files: models_transfer_commands.cc).
#include <cstdio>

#include "cli/client_commands.h"
#include "cli/dataset_ref.h"
#include "cli/table.h"

namespace aimass::cli {
namespace {

using nlohmann::json;

// {"team":"risk","stage":"prod"} -> "stage=prod team=risk"; numbers with 5 digits.
std::string Pairs(const json& object) {
  std::string text;
  if (!object.is_object()) return text;
  for (const auto& [key, value] : object.items()) {
    std::string shown = CellText(value);
    if (value.is_number_float()) {
      char number[32];
      std::snprintf(number, sizeof number, "%.5g", value.get<double>());
      shown = number;
    }
    text += (text.empty() ? "" : " ") + key + "=" + shown;
  }
  return text;
}

std::string Aliases(const json& aliases) {
  std::string text;
  for (const auto& alias : aliases) text += (text.empty() ? "" : ",") + CellText(alias);
  return text;
}

std::string ModelPath(const std::string& name) { return "/models/" + Segment(name); }

std::string VersionPath(const ModelRef& ref) {
  return ModelPath(ref.name) + "/versions/" + Segment(ref.VersionSegment());
}

std::vector<std::string> VersionRow(const json& v) {
  return {FieldText(v, "ref"),
          FieldText(v, "task"),
          FieldText(v, "member_count"),
          FormatBytes(v.value("size_bytes", uint64_t{0})),
          OneLine(Pairs(v.value("metrics", json::object())), 40),
          Aliases(v.value("aliases", json::array())),
          FieldText(v, "created_at")};
}

}  // namespace

void ClientCommands::RegisterModels(CLI::App& app) {
  CLI::App* models =
      app.add_subcommand("models", "List, inspect, alias, tag, export and import models");
  models->fallthrough();
  models->require_subcommand(1);
  ModelFlags& f = models_;

  CLI::App* list = models->add_subcommand("list", "List models (filter by name, tag, metric)");
  list->add_option("--q", f.query, "Only names containing this text");
  list->add_option("--tag", f.tags, "Only models with this tag, KEY:VALUE (repeatable)")
      ->allow_extra_args(false);
  list->add_option("--metric", f.metric, "Only models whose newest version has e.g. roc_auc>=0.9");
  On(list, &ClientCommands::ModelsList);

  CLI::App* show = models->add_subcommand("show", "Show a model, or one version of it");
  show->add_option("model", f.ref, "NAME, NAME@N or NAME@ALIAS")->required();
  On(show, &ClientCommands::ModelsShow);

  CLI::App* alias = models->add_subcommand("alias", "Point an alias at a version (moves it)");
  alias->add_option("version", f.ref, "NAME@N (or NAME@OTHER_ALIAS)")->required();
  alias->add_option("alias", f.alias, "The alias, e.g. champion")->required();
  On(alias, &ClientCommands::ModelsAlias);

  CLI::App* unalias = models->add_subcommand("unalias", "Remove an alias");
  unalias->add_option("model", f.ref, "NAME")->required();
  unalias->add_option("alias", f.alias, "The alias")->required();
  On(unalias, &ClientCommands::ModelsUnalias);

  CLI::App* tag = models->add_subcommand("tag", "Set a tag on a model");
  tag->add_option("model", f.ref, "NAME")->required();
  tag->add_option("tag", f.key_value, "KEY=VALUE")->required();
  On(tag, &ClientCommands::ModelsTag);

  CLI::App* untag = models->add_subcommand("untag", "Remove a tag from a model");
  untag->add_option("model", f.ref, "NAME")->required();
  untag->add_option("key", f.key, "The tag's key")->required();
  On(untag, &ClientCommands::ModelsUntag);

  CLI::App* describe = models->add_subcommand("describe", "Set a model's description");
  describe->add_option("model", f.ref, "NAME")->required();
  describe->add_option("text", f.text, "The description")->required();
  On(describe, &ClientCommands::ModelsDescribe);

  CLI::App* remove =
      models->add_subcommand("delete", "Delete one version (NAME@V) or a whole model (NAME)");
  remove->add_option("model", f.ref, "NAME or NAME@V")->required();
  remove->add_flag("-y,--yes", f.yes, "Do not ask for confirmation");
  On(remove, &ClientCommands::ModelsDelete);

  CLI::App* exporter = models->add_subcommand("export", "Download a version as a bundle file");
  exporter->add_option("model", f.ref, "NAME@V or NAME@ALIAS")->required();
  exporter->add_option("-o,--output", f.output, "File to write, e.g. credit_risk-3.aimass")
      ->required();
  On(exporter, &ClientCommands::ModelsExport);

  CLI::App* importer = models->add_subcommand("import", "Register a bundle file as a new version");
  importer->add_option("file", f.file, "The bundle (.aimass)")->required();
  importer->add_option("--name", f.name, "Register under this model (default: the bundle's)");
  On(importer, &ClientCommands::ModelsImport);

  CLI::App* xgboost = models->add_subcommand(
      "import-xgboost",
      "Register an XGBoost model saved elsewhere (JSON or UBJSON) as a new version");
  xgboost->add_option("file", f.file, "The model file, as Booster.save_model wrote it")->required();
  xgboost->add_option("--name", f.name, "Register as the next version of this model")->required();
  xgboost
      ->add_option("--features", f.features,
                   "Input columns in the model's feature order (default: the names saved "
                   "in the model)")
      ->delimiter(',');
  xgboost->add_option("--task", f.task,
                      "binary, multiclass or regression (default: from the "
                      "model's objective)");
  xgboost->add_option("--classes", f.classes, "Class names, label 0 first (default: 0,1,...)")
      ->delimiter(',');
  On(xgboost, &ClientCommands::ModelsImportXgboost);

  CLI::App* download = models->add_subcommand("download", "Download one member of a version");
  download->add_option("model", f.ref, "NAME@V or NAME@ALIAS")->required();
  download->add_option("member", f.member, "The member, e.g. model.json")->required();
  download->add_option("-o,--output", f.output, "File to write")->required();
  On(download, &ClientCommands::ModelsDownload);
}

int ClientCommands::ModelsList() {
  std::string query;
  auto add = [&](const char* key, const std::string& value) {
    if (!value.empty())
      query += (query.empty() ? "?" : "&") + std::string(key) + "=" + UrlEncode(value);
  };
  std::string tags;
  for (const auto& tag : models_.tags) tags += (tags.empty() ? "" : ",") + tag;
  add("q", models_.query);
  add("tag", tags);
  add("metric", models_.metric);
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer = api->Get("/models" + query);
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& m : answer->value("models", json::array())) {
    const json& latest = m.contains("latest") ? m["latest"] : json();
    rows.push_back({FieldText(m, "name"), FieldText(m, "version_count"), FieldText(latest, "ref"),
                    FieldText(latest, "task"), OneLine(Pairs(m.value("aliases", json::object())), 30),
                    OneLine(Pairs(m.value("tags", json::object())), 30), FieldText(m, "updated_at")});
  }
  if (rows.empty()) {
    *terminal_.out << (query.empty() ? "no models yet; import one with `aimass models import "
                                       "FILE` (or train one)\n"
                                     : "no models match\n");
    return kExitOk;
  }
  *terminal_.out << FormatTable(
      {"NAME", "VERSIONS", "LATEST", "TASK", "ALIASES", "TAGS", "UPDATED"}, rows);
  return kExitOk;
}

int ClientCommands::ModelsShow() {
  auto ref = ParseModelRef(models_.ref);
  if (!ref) return Usage(ref.error().message);
  auto api = Connect();
  if (!api) return Report(api.error());
  auto& out = *terminal_.out;
  if (!ref->names_version()) {
    auto model = api->Get(ModelPath(ref->name));
    if (!model) return Report(model.error());
    if (flags_.json) {
      PrintJson(*model);
      return kExitOk;
    }
    std::vector<std::vector<std::string>> rows;
    for (const json& v : model->value("versions", json::array())) rows.push_back(VersionRow(v));
    out << "model " << FieldText(*model, "name") << " (created " << FieldText(*model, "created_at")
        << ", updated " << FieldText(*model, "updated_at") << ")\n";
    if (!FieldText(*model, "description").empty()) out << FieldText(*model, "description") << "\n";
    out << "tags:    " << Pairs(model->value("tags", json::object())) << "\n"
        << "aliases: " << Pairs(model->value("aliases", json::object())) << "\n\n"
        << FormatTable({"VERSION", "TASK", "MEMBERS", "SIZE", "METRICS", "ALIASES", "CREATED"},
                       rows);
    return kExitOk;
  }
  auto v = api->Get(VersionPath(*ref));
  if (!v) return Report(v.error());
  if (flags_.json) {
    PrintJson(*v);
    return kExitOk;
  }
  out << FieldText(*v, "ref") << " (" << FieldText(*v, "task") << ", created " << FieldText(*v, "created_at")
      << ")\n";
  if (!FieldText(*v, "description").empty()) out << FieldText(*v, "description") << "\n";
  out << "aliases: " << Aliases(v->value("aliases", json::array())) << "\n"
      << "metrics: " << Pairs(v->value("metrics", json::object())) << "\n"
      << "params:  " << Pairs(v->value("params", json::object())) << "\n"
      << "lineage: " << CellText(v->value("lineage", json())) << "\n"
      << "source:  " << CellText(v->value("source", json())) << "\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const json& m : v->value("members", json::array())) {
    rows.push_back(
        {FieldText(m, "name"), FormatBytes(m.value("size_bytes", uint64_t{0})), FieldText(m, "sha256")});
  }
  out << FormatTable({"MEMBER", "SIZE", "SHA256"}, rows);
  return kExitOk;
}

int ClientCommands::ModelsAlias() {
  auto ref = ParseModelRef(models_.ref);
  if (!ref) return Usage(ref.error().message);
  if (!ref->names_version()) {
    return Usage("say which version the alias points at: aimass models alias " + ref->name + "@N " +
                 models_.alias);
  }
  auto api = Connect();
  if (!api) return Report(api.error());
  // The alias gets a number: "@latest" or "@challenger" is resolved once, here.
  auto version = api->Get(VersionPath(*ref));
  if (!version) return Report(version.error());
  int64_t number = version->value("version", int64_t{0});
  auto model =
      api->Put(ModelPath(ref->name) + "/aliases/" + Segment(models_.alias), {{"version", number}});
  if (!model) return Report(model.error());
  if (flags_.json) {
    PrintJson(*model);
  } else {
    *terminal_.out << models_.alias << " -> " << ref->name << "@" << number << "\n";
  }
  return kExitOk;
}

int ClientCommands::ModelsUnalias() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto removed = api->Delete(ModelPath(models_.ref) + "/aliases/" + Segment(models_.alias));
  if (!removed) return Report(removed.error());
  if (flags_.json) {
    PrintJson({{"model", models_.ref}, {"removed_alias", models_.alias}});
  } else {
    *terminal_.out << "removed alias " << models_.alias << " of " << models_.ref << "\n";
  }
  return kExitOk;
}

int ClientCommands::ModelsTag() {
  size_t equals = models_.key_value.find('=');
  if (equals == std::string::npos || equals == 0) {
    return Usage("tag '" + models_.key_value + "' is not KEY=VALUE, e.g. team=risk");
  }
  std::string key = models_.key_value.substr(0, equals);
  auto api = Connect();
  if (!api) return Report(api.error());
  auto model = api->Put(ModelPath(models_.ref) + "/tags/" + Segment(key),
                        {{"value", models_.key_value.substr(equals + 1)}});
  if (!model) return Report(model.error());
  if (flags_.json) {
    PrintJson(*model);
  } else {
    *terminal_.out << models_.ref << " tags: " << Pairs(model->value("tags", json::object()))
                   << "\n";
  }
  return kExitOk;
}

int ClientCommands::ModelsUntag() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto removed = api->Delete(ModelPath(models_.ref) + "/tags/" + Segment(models_.key));
  if (!removed) return Report(removed.error());
  if (flags_.json) {
    PrintJson({{"model", models_.ref}, {"removed_tag", models_.key}});
  } else {
    *terminal_.out << "removed tag " << models_.key << " of " << models_.ref << "\n";
  }
  return kExitOk;
}

int ClientCommands::ModelsDescribe() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto model = api->Patch(ModelPath(models_.ref), {{"description", models_.text}});
  if (!model) return Report(model.error());
  if (flags_.json) {
    PrintJson(*model);
  } else {
    *terminal_.out << models_.ref << ": " << FieldText(*model, "description") << "\n";
  }
  return kExitOk;
}

int ClientCommands::ModelsDelete() {
  auto ref = ParseModelRef(models_.ref);
  if (!ref) return Usage(ref.error().message);
  auto api = Connect();
  if (!api) return Report(api.error());
  std::string what = "model '" + ref->name + "' and all its versions";
  std::string path = ModelPath(ref->name);
  std::string deleted = ref->name;
  if (ref->names_version()) {
    // Pin "@latest" or "@alias" to a number first, so that a moving alias hits nothing else.
    auto version = api->Get(VersionPath(*ref));
    if (!version) return Report(version.error());
    deleted = FieldText(*version, "ref");
    what = "version " + deleted;
    path = ModelPath(ref->name) + "/versions/" + FieldText(*version, "version");
  }
  if (auto refused = ConfirmDelete(what, models_.yes)) return *refused;
  if (auto removed = api->Delete(path); !removed) return Report(removed.error());
  if (flags_.json) {
    PrintJson({{"deleted", deleted}});
  } else {
    *terminal_.out << "deleted " << what << "\n";
  }
  return kExitOk;
}

}  // namespace aimass::cli
