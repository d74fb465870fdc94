// `aimass deploy`, `aimass endpoints list|show|delete` and `aimass predict`: serving
// through ClientCommands. `predict` over a local file uploads it as a scratch dataset, runs
// a batch prediction job on the server (all its threads, with a progress bar), downloads
// the result in the output file's format and deletes both scratch datasets.
#include "cli/client_commands.h"
#include "cli/dataset_ref.h"
#include "cli/progress.h"
#include "cli/table.h"
#include "cli/transfer.h"
#include "common/hash.h"

namespace aimass::cli {
namespace {

using nlohmann::json;

std::string Serving(const json& endpoint) {
  std::string text = FieldText(endpoint.value("serving", json::object()), "model");
  if (endpoint.value("canary_serving", json()).is_object()) {
    text += " + canary " + FieldText(endpoint["canary_serving"], "model") + " (" +
            FieldText(endpoint["canary"], "percent") + "%)";
  }
  if (endpoint.value("shadow_serving", json()).is_object()) {
    text += " + shadow " + FieldText(endpoint["shadow_serving"], "model");
  }
  return text;
}

}  // namespace

void ClientCommands::RegisterEndpoints(CLI::App& app) {
  EndpointFlags& f = endpoints_;
  CLI::App* deploy = app.add_subcommand("deploy", "Serve a model version at an endpoint");
  deploy->fallthrough();
  deploy->add_option("model", f.model, "NAME@ALIAS (follows the alias), NAME@N, or NAME (newest)")
      ->required();
  deploy->add_option("--endpoint", f.endpoint, "The endpoint's name")->required();
  deploy->add_option("--canary", f.canary, "Another version for a share of requests: NAME@N:10%");
  deploy->add_option("--shadow", f.shadow, "A version that sees every request, answers logged");
  deploy->add_flag("--update", f.update, "Change an existing endpoint instead of making one");
  deploy->footer("Example: aimass deploy credit@champion --endpoint fraud --canary credit@4:10%");
  On(deploy, &ClientCommands::Deploy);

  CLI::App* endpoints = app.add_subcommand("endpoints", "List, show and delete endpoints");
  endpoints->fallthrough();
  endpoints->require_subcommand(1);
  On(endpoints->add_subcommand("list", "List endpoints and what they serve"),
     &ClientCommands::EndpointsList);
  CLI::App* show = endpoints->add_subcommand("show", "Show one endpoint");
  show->add_option("name", f.name, "The endpoint")->required();
  On(show, &ClientCommands::EndpointsShow);
  CLI::App* remove = endpoints->add_subcommand("delete", "Delete an endpoint");
  remove->add_option("name", f.name, "The endpoint")->required();
  remove->add_flag("--yes,-y", f.yes, "Do not ask");
  On(remove, &ClientCommands::EndpointsDelete);

  CLI::App* predict = app.add_subcommand(
      "predict", "Predict a file (or a dataset version) through an endpoint, in a batch job");
  predict->fallthrough();
  predict->add_option("endpoint", f.endpoint, "The endpoint")->required();
  predict->add_option("--input", f.input, "A .csv or .parquet file of rows to predict");
  predict->add_option("--output", f.output,
                      "Where to write the rows with their predictions (.csv or .parquet)");
  predict->add_option("--dataset", f.dataset, "Predict this dataset version instead: NAME@N");
  predict->add_option("--into", f.into, "With --dataset: the dataset the result is added to");
  predict->add_flag("--keep", f.keep, "Keep the scratch datasets a file prediction makes");
  predict->footer(
      "Examples: aimass predict fraud --input rows.csv --output scored.parquet\n"
      "          aimass predict fraud --dataset applications@2 --into applications_scored");
  On(predict, &ClientCommands::Predict);
}

int ClientCommands::Deploy() {
  const EndpointFlags& f = endpoints_;
  json body = {{"name", f.endpoint}, {"model", f.model}};
  if (!f.canary.empty()) body["canary"] = f.canary;
  if (!f.shadow.empty()) body["shadow"] = f.shadow;
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer = f.update ? api->Put("/endpoints/" + Segment(f.endpoint), body)
                         : api->Post("/endpoints", body);
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
  } else {
    *terminal_.out << "endpoint " << FieldText(*answer, "name") << " serves " << Serving(*answer) << " ("
                   << FieldText(*answer, "state") << ")\n";
  }
  return kExitOk;
}

int ClientCommands::EndpointsList() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer = api->Get("/endpoints");
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& e : answer->value("endpoints", json::array())) {
    rows.push_back({FieldText(e, "name"), FieldText(e, "model"), Serving(e), OneLine(FieldText(e, "state"), 50),
                    FieldText(e, "updated_at")});
  }
  *terminal_.out << FormatTable({"ENDPOINT", "MODEL", "SERVING", "STATE", "UPDATED"}, rows);
  return kExitOk;
}

