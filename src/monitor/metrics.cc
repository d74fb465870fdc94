#include "monitor/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <type_traits>

#include "monitor/text_format.h"

namespace aimass::monitor {
namespace {

static_assert(std::atomic<double>::is_always_lock_free, "the hot path must not lock");
static_assert(std::atomic<uint64_t>::is_always_lock_free, "the hot path must not lock");

// Whole amounts up to 2^53 go to Counter's integer part, where adds are exact and need no
// retry loop; anything else goes to its double.
constexpr double kLargestExactInteger = 9007199254740992.0;

// A programming error (see MetricsRegistry's class comment): stop with the reason.
[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "aimass metrics: %s\n", message.c_str());
  std::fflush(stderr);
  std::abort();
}

std::string TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// "a gauge", "a gauge read by a callback", for messages about a clash.
std::string Describe(MetricType type, bool callback) {
  return "a " + TypeName(type) + (callback ? " read by a callback" : "");
}

std::string Join(const std::vector<std::string>& names) {
  std::string joined = "[";
  for (const std::string& name : names) {
    if (joined.size() > 1) joined += ", ";
    joined += name;
  }
  return joined + "]";
}

// The names a family's samples appear under, which no two families may share.
std::vector<std::string> SampleNames(std::string_view name, MetricType type) {
  std::string base(name);
  if (type == MetricType::kHistogram) return {base + "_bucket", base + "_sum", base + "_count"};
  return {base};
}

// Checks a histogram's upper bounds and drops a trailing +Inf (always added).
std::vector<double> CheckedBounds(std::string_view name, std::vector<double> bounds) {
  if (!bounds.empty() && bounds.back() == INFINITY) bounds.pop_back();
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (std::isnan(bounds[i]) || (i > 0 && !(bounds[i - 1] < bounds[i]))) {
      Die("histogram '" + std::string(name) +
          "': bucket upper bounds must be numbers in strictly increasing order");
    }
  }
  return bounds;
}

}  // namespace

std::vector<double> DefaultLatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> bounds;
  for (double bound = start; static_cast<int>(bounds.size()) < count; bound *= factor) {
    bounds.push_back(bound);
  }
  return bounds;
}

void Counter::Add(double amount) {
  if (!(amount >= 0)) return;
  if (amount == std::trunc(amount) && amount <= kLargestExactInteger) {
    whole_.fetch_add(static_cast<uint64_t>(amount), std::memory_order_relaxed);
  } else {
    fraction_.fetch_add(amount, std::memory_order_relaxed);
  }
}

double Counter::Value() const {
  return static_cast<double>(whole_.load(std::memory_order_relaxed)) +
         fraction_.load(std::memory_order_relaxed);
}

Histogram::Histogram(std::span<const double> bounds)
    : bounds_(bounds), counts_(std::make_unique<std::atomic<uint64_t>[]>(bounds.size() + 1)) {}

