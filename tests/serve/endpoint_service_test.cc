// EndpointService over a real store, blob store and registry with small trained models:
// deploying by alias, following a moved alias, canary and shadow traffic, version pinning,
// bad requests, loading stored endpoints on Start, failed switches, and predictions while
// the version switches.
#include "serve/endpoint_service.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "serve/serve_fixture.h"

namespace aimass::serve {
namespace {
using nlohmann::json;
using testing::Record;
using testing::ServeTest;

constexpr const char* kSwitches = "aimass_endpoint_switches_total{endpoint=\"credit-api\"}";

class EndpointServiceTest : public ServeTest {
 protected:
  // credit@1 and credit@2 (different training data), champion -> credit@1.
  void RegisterTwoVersions() {
    ASSERT_EQ(RegisterTrained("credit", 1).version, 1);
    ASSERT_EQ(RegisterTrained("credit", 2).version, 2);
    ASSERT_TRUE(registry_->SetAlias("credit", "champion", 1));
  }

  // Deploys "credit-api" for `model`; fails the test when it does not deploy.
  EndpointStatus DeployApi(const std::string& model, const std::string& canary = "",
                           int percent = 0, const std::string& shadow = "") {
    auto endpoint = Endpoint("credit-api", model);
    endpoint.canary = canary;
    endpoint.canary_percent = percent;
    endpoint.shadow = shadow;
    auto deployed = service_->Deploy(endpoint);
    EXPECT_TRUE(deployed) << deployed.error().message;
    return deployed ? *deployed : EndpointStatus{};
  }

  // The version that answered one record; 0 on an error (which fails the test).
  int64_t AnsweringVersion(EndpointService& service, const PredictOptions& options = {}) {
    auto answer = service.Predict("credit-api", json::array({Record(1.0)}), options);
    EXPECT_TRUE(answer) << answer.error().message;
    return answer ? answer->model->version.version : 0;
  }
  int64_t AnsweringVersion() { return AnsweringVersion(*service_); }

  int64_t ServingVersion(EndpointService& service) {
    auto status = service.Get("credit-api");
    EXPECT_TRUE(status) << status.error().message;
    if (!status || !status->deployment) return 0;
    return status->deployment->model->version.version;
  }
};

TEST_F(EndpointServiceTest, DeployByAliasServesTheAliasedVersion) {
  RegisterTwoVersions();
  const EndpointStatus deployed = DeployApi("credit@champion");
  EXPECT_EQ(deployed.state, "ready");
  EXPECT_EQ(deployed.record.name, "credit-api");
  EXPECT_EQ(deployed.record.model, "credit@champion");
  EXPECT_GT(deployed.record.id, 0);
  EXPECT_EQ(deployed.record.created_at, clock_.NowMillis());
  ASSERT_TRUE(deployed.deployment);
  EXPECT_EQ(deployed.deployment->model->Ref(), "credit@1");
  EXPECT_EQ(deployed.deployment->canary, nullptr);
  auto stored = store_->ListEndpoints();
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].model, "credit@champion");
  ASSERT_EQ(service_->List().size(), 1u);

  PredictOptions options;
  options.request_id = "req-7";
  auto answer = service_->Predict(
      "credit-api", json::array({Record(2.5), Record(-2.5, "paris"), Record(0.0)}), options);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->model->version.version, 1);
  EXPECT_EQ(answer->id, "req-7");
  ASSERT_EQ(answer->predictions.size(), 3u);
  EXPECT_EQ(answer->predictions[0]["prediction"], "yes");  // x1 drives y
  EXPECT_EQ(answer->predictions[1]["prediction"], "no");
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(answer->predictions[i]["id"], "req-7-" + std::to_string(i));
    const json& p = answer->predictions[i]["probabilities"];
    EXPECT_NEAR(p["yes"].get<double>() + p["no"].get<double>(), 1.0, 1e-9);
    EXPECT_FALSE(answer->predictions[i].contains("contributions"));
  }
  // Without a request id the service makes one, different each time.
  auto first = service_->Predict("credit-api", json::array({Record(1)}), {});
  auto second = service_->Predict("credit-api", json::array({Record(1)}), {});
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(first->id.empty());
  EXPECT_NE(first->id, second->id);
  EXPECT_EQ(
      Metric("aimass_predictions_total{endpoint=\"credit-api\",model=\"credit@1\",outcome=\"ok\"}"),
      3);
}

