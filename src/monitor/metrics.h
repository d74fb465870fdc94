// Counters, gauges and histograms that the service updates on its hot paths, kept in a
// MetricsRegistry that writes them out in the Prometheus text format for GET /metrics.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace aimass::monitor {

// The values of a child's labels, in the order of its family's label names.
using LabelValues = std::vector<std::string>;

// Reads a callback child's value at exposition time; std::nullopt leaves the sample out
// (the value could not be read this time).
using ValueCallback = std::function<std::optional<double>()>;

// Upper bounds in seconds for request latency: 0.5 ms to 10 s.
std::vector<double> DefaultLatencyBuckets();
// `count` upper bounds start, start * factor, ...: ExponentialBuckets(1, 2, 8) for batch
// sizes 1 to 128.
std::vector<double> ExponentialBuckets(double start, double factor, int count);

// A value that only goes up: requests, errors. Thread-safe and lock-free.
class Counter {
 public:
  void Increment() { whole_.fetch_add(1, std::memory_order_relaxed); }
  // A negative or NaN amount is ignored: a counter never goes down.
  void Add(double amount);
  double Value() const;

 private:
  std::atomic<uint64_t> whole_{0};     // whole amounts: one atomic add, no retry loop
  std::atomic<double> fraction_{0.0};  // everything else
};

// A value that goes up and down: requests in flight, queue depth. Thread-safe and
// lock-free.
class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double amount) { value_.fetch_add(amount, std::memory_order_relaxed); }
  void Increment() { Add(1); }
  void Decrement() { Add(-1); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// What a histogram child holds at one moment.
struct HistogramSnapshot {
  std::vector<uint64_t> cumulative_counts;  // one per upper bound, then +Inf
  double sum = 0;
  uint64_t count = 0;  // equals cumulative_counts.back()
};

// Observations counted into buckets with fixed upper bounds (latency, batch size).
// Thread-safe; Observe is lock-free.
class Histogram {
 public:
  // `bounds` (strictly increasing, without +Inf) must outlive the histogram; the family
  // that makes it owns them.
  explicit Histogram(std::span<const double> bounds);

  // Counts `value` in the first bucket whose upper bound is >= value (NaN in +Inf).
  void Observe(double value);
  HistogramSnapshot Read() const;

 private:
  std::span<const double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bucket, not cumulative; +Inf last
  std::atomic<double> sum_{0.0};
};

// The # TYPE of a family.
enum class MetricType { kCounter, kGauge, kHistogram };

// A metric family: one name, help text and label names, and a child per set of label
// values. Thread-safe.
class Family {
 public:
  virtual ~Family() = default;
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // Drops the child with exactly these label values from the exposition; false when there
  // is none. A reference taken earlier stays valid, and what it records is no longer shown;
  // With() the same values later starts a fresh child.
  virtual bool Remove(const LabelValues& values) = 0;
  // Drops every child whose label `label_name` has `value` (all versions of a deleted
  // endpoint); the number dropped.
  virtual int RemoveWhere(std::string_view label_name, std::string_view value) = 0;

  // Appends one sample line per child (no # HELP or # TYPE), children in label order.
  virtual void AppendSamples(std::string& out) const = 0;

 protected:
  Family(std::string name, std::string help, MetricType type, std::vector<std::string> label_names);
  // The position of `label_name` in label_names(), or -1.
  int LabelIndex(std::string_view label_name) const;
  // Aborts, naming the family, when `values` does not give one value per label name.
  void CheckArity(const LabelValues& values) const;

  mutable std::mutex mu_;

 private:
  const std::string name_;
  const std::string help_;
  const MetricType type_;
  const std::vector<std::string> label_names_;
};

// A family whose children are Counter, Gauge or Histogram objects. A child is made on
// first use and never freed before the family: a removed one is only retired, so the
// reference that With() returns stays valid for the registry's life.
template <typename Child>
class FamilyOf : public Family {
 public:
  // The child for these label values (one per label name; none for a family without
  // labels). Takes the family's lock: keep the reference and update it on the hot path.
  Child& With(const LabelValues& values = {});
  // The children shown now, by label values, for a reader other than the exposition (the
  // console's live charts). The pointers stay valid for the registry's life.
  std::vector<std::pair<LabelValues, const Child*>> Children() const;
  bool Remove(const LabelValues& values) override;
  int RemoveWhere(std::string_view label_name, std::string_view value) override;

 protected:
  using Family::Family;
  virtual std::unique_ptr<Child> MakeChild() const = 0;

  std::map<LabelValues, std::unique_ptr<Child>> children_;  // guarded by mu_

 private:
  std::vector<std::unique_ptr<Child>> retired_;  // removed; kept for references taken earlier
};

// A family of counters. Thread-safe.
class CounterFamily final : public FamilyOf<Counter> {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> label_names);
  void AppendSamples(std::string& out) const override;

 private:
  std::unique_ptr<Counter> MakeChild() const override;
};