void Histogram::Observe(double value) {
  size_t bucket = bounds_.size();
  if (!std::isnan(value)) {
    bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  }
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

HistogramSnapshot Histogram::Read() const {
  HistogramSnapshot snapshot;
  snapshot.cumulative_counts.reserve(bounds_.size() + 1);
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    snapshot.count += counts_[i].load(std::memory_order_relaxed);
    snapshot.cumulative_counts.push_back(snapshot.count);
  }
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

Family::Family(std::string name, std::string help, MetricType type,
               std::vector<std::string> label_names)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(type),
      label_names_(std::move(label_names)) {}

int Family::LabelIndex(std::string_view label_name) const {
  for (size_t i = 0; i < label_names_.size(); ++i) {
    if (label_names_[i] == label_name) return static_cast<int>(i);
  }
  return -1;
}

void Family::CheckArity(const LabelValues& values) const {
  if (values.size() != label_names_.size()) {
    Die("metric '" + name_ + "' takes " + std::to_string(label_names_.size()) + " label values " +
        Join(label_names_) + ", got " + std::to_string(values.size()) + " " + Join(values));
  }
}

template <typename Child>
Child& FamilyOf<Child>::With(const LabelValues& values) {
  std::lock_guard lock(mu_);
  auto it = children_.find(values);
  if (it == children_.end()) {
    CheckArity(values);
    it = children_.emplace(values, MakeChild()).first;
  }
  return *it->second;
}

template <typename Child>
std::vector<std::pair<LabelValues, const Child*>> FamilyOf<Child>::Children() const {
  std::lock_guard lock(mu_);
  std::vector<std::pair<LabelValues, const Child*>> children;
  for (const auto& [values, child] : children_) children.emplace_back(values, child.get());
  return children;
}

template <typename Child>
bool FamilyOf<Child>::Remove(const LabelValues& values) {
  std::lock_guard lock(mu_);
  auto it = children_.find(values);
  if (it == children_.end()) return false;
  retired_.push_back(std::move(it->second));
  children_.erase(it);
  return true;
}

template <typename Child>
int FamilyOf<Child>::RemoveWhere(std::string_view label_name, std::string_view value) {
  const int index = LabelIndex(label_name);
  if (index < 0) return 0;
  std::lock_guard lock(mu_);
  int removed = 0;
  for (auto it = children_.begin(); it != children_.end();) {
    if (it->first[index] == value) {
      retired_.push_back(std::move(it->second));
      it = children_.erase(it);
      ++removed;
    } else {
      ++it;
    }
  }
  return removed;
}

template class FamilyOf<Counter>;
template class FamilyOf<Gauge>;
template class FamilyOf<Histogram>;

CounterFamily::CounterFamily(std::string name, std::string help,
                             std::vector<std::string> label_names)
    : FamilyOf(std::move(name), std::move(help), MetricType::kCounter, std::move(label_names)) {}

std::unique_ptr<Counter> CounterFamily::MakeChild() const { return std::make_unique<Counter>(); }

void CounterFamily::AppendSamples(std::string& out) const {
  std::lock_guard lock(mu_);
  for (const auto& [values, counter] : children_) {
    AppendSample(out, name(), label_names(), values, counter->Value());
  }
}

GaugeFamily::GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : FamilyOf(std::move(name), std::move(help), MetricType::kGauge, std::move(label_names)) {}

std::unique_ptr<Gauge> GaugeFamily::MakeChild() const { return std::make_unique<Gauge>(); }

void GaugeFamily::AppendSamples(std::string& out) const {
  std::lock_guard lock(mu_);
  for (const auto& [values, gauge] : children_) {
    AppendSample(out, name(), label_names(), values, gauge->Value());
  }
}

HistogramFamily::HistogramFamily(std::string name, std::string help,
                                 std::vector<std::string> label_names, std::vector<double> bounds)
    : FamilyOf(std::move(name), std::move(help), MetricType::kHistogram, std::move(label_names)),
      bounds_(std::move(bounds)) {}

std::unique_ptr<Histogram> HistogramFamily::MakeChild() const {
  return std::make_unique<Histogram>(bounds_);
}

void HistogramFamily::AppendSamples(std::string& out) const {
  // The bound texts are the same for every child: format them once.
  std::vector<std::string> les;
  for (double bound : bounds_) {
    les.emplace_back();
    AppendValue(les.back(), bound);
  }
  les.push_back("+Inf");
  const std::string bucket_name = name() + "_bucket";
  const std::string sum_name = name() + "_sum";
  const std::string count_name = name() + "_count";
  std::lock_guard lock(mu_);
  for (const auto& [values, histogram] : children_) {
    const HistogramSnapshot snapshot = histogram->Read();
    for (size_t i = 0; i < les.size(); ++i) {
      AppendSample(out, bucket_name, label_names(), values,
                   static_cast<double>(snapshot.cumulative_counts[i]), "le", les[i]);
    }
    AppendSample(out, sum_name, label_names(), values, snapshot.sum);
    AppendSample(out, count_name, label_names(), values, static_cast<double>(snapshot.count));
  }
}

CallbackFamily::CallbackFamily(std::string name, std::string help, MetricType type,
                               std::vector<std::string> label_names)
    : Family(std::move(name), std::move(help), type, std::move(label_names)) {}

void CallbackFamily::Set(const LabelValues& values, ValueCallback callback) {
  CheckArity(values);
  std::lock_guard lock(mu_);
  callbacks_[values] = std::move(callback);
}

bool CallbackFamily::Remove(const LabelValues& values) {
  std::lock_guard lock(mu_);
  return callbacks_.erase(values) > 0;
}

int CallbackFamily::RemoveWhere(std::string_view label_name, std::string_view value) {
  const int index = LabelIndex(label_name);
  if (index < 0) return 0;
  std::lock_guard lock(mu_);
  return static_cast<int>(
      std::erase_if(callbacks_, [&](const auto& entry) { return entry.first[index] == value; }));
}

void CallbackFamily::AppendSamples(std::string& out) const {
  std::lock_guard lock(mu_);
  for (const auto& [values, callback] : callbacks_) {
    if (!callback) continue;
    if (std::optional<double> value = callback()) {
      AppendSample(out, name(), label_names(), values, *value);
    }
  }
}

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

template <typename F, typename Make>
F& MetricsRegistry::FindOrMake(std::string_view name, MetricType type,
                               const std::vector<std::string>& label_names, const Make& make) {
  std::lock_guard lock(mu_);
  if (auto it = families_.find(name); it != families_.end()) {
    F* family = dynamic_cast<F*>(it->second.get());
    if (family == nullptr || family->type() != type || family->label_names() != label_names) {
      const bool was_callback = dynamic_cast<const CallbackFamily*>(it->second.get()) != nullptr;
      Die("metric '" + std::string(name) + "' is already registered as " +
          Describe(it->second->type(), was_callback) + " with labels " +
          Join(it->second->label_names()) + "; asked again as " +
          Describe(type, std::is_same_v<F, CallbackFamily>) + " with labels " + Join(label_names));
    }
    return *family;
  }
  if (!IsValidMetricName(name)) {
    Die("metric name '" + std::string(name) + "' must match [a-zA-Z_:][a-zA-Z0-9_:]*");
  }
  std::set<std::string_view> seen;
  for (const std::string& label : label_names) {
    if (!IsValidLabelName(label)) {
      Die("metric '" + std::string(name) + "': label name '" + label +
          "' must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __");
    }
    if (type == MetricType::kHistogram && label == "le") {
      Die("histogram '" + std::string(name) + "': the label name 'le' is reserved for buckets");
    }
    if (!seen.insert(label).second) {
      Die("metric '" + std::string(name) + "': label name '" + label + "' appears twice");
    }
  }
  const std::vector<std::string> samples = SampleNames(name, type);
  for (const std::string& sample : samples) {
    if (auto owner = sample_names_.find(sample); owner != sample_names_.end()) {
      Die("metric '" + std::string(name) + "': its samples named '" + sample +
          "' would collide with those of metric '" + owner->second + "'");
    }
  }
  for (const std::string& sample : samples) sample_names_.emplace(sample, std::string(name));
  std::unique_ptr<F> made = make();
  F& family = *made;
  families_.emplace(std::string(name), std::move(made));
  return family;
}

CounterFamily& MetricsRegistry::Counter(std::string_view name, std::string_view help,
                                        std::vector<std::string> label_names) {
  CounterFamily& family = FindOrMake<CounterFamily>(name, MetricType::kCounter, label_names, [&] {
    return std::make_unique<CounterFamily>(std::string(name), std::string(help), label_names);
  });
  if (label_names.empty()) family.With();  // shown as 0 before its first update
  return family;
}

GaugeFamily& MetricsRegistry::Gauge(std::string_view name, std::string_view help,
                                    std::vector<std::string> label_names) {
  GaugeFamily& family = FindOrMake<GaugeFamily>(name, MetricType::kGauge, label_names, [&] {
    return std::make_unique<GaugeFamily>(std::string(name), std::string(help), label_names);
  });
  if (label_names.empty()) family.With();
  return family;
}

HistogramFamily& MetricsRegistry::Histogram(std::string_view name, std::string_view help,
                                            std::vector<std::string> label_names,
                                            std::vector<double> bounds) {
  bounds = CheckedBounds(name, std::move(bounds));
  HistogramFamily& family =
      FindOrMake<HistogramFamily>(name, MetricType::kHistogram, label_names, [&] {
        return std::make_unique<HistogramFamily>(std::string(name), std::string(help), label_names,
                                                 bounds);
      });
  if (family.bounds() != bounds) {
    Die("histogram '" + std::string(name) +
        "' is already registered with other bucket upper bounds");
  }
  if (label_names.empty()) family.With();
  return family;
}

CallbackFamily& MetricsRegistry::CallbackGauge(std::string_view name, std::string_view help,
                                               std::vector<std::string> label_names) {
  return FindOrMake<CallbackFamily>(name, MetricType::kGauge, label_names, [&] {
    return std::make_unique<CallbackFamily>(std::string(name), std::string(help),
                                            MetricType::kGauge, label_names);
  });
}

CallbackFamily& MetricsRegistry::CallbackCounter(std::string_view name, std::string_view help,
                                                 std::vector<std::string> label_names) {
  return FindOrMake<CallbackFamily>(name, MetricType::kCounter, label_names, [&] {
    return std::make_unique<CallbackFamily>(std::string(name), std::string(help),
                                            MetricType::kCounter, label_names);
  });
}

int MetricsRegistry::RemoveWhere(std::string_view label_name, std::string_view value) {
  std::vector<Family*> families;
  {
    std::lock_guard lock(mu_);
    for (const auto& entry : families_) families.push_back(entry.second.get());
  }
  int removed = 0;
  for (Family* family : families) removed += family->RemoveWhere(label_name, value);
  return removed;
}

std::string MetricsRegistry::Expose() const {
  // Families are never freed before the registry: hold its lock only to list them, so a
  // slow callback does not stop other threads registering.
  std::vector<const Family*> families;
  {
    std::lock_guard lock(mu_);
    for (const auto& entry : families_) families.push_back(entry.second.get());
  }
  std::string out;
  std::string samples;
  for (const Family* family : families) {
    samples.clear();
    family->AppendSamples(samples);
    if (samples.empty()) continue;
    if (!family->help().empty()) {
      out += "# HELP ";
      out += family->name();
      out += ' ';
      AppendEscapedHelp(out, family->help());
      out += '\n';
    }
    out += "# TYPE ";
    out += family->name();
    out += ' ';
    out += TypeName(family->type());
    out += '\n';
    out += samples;
  }
  return out;
}

}  // namespace aimass::monitor