TEST_F(EndpointServiceTest, ExplainAddsContributionsPerColumn) {
  RegisterTwoVersions();
  DeployApi("credit@1");
  PredictOptions options;
  options.explain = true;
  auto answer = service_->Predict("credit-api", json::array({Record(2.5), Record(-1)}), options);
  ASSERT_TRUE(answer) << answer.error().message;
  for (const auto& prediction : answer->predictions) {
    ASSERT_TRUE(prediction.contains("bias")) << prediction.dump();
    const json& contributions = prediction["contributions"];
    for (const char* column : {"x1", "x2", "x3", "city"}) {
      EXPECT_TRUE(contributions.contains(column)) << prediction.dump();
    }
  }
  // x1 pushes the first record up and the second down.
  EXPECT_GT(answer->predictions[0]["contributions"]["x1"].get<double>(), 0);
  EXPECT_LT(answer->predictions[1]["contributions"]["x1"].get<double>(), 0);
}

TEST_F(EndpointServiceTest, RefreshFollowsAMovedAlias) {
  RegisterTwoVersions();
  DeployApi("credit@champion");
  EXPECT_EQ(Metric(kSwitches), -1);  // no switch yet
  ASSERT_TRUE(registry_->SetAlias("credit", "champion", 2));
  EXPECT_EQ(AnsweringVersion(), 1);  // until the refresh
  service_->Refresh();
  EXPECT_EQ(ServingVersion(*service_), 2);
  EXPECT_EQ(service_->Get("credit-api")->state, "ready");
  EXPECT_EQ(AnsweringVersion(), 2);
  EXPECT_EQ(Metric(kSwitches), 1);
  // Nothing moved: no switch.
  service_->Refresh();
  EXPECT_EQ(Metric(kSwitches), 1);
  EXPECT_EQ(ServingVersion(*service_), 2);
  // "credit" alone follows the newest version.
  ASSERT_TRUE(service_->Update(Endpoint("credit-api", "credit")));
  EXPECT_EQ(ServingVersion(*service_), 2);
  RegisterTrained("credit", 1);  // credit@3
  service_->Refresh();
  EXPECT_EQ(ServingVersion(*service_), 3);
}

TEST_F(EndpointServiceTest, ADeployThatDoesNotLoadStoresNothing) {
  RegisterTwoVersions();
  auto missing = service_->Deploy(Endpoint("credit-api", "credit@7"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("credit@7"), std::string::npos) << missing.error().message;
  EXPECT_FALSE(service_->Deploy(Endpoint("credit-api", "nosuchmodel")));
  EXPECT_FALSE(service_->Deploy(Endpoint("credit-api", "credit@nosuchalias")));
  auto bad_canary = Endpoint("credit-api", "credit@1");
  bad_canary.canary = "credit@9";
  bad_canary.canary_percent = 10;
  EXPECT_FALSE(service_->Deploy(bad_canary));
  auto bad_shadow = Endpoint("credit-api", "credit@1");
  bad_shadow.shadow = "credit@9";
  EXPECT_FALSE(service_->Deploy(bad_shadow));
  for (int percent : {0, 101, -1}) {
    auto bad_percent = Endpoint("credit-api", "credit@1");
    bad_percent.canary = "credit@2";
    bad_percent.canary_percent = percent;
    auto refused = service_->Deploy(bad_percent);
    ASSERT_FALSE(refused) << percent;
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument) << percent;
  }
  EXPECT_EQ(service_->Deploy(Endpoint("bad name!", "credit@1")).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(service_->Deploy(Endpoint("credit-api", "")).error().code, ErrorCode::kInvalidArgument);

  auto stored = store_->ListEndpoints();
  ASSERT_TRUE(stored);
  EXPECT_TRUE(stored->empty());
  EXPECT_TRUE(service_->List().empty());
  EXPECT_EQ(service_->Get("credit-api").error().code, ErrorCode::kNotFound);
  // A second deploy of a name is a conflict, and the first stays.
  DeployApi("credit@1");
  auto twice = service_->Deploy(Endpoint("credit-api", "credit@2"));
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::kConflict);
  EXPECT_EQ(ServingVersion(*service_), 1);
}