// A family of gauges. Thread-safe.
class GaugeFamily final : public FamilyOf<Gauge> {
 public:
  GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names);
  void AppendSamples(std::string& out) const override;

 private:
  std::unique_ptr<Gauge> MakeChild() const override;
};

// A family of histograms sharing one set of bucket upper bounds. Thread-safe.
class HistogramFamily final : public FamilyOf<Histogram> {
 public:
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> bounds);
  const std::vector<double>& bounds() const { return bounds_; }
  void AppendSamples(std::string& out) const override;

 private:
  std::unique_ptr<Histogram> MakeChild() const override;

  const std::vector<double> bounds_;
};

// A counter or gauge family whose values are read by callbacks when the registry is
// exposed (loaded models, resident memory). Thread-safe. Callbacks run under the
// family's lock, so once Remove() returns a removed callback is not running and never
// runs again; a callback must not call its own family.
class CallbackFamily final : public Family {
 public:
  CallbackFamily(std::string name, std::string help, MetricType type,
                 std::vector<std::string> label_names);

  // Reads the child for these label values from `callback`, replacing an earlier one.
  void Set(const LabelValues& values, ValueCallback callback);
  bool Remove(const LabelValues& values) override;
  int RemoveWhere(std::string_view label_name, std::string_view value) override;
  void AppendSamples(std::string& out) const override;

 private:
  std::map<LabelValues, ValueCallback> callbacks_;  // guarded by mu_
};

// The metric families of a process and their Prometheus text (format 0.0.4). Thread-safe.
// Families are made once, usually at startup, and live as long as the registry.
//
// A family without labels has its one child from the start (exposed as 0); a family with
// labels shows only the children taken. Asking again for a family by name returns the
// same one (the first help text stays). Asking with another type, other label names or
// other bucket bounds, with a name or label name the format does not allow, or with a name
// whose samples would collide with another family's (a counter `x_count` beside a
// histogram `x`), is a programming error: it aborts with a message that names the metric.
// So does taking a child with the wrong number of label values.
class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // By convention a counter's name ends in `_total`, and a name ends in its unit
  // (`_seconds`, `_bytes`).
  CounterFamily& Counter(std::string_view name, std::string_view help,
                         std::vector<std::string> label_names = {});
  GaugeFamily& Gauge(std::string_view name, std::string_view help,
                     std::vector<std::string> label_names = {});
  // `bounds`: strictly increasing upper bounds; the +Inf bucket is always added.
  HistogramFamily& Histogram(std::string_view name, std::string_view help,
                             std::vector<std::string> label_names = {},
                             std::vector<double> bounds = DefaultLatencyBuckets());
  CallbackFamily& CallbackGauge(std::string_view name, std::string_view help,
                                std::vector<std::string> label_names = {});
  CallbackFamily& CallbackCounter(std::string_view name, std::string_view help,
                                  std::vector<std::string> label_names = {});

  // Family::RemoveWhere on every family that has the label: forgets a deleted endpoint
  // everywhere at once. The number of children dropped.
  int RemoveWhere(std::string_view label_name, std::string_view value);

  // The text for GET /metrics (Content-Type kExpositionContentType in text_format.h):
  // families by name, each with # HELP and # TYPE, children in label-value order. A
  // family with no samples is left out.
  std::string Expose() const;

 private:
  // The family called `name`, made by `make` when new, checked against the request when
  // not. F is the family class, which must match an existing family's.
  template <typename F, typename Make>
  F& FindOrMake(std::string_view name, MetricType type, const std::vector<std::string>& label_names,
                const Make& make);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;  // by name
  std::map<std::string, std::string, std::less<>> sample_names_;          // sample name -> family
};

}  // namespace aimass::monitor
