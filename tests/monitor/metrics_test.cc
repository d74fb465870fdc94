#include "monitor/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

#include "monitor/text_format.h"

namespace aimass::monitor {
namespace {

std::string Formatted(double value) {
  std::string out;
  AppendValue(out, value);
  return out;
}

TEST(MetricsRegistryTest, SmallRegistryExposesExactText) {
  MetricsRegistry registry;
  CounterFamily& requests =
      registry.Counter("aimass_requests_total", "Requests answered.", {"endpoint", "code"});
  Counter& fraud_ok = requests.With({"fraud", "200"});
  for (int i = 0; i < 3; ++i) fraud_ok.Increment();
  requests.With({"churn", "500"}).Add(2);
  Gauge& in_flight = registry.Gauge("aimass_requests_in_flight", "Requests being answered.").With();
  in_flight.Set(4);
  in_flight.Decrement();
  Histogram& latency =
      registry
          .Histogram("aimass_request_duration_seconds", "Time to answer.", {"endpoint"}, {0.1, 1})
          .With({"fraud"});
  latency.Observe(0.25);
  latency.Observe(0.5);
  latency.Observe(3);

  EXPECT_EQ(registry.Expose(),
            "# HELP aimass_request_duration_seconds Time to answer.\n"
            "# TYPE aimass_request_duration_seconds histogram\n"
            "aimass_request_duration_seconds_bucket{endpoint=\"fraud\",le=\"0.1\"} 0\n"
            "aimass_request_duration_seconds_bucket{endpoint=\"fraud\",le=\"1\"} 2\n"
            "aimass_request_duration_seconds_bucket{endpoint=\"fraud\",le=\"+Inf\"} 3\n"
            "aimass_request_duration_seconds_sum{endpoint=\"fraud\"} 3.75\n"
            "aimass_request_duration_seconds_count{endpoint=\"fraud\"} 3\n"
            "# HELP aimass_requests_in_flight Requests being answered.\n"
            "# TYPE aimass_requests_in_flight gauge\n"
            "aimass_requests_in_flight 3\n"
            "# HELP aimass_requests_total Requests answered.\n"
            "# TYPE aimass_requests_total counter\n"
            "aimass_requests_total{endpoint=\"churn\",code=\"500\"} 2\n"
            "aimass_requests_total{endpoint=\"fraud\",code=\"200\"} 3\n");
  EXPECT_EQ(fraud_ok.Value(), 3);
  EXPECT_EQ(in_flight.Value(), 3);
}

TEST(MetricsRegistryTest, FamiliesWithoutLabelsShowZeroAndEmptyFamiliesAreLeftOut) {
  MetricsRegistry registry;
  registry.Counter("jobs_total", "");
  registry.Counter("errors_total", "Errors.", {"endpoint"});
  registry.Histogram("wait_seconds", "Wait.", {}, {1});
  EXPECT_EQ(registry.Expose(),
            "# TYPE jobs_total counter\n"
            "jobs_total 0\n"
            "# HELP wait_seconds Wait.\n"
            "# TYPE wait_seconds histogram\n"
            "wait_seconds_bucket{le=\"1\"} 0\n"
            "wait_seconds_bucket{le=\"+Inf\"} 0\n"
            "wait_seconds_sum 0\n"
            "wait_seconds_count 0\n");
}

TEST(MetricsRegistryTest, NumbersAreFormattedAsPrometheusReadsThem) {
  EXPECT_EQ(Formatted(0), "0");
  EXPECT_EQ(Formatted(-0.0), "0");
  EXPECT_EQ(Formatted(1), "1");
  EXPECT_EQ(Formatted(-3), "-3");
  EXPECT_EQ(Formatted(1e6), "1000000");
  EXPECT_EQ(Formatted(123456789012), "123456789012");
  EXPECT_EQ(Formatted(9007199254740992.0), "9007199254740992");
  EXPECT_EQ(Formatted(0.0005), "0.0005");
  EXPECT_EQ(Formatted(2.5), "2.5");
  EXPECT_EQ(Formatted(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(Formatted(0.00012), "0.00012");
  EXPECT_EQ(Formatted(1.5e-5), "1.5e-05");
  EXPECT_EQ(Formatted(1e-7), "1e-07");
  EXPECT_EQ(Formatted(1234567.5), "1234567.5");
  EXPECT_EQ(Formatted(std::ldexp(1.0, 54)), "18014398509481984");
  EXPECT_EQ(Formatted(1e21), "1e+21");
  EXPECT_EQ(Formatted(1e300), "1e+300");
  EXPECT_EQ(Formatted(INFINITY), "+Inf");
  EXPECT_EQ(Formatted(-INFINITY), "-Inf");
  EXPECT_EQ(Formatted(NAN), "NaN");
}

TEST(MetricsRegistryTest, HelpAndLabelValuesAreEscaped) {
  MetricsRegistry registry;
  registry.Gauge("odd", "A \\ help\nwith \"quotes\".", {"name"})
      .With({"back\\slash \"quoted\"\nnext line"})
      .Set(1);
  EXPECT_EQ(registry.Expose(),
            "# HELP odd A \\\\ help\\nwith \"quotes\".\n"
            "# TYPE odd gauge\n"
            "odd{name=\"back\\\\slash \\\"quoted\\\"\\nnext line\"} 1\n");
}

TEST(MetricsRegistryTest, AskingAgainReturnsTheSameFamilyAndChild) {
  MetricsRegistry registry;
  CounterFamily& first = registry.Counter("hits_total", "Hits.", {"endpoint"});
  CounterFamily& again = registry.Counter("hits_total", "Other help is ignored.", {"endpoint"});
  EXPECT_EQ(&first, &again);
  EXPECT_EQ(&first.With({"a"}), &again.With({"a"}));
  EXPECT_NE(&first.With({"a"}), &first.With({"b"}));
  EXPECT_EQ(first.help(), "Hits.");
  EXPECT_EQ(&registry.Histogram("h", "", {}, {1, 2}), &registry.Histogram("h", "", {}, {1, 2}));
}

TEST(MetricsRegistryTest, CounterIgnoresNegativeAndNaNAndKeepsFractions) {
  Counter counter;
  counter.Add(2);
  counter.Add(0.25);
  counter.Add(-1);
  counter.Add(NAN);
  counter.Increment();
  EXPECT_EQ(counter.Value(), 3.25);
  counter.Add(INFINITY);
  EXPECT_EQ(counter.Value(), INFINITY);
}

TEST(MetricsRegistryTest, HistogramBucketsAreCumulative) {
  const std::vector<double> bounds = {1, 2, 5};
  Histogram histogram(bounds);
  for (double value : {0.5, 1.0, 1.5, 2.0, 4.0, 7.0, -3.0}) histogram.Observe(value);
  HistogramSnapshot snapshot = histogram.Read();
  // An observation equal to a bound counts in that bound's bucket ("less or equal").
  EXPECT_EQ(snapshot.cumulative_counts, (std::vector<uint64_t>{3, 5, 6, 7}));
  EXPECT_EQ(snapshot.count, 7u);
  EXPECT_EQ(snapshot.sum, 13);
  histogram.Observe(NAN);
  snapshot = histogram.Read();
  EXPECT_EQ(snapshot.cumulative_counts, (std::vector<uint64_t>{3, 5, 6, 8}));
  EXPECT_TRUE(std::isnan(snapshot.sum));
}

TEST(MetricsRegistryTest, DefaultLatencyBucketsAreExposedInOrder) {
  MetricsRegistry registry;
  registry.Histogram("latency_seconds", "Latency.").With().Observe(0.003);
  const std::string text = registry.Expose();
  std::string expected_buckets;
  const char* les[] = {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
                       "0.25",   "0.5",   "1",      "2.5",   "5",    "10",    "+Inf"};
  int cumulative = 0;
  for (const char* le : les) {
    if (std::string(le) == "0.005") cumulative = 1;
    expected_buckets += "latency_seconds_bucket{le=\"" + std::string(le) + "\"} " +
                        std::to_string(cumulative) + "\n";
  }
  EXPECT_NE(text.find(expected_buckets + "latency_seconds_sum 0.003\nlatency_seconds_count 1\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(ExponentialBuckets(1, 2, 4), (std::vector<double>{1, 2, 4, 8}));
}

TEST(MetricsRegistryTest, ConcurrentUpdatesAddUpExactly) {
  MetricsRegistry registry;
  CounterFamily& requests = registry.Counter("requests_total", "Requests.", {"endpoint"});
  GaugeFamily& level = registry.Gauge("level", "Level.");
  HistogramFamily& sizes = registry.Histogram("batch_size", "Batch.", {}, {1, 2});
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      Counter& counter = requests.With({"fraud"});  // every thread takes the same child
      Counter& halves = requests.With({"halves"});
      Gauge& gauge = level.With();
      Histogram& histogram = sizes.With();
      for (int i = 0; i < kPerThread; ++i) {
        counter.Increment();
        halves.Add(0.5);
        gauge.Add(1);
        histogram.Observe(i % 3);  // 0, 1, 2
      }
    });
  }
  for (auto& thread : threads) thread.join();
  constexpr double kTotal = double{kThreads} * kPerThread;
  EXPECT_EQ(requests.With({"fraud"}).Value(), kTotal);
  EXPECT_EQ(requests.With({"halves"}).Value(), kTotal / 2);
  EXPECT_EQ(level.With().Value(), kTotal);
  const HistogramSnapshot snapshot = sizes.With().Read();
  EXPECT_EQ(snapshot.count, static_cast<uint64_t>(kTotal));
  EXPECT_EQ(snapshot.sum, 8 * 100'000.0 - 8.0);  // per thread: 33,333 ones and 33,333 twos
  // Per thread 66,667 values are <= 1 (i % 3 is 0 for 33,334 of them, 1 for 33,333).
  EXPECT_EQ(snapshot.cumulative_counts,
            (std::vector<uint64_t>{8 * 66'667, 8 * 100'000, 8 * 100'000}));
}

TEST(MetricsRegistryTest, CallbackGaugesAreReadAtExposition) {
  MetricsRegistry registry;
  double loaded = 2;
  CallbackFamily& models = registry.CallbackGauge("aimass_loaded_models", "Models.", {"kind"});
  models.Set({"xgboost"}, [&] { return loaded; });
  models.Set({"missing"}, [] { return std::optional<double>(); });
  EXPECT_EQ(registry.Expose(),
            "# HELP aimass_loaded_models Models.\n"
            "# TYPE aimass_loaded_models gauge\n"
            "aimass_loaded_models{kind=\"xgboost\"} 2\n");
  loaded = 5;
  EXPECT_NE(registry.Expose().find("aimass_loaded_models{kind=\"xgboost\"} 5\n"),
            std::string::npos);
  EXPECT_TRUE(models.Remove({"xgboost"}));
  EXPECT_FALSE(models.Remove({"xgboost"}));
  EXPECT_EQ(registry.Expose(), "");  // its only child reads nothing: no # HELP either

  registry.CallbackCounter("uptime_seconds_total", "Up.").Set({}, [] { return 7.5; });
  EXPECT_EQ(registry.Expose(),
            "# HELP uptime_seconds_total Up.\n"
            "# TYPE uptime_seconds_total counter\n"
            "uptime_seconds_total 7.5\n");
}

TEST(MetricsRegistryTest, RemovedChildrenLeaveTheExpositionAndOldReferencesStayUsable) {
  MetricsRegistry registry;
  CounterFamily& requests = registry.Counter("requests_total", "R.", {"endpoint", "version"});
  Counter& fraud_v1 = requests.With({"fraud", "1"});
  requests.With({"fraud", "2"}).Increment();
  requests.With({"churn", "1"}).Increment();
  HistogramFamily& latency = registry.Histogram("latency_seconds", "L.", {"endpoint"}, {1});
  latency.With({"fraud"}).Observe(0.5);
  registry.CallbackGauge("queue_depth", "Q.", {"endpoint"}).Set({"fraud"}, [] { return 1.0; });
  registry.Gauge("unrelated", "U.", {"name"}).With({"fraud"}).Set(1);
  fraud_v1.Add(4);

  EXPECT_TRUE(requests.Remove({"churn", "1"}));
  EXPECT_FALSE(requests.Remove({"churn", "1"}));
  // Deleting endpoint "fraud": its children in every family with an endpoint label.
  EXPECT_EQ(registry.RemoveWhere("endpoint", "fraud"), 4);
  EXPECT_EQ(registry.Expose(),
            "# HELP unrelated U.\n"
            "# TYPE unrelated gauge\n"
            "unrelated{name=\"fraud\"} 1\n");

  fraud_v1.Increment();  // retired, not freed
  EXPECT_EQ(fraud_v1.Value(), 5);
  Counter& fresh = requests.With({"fraud", "1"});
  EXPECT_NE(&fresh, &fraud_v1);
  EXPECT_EQ(fresh.Value(), 0);
}

TEST(MetricsRegistryTest, ExposeWhileOthersTakeAndRemoveChildren) {
  MetricsRegistry registry;
  CounterFamily& requests = registry.Counter("requests_total", "R.", {"endpoint"});
  std::atomic<bool> stop = false;
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      const std::string endpoint = "e" + std::to_string(i % 50);
      requests.With({endpoint}).Increment();
      if (i % 7 == 0) registry.RemoveWhere("endpoint", endpoint);
    }
  });
  for (int i = 0; i < 200; ++i) {
    const std::string text = registry.Expose();
    ASSERT_TRUE(text.empty() || text.starts_with("# HELP requests_total R.\n")) << text;
  }
  stop = true;
  writer.join();
}

TEST(MetricsRegistryDeathTest, ProgrammingErrorsAbortWithTheMetricName) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  MetricsRegistry registry;
  registry.Counter("requests_total", "R.", {"endpoint"});
  registry.Histogram("latency_seconds", "L.");
  EXPECT_DEATH(registry.Gauge("requests_total", "R.", {"endpoint"}),
               "'requests_total' is already registered as a counter");
  EXPECT_DEATH(registry.Counter("requests_total", "R.", {"model"}),
               "'requests_total' is already registered .* labels \\[endpoint\\]");
  EXPECT_DEATH(registry.CallbackCounter("requests_total", "R.", {"endpoint"}),
               "asked again as a counter read by a callback");
  EXPECT_DEATH(registry.Counter("requests_total", "R.", {"endpoint"}).With({"a", "b"}),
               "'requests_total' takes 1 label values \\[endpoint\\], got 2");
  EXPECT_DEATH(registry.Histogram("latency_seconds", "L.", {}, {1, 2}),
               "other bucket upper bounds");
  EXPECT_DEATH(registry.Counter("latency_seconds_count", "C."),
               "collide with those of metric 'latency_seconds'");
  EXPECT_DEATH(registry.Gauge("9lives", "G."), "metric name '9lives' must match");
  EXPECT_DEATH(registry.Gauge("g", "G.", {"__reserved"}), "label name '__reserved'");
  EXPECT_DEATH(registry.Gauge("g", "G.", {"a", "a"}), "'a' appears twice");
  EXPECT_DEATH(registry.Histogram("h", "H.", {"le"}), "'le' is reserved");
  EXPECT_DEATH(registry.Histogram("h", "H.", {}, {2, 1}), "strictly increasing");
}

}  // namespace
}  // namespace aimass::monitor