TEST_F(EndpointServiceTest, UpdatePointsAnEndpointElsewhere) {
  RegisterTwoVersions();
  DeployApi("credit@1");
  clock_.Advance(1000);
  auto updated = service_->Update(Endpoint("credit-api", "credit@2"));
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(updated->deployment->model->Ref(), "credit@2");
  EXPECT_EQ(updated->record.updated_at, clock_.NowMillis());
  EXPECT_EQ(store_->GetEndpoint("credit-api")->model, "credit@2");
  EXPECT_EQ(AnsweringVersion(), 2);
  EXPECT_EQ(Metric(kSwitches), 1);

  // An update that does not load changes nothing.
  auto broken = service_->Update(Endpoint("credit-api", "credit@9"));
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetEndpoint("credit-api")->model, "credit@2");
  EXPECT_EQ(AnsweringVersion(), 2);
  // Nor does one of an endpoint that does not exist.
  auto unknown = service_->Update(Endpoint("nope", "credit@1"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->ListEndpoints()->size(), 1u);
}

TEST_F(EndpointServiceTest, DeleteForgetsTheEndpointItsMetricsAndItsLog) {
  RegisterTwoVersions();
  DeployApi("credit@1");
  auto other = service_->Deploy(Endpoint("other", "credit@2"));
  ASSERT_TRUE(other);
  EXPECT_EQ(AnsweringVersion(), 1);
  log_->Flush();
  ASSERT_TRUE(std::filesystem::exists(dir_ / "predictions" / "credit-api"));
  ASSERT_GT(Metric("aimass_prediction_batch_rows_count{endpoint=\"credit-api\"}"), 0);

  ASSERT_TRUE(service_->Delete("credit-api"));
  EXPECT_EQ(service_->Get("credit-api").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->Predict("credit-api", json::array({Record(1)}), {}).error().code,
            ErrorCode::kNotFound);
  EXPECT_FALSE(store_->GetEndpoint("credit-api"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "predictions" / "credit-api"));
  EXPECT_EQ(Metric("aimass_prediction_batch_rows_count{endpoint=\"credit-api\"}"), -1);
  EXPECT_EQ(service_->Delete("credit-api").error().code, ErrorCode::kNotFound);
  // The other endpoint is untouched, and a refresh does not bring the deleted one back.
  service_->Refresh();
  ASSERT_EQ(service_->List().size(), 1u);
  EXPECT_EQ(service_->List()[0].record.name, "other");
}

TEST_F(EndpointServiceTest, ACanaryTakesItsShareOfTheRequests) {
  RegisterTwoVersions();
  const EndpointStatus deployed = DeployApi("credit@1", "credit@2", 50);
  ASSERT_TRUE(deployed.deployment && deployed.deployment->canary);
  EXPECT_EQ(deployed.deployment->canary->Ref(), "credit@2");
  std::map<int64_t, int> answered;
  for (int i = 0; i < 200; ++i) ++answered[AnsweringVersion()];
  EXPECT_EQ(answered.size(), 2u);
  EXPECT_GT(answered[1], 50);  // binomial(200, 0.5): 50 is 7 standard deviations off
  EXPECT_GT(answered[2], 50);

  // 100% goes to the canary alone.
  auto all = Endpoint("credit-api", "credit@1");
  all.canary = "credit@2";
  all.canary_percent = 100;
  ASSERT_TRUE(service_->Update(all));
  for (int i = 0; i < 20; ++i) EXPECT_EQ(AnsweringVersion(), 2);
}