int ClientCommands::EndpointsShow() {
  auto api = Connect();
  if (!api) return Report(api.error());
  auto answer = api->Get("/endpoints/" + Segment(endpoints_.name));
  if (!answer) return Report(answer.error());
  if (flags_.json) {
    PrintJson(*answer);
    return kExitOk;
  }
  *terminal_.out << "endpoint  " << FieldText(*answer, "name") << "\nmodel     "
                 << FieldText(*answer, "model") << "\nserving   " << Serving(*answer) << "\nstate     "
                 << FieldText(*answer, "state") << "\n";
  for (const auto& note : answer->value("serving", json::object()).value("notes", json::array())) {
    *terminal_.out << "note      " << CellText(note) << "\n";
  }
  return kExitOk;
}

int ClientCommands::EndpointsDelete() {
  if (auto refused = ConfirmDelete("endpoint '" + endpoints_.name + "'", endpoints_.yes)) {
    return *refused;
  }
  auto api = Connect();
  if (!api) return Report(api.error());
  if (auto deleted = api->Delete("/endpoints/" + Segment(endpoints_.name)); !deleted) {
    return Report(deleted.error());
  }
  if (flags_.json) {
    PrintJson({{"deleted", endpoints_.name}});
  } else {
    *terminal_.out << "deleted endpoint " << endpoints_.name << "\n";
  }
  return kExitOk;
}

int ClientCommands::Predict() {
  const EndpointFlags& f = endpoints_;
  const bool from_file = !f.input.empty();
  if (from_file == !f.dataset.empty()) {
    return Usage("give either --input FILE --output FILE, or --dataset NAME@N --into NAME");
  }
  std::string format;
  if (from_file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(f.input, ec)) {
      return Usage("no file to predict at '" + f.input + "'; check the path");
    }
    format = FormatFromExtension(f.output);
    if (f.output.empty() || format.empty()) {
      return Usage("--output needs a file named .csv or .parquet for the predictions");
    }
  } else if (f.into.empty()) {
    return Usage("--dataset needs --into NAME: the dataset the predictions are added to");
  }
  auto api = Connect();
  if (!api) return Report(api.error());

  // A file travels as a scratch dataset, named so that it is recognisable and unique.
  const std::string scratch = "predict-" + RandomHex(4);
  std::string input = f.dataset;
  const std::string output = from_file ? scratch + "-out" : f.into;
  const auto cleanup = [&] {
    if (!from_file || f.keep) return;
    (void)api->Delete("/datasets/" + Segment(scratch));
    (void)api->Delete("/datasets/" + Segment(output));
  };
  ProgressTarget progress{terminal_.err, terminal_.stderr_is_terminal};
  if (from_file) {
    const std::filesystem::path file(f.input);
    auto uploaded = UploadFile(
        *api,
        "/datasets?name=" + UrlEncode(scratch) + "&filename=" + UrlEncode(file.filename().string()),
        file, "uploading " + file.filename().string(), progress);
    if (!uploaded) return Report(uploaded.error());
    ProgressBar bar(*terminal_.err, terminal_.stderr_is_terminal);
    auto imported = WaitForJob(*api, (*uploaded)["job"].value("id", int64_t{0}), bar, wait_);
    if (!imported || imported->value("state", "") != "succeeded") {
      cleanup();
      return imported ? Outcome(*imported) : Report(imported.error());
    }
    input = scratch + "@1";
  }
  auto started = api->Post("/batch-predictions",
                           {{"endpoint", f.endpoint}, {"dataset", input}, {"output", output}});
  if (!started) {
    cleanup();
    return Report(started.error());
  }
  ProgressBar bar(*terminal_.err, terminal_.stderr_is_terminal);
  auto finished = WaitForJob(*api, (*started)["job"].value("id", int64_t{0}), bar, wait_);
  if (!finished || finished->value("state", "") != "succeeded" || !from_file) {
    if (from_file) cleanup();
    return finished ? Outcome(*finished) : Report(finished.error());
  }
  const json& result = (*finished)["result"];
  auto written = DownloadFile(*api,
                              "/datasets/" + Segment(output) + "/versions/" +
                                  std::to_string(result.value("version", int64_t{1})) +
                                  "/export?format=" + format,
                              f.output, 0, progress);
  cleanup();
  if (!written) return Report(written.error());
  if (flags_.json) {
    PrintJson(
        {{"file", f.output}, {"rows", result.value("row_count", int64_t{0})}, {"bytes", *written}});
  } else {
    *terminal_.out << "wrote " << f.output << ": " << result.value("row_count", int64_t{0})
                   << " rows with their predictions (" << FormatBytes(*written) << ")\n";
  }
  return kExitOk;
}

}  // namespace aimass::cli
