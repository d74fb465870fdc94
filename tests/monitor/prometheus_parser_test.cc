// Conformance: the text that MetricsRegistry::Expose() writes, read back by the parser of
// Prometheus's official Python client (Debian's python3-prometheus-client, installed by
// scripts/setup), must give back the families, types, help, labels and values written.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "monitor/metrics.h"

namespace aimass::monitor {
namespace {
namespace fs = std::filesystem;

constexpr const char* kParseScript = R"(
import json, sys
from prometheus_client.parser import text_string_to_metric_families
with open(sys.argv[1], encoding="utf-8") as f:
    text = f.read()
families = []
for family in text_string_to_metric_families(text):
    families.append({"name": family.name, "type": family.type, "help": family.documentation,
                     "samples": [[s.name, s.labels, repr(s.value)] for s in family.samples]})
print(json.dumps(families))
)";

// Runs the Python parser on `text`; its families as JSON.
nlohmann::json ParseWithPrometheusClient(const std::string& text) {
  const fs::path dir =
      fs::temp_directory_path() / ("aimass-monitor-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  std::ofstream(dir / "metrics.txt", std::ios::binary) << text;
  std::ofstream(dir / "parse.py") << kParseScript;
  const std::string command = "/usr/bin/python3 " + (dir / "parse.py").string() + " " +
                              (dir / "metrics.txt").string() + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  if (pipe != nullptr) {
    char buffer[4096];
    while (size_t got = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, got);
  }
  const int status = pipe != nullptr ? pclose(pipe) : -1;
  fs::remove_all(dir);
  if (status != 0) {
    ADD_FAILURE() << "the Prometheus parser failed: " << output;
    return nlohmann::json::array();
  }
  return nlohmann::json::parse(output);
}

// The parsed family called `name` (the parser drops a counter's `_total`), or null.
const nlohmann::json* FindFamily(const nlohmann::json& families, const std::string& name) {
  for (const nlohmann::json& family : families) {
    if (family.at("name") == name) return &family;
  }
  return nullptr;
}

// The value of the sample `name` with exactly `labels` in `family`; NaN-safe comparison is
// up to the caller. Fails the test when there is no such sample.
std::optional<double> SampleValue(const nlohmann::json& family, const std::string& name,
                                  const std::map<std::string, std::string>& labels) {
  for (const nlohmann::json& sample : family.at("samples")) {
    if (sample.at(0) == name && sample.at(1).get<std::map<std::string, std::string>>() == labels) {
      return std::strtod(sample.at(2).get<std::string>().c_str(), nullptr);  // repr(): inf, nan
    }
  }
  ADD_FAILURE() << "no sample " << name << " with those labels in " << family.dump();
  return std::nullopt;
}

TEST(PrometheusParserTest, PythonClientIsInstalled) {
  ASSERT_EQ(std::system("/usr/bin/python3 -c 'import prometheus_client.parser' 2>/dev/null"), 0)
      << "the conformance tests need /usr/bin/python3 with prometheus_client: run "
         "scripts/setup (apt-get install python3-prometheus-client)";
}

TEST(PrometheusParserTest, ExpositionReadsBackThroughTheOfficialParser) {
  MetricsRegistry registry;
  const std::string odd = "back\\slash \"quoted\" {a=b, c}\nnext line caf\xc3\xa9";
  CounterFamily& requests = registry.Counter(
      "aimass_requests_total", "Requests answered,\nby endpoint \\ code.", {"endpoint", "code"});
  requests.With({"fraud", "200"}).Add(1e6);
  requests.With({odd, "500"}).Add(0.25);
  GaugeFamily& values = registry.Gauge("aimass_odd_values", "Odd values.", {"kind"});
  values.With({"plus"}).Set(INFINITY);
  values.With({"minus"}).Set(-INFINITY);
  values.With({"nan"}).Set(NAN);
  values.With({"tiny"}).Set(1e-7);
  values.With({"negative"}).Set(-42.5);
  values.With({""}).Set(3);
  Histogram& latency =
      registry.Histogram("aimass_request_duration_seconds", "Latency.", {"endpoint"}, {0.005, 0.5})
          .With({"fraud"});
  latency.Observe(0.001);
  latency.Observe(0.25);
  latency.Observe(2);
  registry.CallbackGauge("aimass_loaded_models", "Models in memory.").Set({}, [] { return 4.0; });

  const nlohmann::json families = ParseWithPrometheusClient(registry.Expose());
  ASSERT_EQ(families.size(), 4u) << families.dump(2);  // a stray sample becomes its own family

  const nlohmann::json* counter = FindFamily(families, "aimass_requests");
  ASSERT_NE(counter, nullptr) << families.dump(2);
  EXPECT_EQ(counter->at("type"), "counter");
  EXPECT_EQ(counter->at("help"), "Requests answered,\nby endpoint \\ code.");
  EXPECT_EQ(counter->at("samples").size(), 2u);
  EXPECT_EQ(
      SampleValue(*counter, "aimass_requests_total", {{"endpoint", "fraud"}, {"code", "200"}}),
      1e6);
  EXPECT_EQ(SampleValue(*counter, "aimass_requests_total", {{"endpoint", odd}, {"code", "500"}}),
            0.25);

  const nlohmann::json* gauge = FindFamily(families, "aimass_odd_values");
  ASSERT_NE(gauge, nullptr);
  EXPECT_EQ(gauge->at("type"), "gauge");
  EXPECT_EQ(SampleValue(*gauge, "aimass_odd_values", {{"kind", "plus"}}), INFINITY);
  EXPECT_EQ(SampleValue(*gauge, "aimass_odd_values", {{"kind", "minus"}}), -INFINITY);
  EXPECT_TRUE(std::isnan(SampleValue(*gauge, "aimass_odd_values", {{"kind", "nan"}}).value_or(0)));
  EXPECT_EQ(SampleValue(*gauge, "aimass_odd_values", {{"kind", "tiny"}}), 1e-7);
  EXPECT_EQ(SampleValue(*gauge, "aimass_odd_values", {{"kind", "negative"}}), -42.5);
  EXPECT_EQ(SampleValue(*gauge, "aimass_odd_values", {{"kind", ""}}), 3);

  const nlohmann::json* histogram = FindFamily(families, "aimass_request_duration_seconds");
  ASSERT_NE(histogram, nullptr);
  EXPECT_EQ(histogram->at("type"), "histogram");
  const std::string name = "aimass_request_duration_seconds";
  EXPECT_EQ(SampleValue(*histogram, name + "_bucket", {{"endpoint", "fraud"}, {"le", "0.005"}}), 1);
  EXPECT_EQ(SampleValue(*histogram, name + "_bucket", {{"endpoint", "fraud"}, {"le", "0.5"}}), 2);
  EXPECT_EQ(SampleValue(*histogram, name + "_bucket", {{"endpoint", "fraud"}, {"le", "+Inf"}}), 3);
  EXPECT_EQ(SampleValue(*histogram, name + "_sum", {{"endpoint", "fraud"}}), 0.001 + 0.25 + 2);
  EXPECT_EQ(SampleValue(*histogram, name + "_count", {{"endpoint", "fraud"}}), 3);

  const nlohmann::json* models = FindFamily(families, "aimass_loaded_models");
  ASSERT_NE(models, nullptr);
  EXPECT_EQ(models->at("type"), "gauge");
  EXPECT_EQ(SampleValue(*models, "aimass_loaded_models", {}), 4);
}

}  // namespace
}  // namespace aimass::monitor