TEST_F(EndpointServiceTest, ShadowAnswersAreLoggedNeverReturned) {
  RegisterTwoVersions();
  DeployApi("credit@1", "", 0, "credit@2");
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    auto answer = service_->Predict("credit-api", json::array({Record(i % 2 ? 2.0 : -2.0)}), {});
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_EQ(answer->model->Ref(), "credit@1");
    ASSERT_EQ(answer->predictions.size(), 1u);
    for (const auto& [key, value] : answer->predictions[0].items()) {
      EXPECT_TRUE(key == "prediction" || key == "probabilities" || key == "id") << key;
    }
    ids.push_back(answer->predictions[0]["id"]);
  }
  for (int i = 0; i < 20; i += 2) ASSERT_TRUE(service_->Feedback("credit-api", ids[i], "no"));
  service_.reset();  // its destructor waits for the shadow predictions
  auto quality = log_->Quality("credit-api");
  ASSERT_TRUE(quality) << quality.error().message;
  ASSERT_EQ((*quality)["versions"].size(), 2u) << quality->dump();
  for (const auto& item : (*quality)["versions"]) {
    EXPECT_EQ(item["model"], item["shadow"] == true ? "credit@2" : "credit@1") << item;
    EXPECT_EQ(item["predictions"], 20) << item;
    EXPECT_EQ(item["with_feedback"], 10) << item;
    EXPECT_DOUBLE_EQ(item["accuracy"].get<double>(), 1.0) << item;
  }
  EXPECT_EQ(Metric("aimass_predictions_total{endpoint=\"credit-api\",model=\"credit@2\","
                   "outcome=\"shadow_ok\"}"),
            20);
}

TEST_F(EndpointServiceTest, TheFastLaneAnswersAsPredictDoesAndLogsTheSame) {
  RegisterTwoVersions();
  DeployApi("credit@1");
  const json records = json::array({Record(2.5), Record(-1, "lima")});
  const std::string body = json({{"instances", records}}).dump(2);  // whitespace too
  auto fast = service_->PredictInstances("credit-api", body);
  ASSERT_TRUE(fast.has_value()) << "the plain form should take the fast lane";
  ASSERT_TRUE(*fast) << fast->error().message;
  const json answer = json::parse(**fast);
  auto general = service_->Predict("credit-api", records, {});
  ASSERT_TRUE(general) << general.error().message;
  EXPECT_EQ(answer["endpoint"], "credit-api");
  EXPECT_EQ(answer["model"], "credit@1");
  EXPECT_EQ(answer["version"], 1);
  ASSERT_EQ(answer["predictions"].size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const json& a = answer["predictions"][i];
    const json& b = general->predictions[i];
    EXPECT_EQ(a["id"], answer["id"].get<std::string>() + "-" + std::to_string(i));
    EXPECT_EQ(a["prediction"], b["prediction"]);
    for (const auto& [label, p] : b["probabilities"].items()) {
      EXPECT_EQ(a["probabilities"][label].get<double>(), p.get<double>()) << label;
    }
  }
  // Feedback finds the fast lane's ids in the log, which kept each record as sent.
  ASSERT_TRUE(service_->Feedback("credit-api", answer["predictions"][0]["id"],
                                 answer["predictions"][0]["prediction"]));
  auto quality = log_->Quality("credit-api");
  ASSERT_TRUE(quality) << quality.error().message;
  ASSERT_EQ((*quality)["versions"].size(), 1u) << quality->dump();
  EXPECT_EQ((*quality)["versions"][0]["predictions"], 4);
  EXPECT_EQ((*quality)["versions"][0]["with_feedback"], 1);
  EXPECT_EQ(Metric("aimass_predictions_total{endpoint=\"credit-api\",model=\"credit@1\","
                   "outcome=\"ok\"}"),
            2);

  // Other forms, and endpoints with a shadow, go the general way.
  EXPECT_FALSE(service_->PredictInstances("credit-api", R"({"instances":[{"x1":1}]})"));
  EXPECT_FALSE(service_->PredictInstances("nope", body));
  auto endpoint = Endpoint("credit-api", "credit@1");
  endpoint.shadow = "credit@2";
  ASSERT_TRUE(service_->Update(endpoint));
  EXPECT_FALSE(service_->PredictInstances("credit-api", body));
}

TEST_F(EndpointServiceTest, FeedbackIsChecked) {
  RegisterTwoVersions();
  DeployApi("credit@1");
  EXPECT_EQ(service_->Feedback("nope", "p1-0", "yes").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->Feedback("credit-api", "", "yes").error().code, ErrorCode::kInvalidArgument);
  for (const json& truth : {json(nullptr), json::object(), json::array({1})}) {
    EXPECT_EQ(service_->Feedback("credit-api", "p1-0", truth).error().code,
              ErrorCode::kInvalidArgument)
        << truth;
  }
  EXPECT_TRUE(service_->Feedback("credit-api", "p1-0", "yes"));
}

TEST_F(EndpointServiceTest, AVersionCanBeAskedForByNumber) {
  RegisterTwoVersions();
  DeployApi("credit@1", "credit@2", 10);
  PredictOptions two, one, three;
  two.version = 2;
  one.version = 1;
  three.version = 3;
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(AnsweringVersion(*service_, two), 2);
    EXPECT_EQ(AnsweringVersion(*service_, one), 1);
  }
  auto missing = service_->Predict("credit-api", json::array({Record(1)}), three);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("credit@1"), std::string::npos);
}

TEST_F(EndpointServiceTest, BadRecordsAreInvalidArguments) {
  RegisterTwoVersions();
  DeployApi("credit@1");
  json too_many = json::array();
  for (int i = 0; i < 51; ++i) too_many.push_back(Record(i));  // max_records is 50
  json fifty = too_many;
  fifty.erase(fifty.begin());
  json missing_column = Record(1);
  missing_column.erase("x3");
  json infinite = Record(1);
  infinite["x2"] = "inf";
  for (const json& records : {too_many, json(Record(1)), json::array(), json("x1=1"),
                              json::array({1, 2}), json::array({Record(1), json::array()}),
                              json::array({missing_column}), json::array({infinite})}) {
    auto answer = service_->Predict("credit-api", records, {});
    ASSERT_FALSE(answer) << records.dump().substr(0, 80);
    EXPECT_EQ(answer.error().code, ErrorCode::kInvalidArgument) << answer.error().message;
  }
  auto ok = service_->Predict("credit-api", fifty, {});
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->predictions.size(), 50u);
  // null is how a missing value is sent.
  json with_null = Record(1);
  with_null["x2"] = nullptr;
  EXPECT_TRUE(service_->Predict("credit-api", json::array({with_null}), {}));
}

TEST_F(EndpointServiceTest, AnUnknownEndpointIsNotFound) {
  EXPECT_EQ(service_->Predict("nope", json::array({Record(1)}), {}).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(service_->Get("nope").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->Delete("nope").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(service_->List().empty());
}

TEST_F(EndpointServiceTest, StartLoadsTheStoredEndpoints) {
  RegisterTwoVersions();
  DeployApi("credit@champion", "credit@2", 30);
  ASSERT_TRUE(service_->Deploy(Endpoint("second", "credit@2")));
  // One stored by an older process that no longer loads.
  ASSERT_TRUE(store_->CreateEndpoint(Endpoint("broken", "credit@9"), clock_.NowMillis()));

  // Another process over the same data directory: its own loader, log and metrics.
  ModelLoader loader(*registry_);
  PredictionLogOptions log_options;
  log_options.dir = dir_ / "predictions-restarted";
  PredictionLog log(log_options, clock_);
  monitor::MetricsRegistry metrics;
  EndpointService restarted(*store_, loader, log, metrics, clock_);
  EXPECT_FALSE(restarted.Ready());
  EXPECT_EQ(restarted.Get("second")->state, "loading");  // stored, not loaded yet
  EXPECT_EQ(restarted.Predict("second", json::array({Record(1)}), {}).error().code,
            ErrorCode::kUnavailable);
  restarted.Start();
  EXPECT_TRUE(restarted.Ready());
  EXPECT_EQ(restarted.List().size(), 3u);

  auto api = restarted.Get("credit-api");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->state, "ready");
  ASSERT_TRUE(api->deployment);
  EXPECT_EQ(api->deployment->model->Ref(), "credit@1");
  EXPECT_EQ(api->deployment->canary->Ref(), "credit@2");
  EXPECT_EQ(api->record.canary_percent, 30);
  EXPECT_GT(AnsweringVersion(restarted), 0);  // 1, or 2 through the canary
  auto second = restarted.Predict("second", json::array({Record(1)}), {});
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->model->Ref(), "credit@2");
  // Both services share nothing but the store: the loaded versions are the restarted
  // loader's own.
  EXPECT_EQ(loader.LoadedCount(), 2);

  auto broken = restarted.Get("broken");
  ASSERT_TRUE(broken);
  EXPECT_TRUE(broken->state.starts_with("failed: ")) << broken->state;
  EXPECT_NE(broken->state.find("credit@9"), std::string::npos) << broken->state;
  EXPECT_EQ(broken->deployment, nullptr);
  EXPECT_EQ(restarted.Predict("broken", json::array({Record(1)}), {}).error().code,
            ErrorCode::kUnavailable);
}

TEST_F(EndpointServiceTest, AFailedEndpointStillShowsItsStoredModel) {
  RegisterTwoVersions();
  ASSERT_TRUE(store_->CreateEndpoint(Endpoint("broken", "credit@9"), clock_.NowMillis()));
  service_->Start();
  auto broken = service_->Get("broken");
  ASSERT_TRUE(broken);
  EXPECT_TRUE(broken->state.starts_with("failed: ")) << broken->state;
  EXPECT_EQ(broken->record.name, "broken");
  EXPECT_EQ(broken->record.model, "credit@9");
}

TEST_F(EndpointServiceTest, ASwitchToAVersionThatDoesNotLoadKeepsTheOldOne) {
  RegisterTwoVersions();
  // credit@3 is registered but is no pipeline.
  ASSERT_EQ(RegisterFiles("credit", {{"model.json", "not a pipeline manifest"}}).version, 3);
  DeployApi("credit@champion");
  ASSERT_TRUE(registry_->SetAlias("credit", "champion", 3));
  service_->Refresh();
  auto status = service_->Get("credit-api");
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->state.starts_with("ready (switching failed: ")) << status->state;
  EXPECT_NE(status->state.find("credit@champion"), std::string::npos) << status->state;
  EXPECT_EQ(ServingVersion(*service_), 1);
  EXPECT_EQ(AnsweringVersion(), 1);
  EXPECT_EQ(Metric(kSwitches), -1);
  // Once the alias points at a good version, the next refresh switches.
  ASSERT_TRUE(registry_->SetAlias("credit", "champion", 2));
  service_->Refresh();
  EXPECT_EQ(service_->Get("credit-api")->state, "ready");
  EXPECT_EQ(AnsweringVersion(), 2);
  EXPECT_EQ(Metric(kSwitches), 1);
}

TEST_F(EndpointServiceTest, AMalformedManifestIsAnErrorNotAnException) {
  RegisterTwoVersions();
  // JSON, but "format" is a number: a bundle import can register such a version.
  ASSERT_EQ(RegisterFiles("credit", {{"model.json", R"({"format":1})"}}).version, 3);
  std::string thrown;
  try {
    auto deployed = service_->Deploy(Endpoint("credit-api", "credit@3"));
    EXPECT_FALSE(deployed);
  } catch (const std::exception& e) {
    thrown = e.what();
  }
  EXPECT_TRUE(thrown.empty()) << thrown;
  EXPECT_TRUE(store_->ListEndpoints()->empty());
}

TEST_F(EndpointServiceTest, ModelFilesNestedTooDeepAreRefusedNotCrashedOn) {
  // A bundle import registers any bytes; the JSON and UBJSON readers of model files recurse
  // once per level, and 100,000 levels overflowed the stack when the version was loaded.
  const std::string deep_json =
      "{\"format\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  std::string deep_ubjson = "{i\007learner{";
  for (int i = 0; i < 100000; ++i) deep_ubjson += "i\001a{";
  deep_ubjson += std::string(100002, '}');
  auto files = testing::TrainedFiles(1).files;
  const std::string learner = "members/0.model";  // XGBoost UBJSON
  ASSERT_TRUE(files.contains(learner)) << "the trained pipeline has no " << learner;
  files[learner] = deep_ubjson;
  const std::vector<std::pair<int64_t, std::string>> cases = {
      {RegisterFiles("deep", {{"model.json", deep_json}}).version, "model.json"},
      {RegisterFiles("deep", files).version, learner}};
  for (const auto& [version, member] : cases) {
    auto deployed = service_->Deploy(Endpoint("deep-api", "deep@" + std::to_string(version)));
    ASSERT_FALSE(deployed) << member;
    EXPECT_EQ(deployed.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(deployed.error().message.find("member '" + member +
                                            "' nests arrays and objects deeper than 64 levels"),
              std::string::npos)
        << deployed.error().message;
  }
}

TEST_F(EndpointServiceTest, ASwitchToAVersionWhoseFilesAreGoneKeepsTheOldOne) {
  RegisterTwoVersions();
  DeployApi("credit@champion");
  // Remove a blob that only credit@2 uses.
  auto v1 = registry_->Version({"credit", 1, ""});
  auto v2 = registry_->Version({"credit", 2, ""});
  ASSERT_TRUE(v1 && v2);
  std::set<std::string> v1_hashes;
  for (const auto& member : v1->members) v1_hashes.insert(member.blob_hash);
  int removed = 0;
  for (const auto& member : v2->members) {
    if (v1_hashes.contains(member.blob_hash)) continue;
    auto file = blobs_->Open(member.blob_hash);
    ASSERT_TRUE(file);
    removed += std::filesystem::remove(file->path());
  }
  ASSERT_GT(removed, 0);
  ASSERT_TRUE(registry_->SetAlias("credit", "champion", 2));
  service_->Refresh();
  auto status = service_->Get("credit-api");
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->state.starts_with("ready (switching failed: ")) << status->state;
  EXPECT_NE(status->state.find("missing"), std::string::npos) << status->state;
  EXPECT_EQ(ServingVersion(*service_), 1);
  EXPECT_EQ(AnsweringVersion(), 1);
}

TEST_F(EndpointServiceTest, AFailedSwitchStateClearsWhenTheAliasMovesBack) {
  RegisterTwoVersions();
  ASSERT_EQ(RegisterFiles("credit", {{"model.json", "not a pipeline manifest"}}).version, 3);
  DeployApi("credit@champion");
  ASSERT_TRUE(registry_->SetAlias("credit", "champion", 3));
  service_->Refresh();
  ASSERT_TRUE(service_->Get("credit-api")->state.starts_with("ready (switching failed"));
  // Someone moves the alias back to the version being served.
  ASSERT_TRUE(registry_->SetAlias("credit", "champion", 1));
  service_->Refresh();
  EXPECT_EQ(AnsweringVersion(), 1);
  const std::string state = service_->Get("credit-api")->state;
  EXPECT_EQ(state, "ready");
}

TEST_F(EndpointServiceTest, ARefreshDropsEndpointsDeletedFromTheStore) {
  RegisterTwoVersions();
  DeployApi("credit@1");
  ASSERT_TRUE(store_->DeleteEndpoint("credit-api"));  // another process deleted it
  service_->Refresh();
  EXPECT_TRUE(service_->List().empty());
  EXPECT_EQ(service_->Predict("credit-api", json::array({Record(1)}), {}).error().code,
            ErrorCode::kNotFound);
}

TEST_F(EndpointServiceTest, PredictionsWhileTheVersionSwitchesAllSucceed) {
  RegisterTwoVersions();
  DeployApi("credit@champion");
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0}, answered{0};
  std::array<std::atomic<int>, 3> by_version{};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      while (!stop) {
        auto answer = service_->Predict("credit-api",
                                        json::array({Record(t - 1.5), Record(0.5, "rome")}), {});
        if (!answer || answer->predictions.size() != 2) {
          ++failures;
          continue;
        }
        ++answered;
        const int64_t version = answer->model->version.version;
        if (version == 1 || version == 2) ++by_version[version];
      }
    });
  }
  int switches = 0;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(registry_->SetAlias("credit", "champion", i % 2 == 0 ? 2 : 1));
    service_->Refresh();
    ++switches;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop = true;
  for (auto& client : clients) client.join();
  EXPECT_EQ(failures, 0);
  EXPECT_GT(answered, 0);
  EXPECT_EQ(by_version[1] + by_version[2], answered);  // no other version ever answered
  EXPECT_GT(by_version[2], 0);
  EXPECT_EQ(Metric(kSwitches), switches);
  EXPECT_EQ(ServingVersion(*service_), 1);
}

}  // namespace
}  // namespace aimass::serve
