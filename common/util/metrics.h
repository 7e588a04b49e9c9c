#pragma once
// Metrics registry: counters and gauges with label sets, rendered in the Prometheus text
// exposition format (version 0.0.4).
//
// Threading model. The logic thread updates values while the health server's thread scrapes:
//  - a value (Counter/Gauge) is one std::atomic<double>; inc/set are lock-free;
//  - each family keeps its children (one per label-value tuple) in a std::map under the family's
//    mutex, taken briefly by withLabels()/remove() and by render();
//  - the registry keeps families in a std::map under its own mutex.
// render() therefore sees every value at some moment during the scrape (values are not
// snapshotted together, as in every Prometheus client). Output order is deterministic: families
// by name, children by label values.
//
// Lifetime. Families live as long as the registry. A child reference from withLabels() stays valid
// until remove() of that label set; callers that remove children must drop their references
// (the usual pattern: look up with withLabels() each time, which is a map lookup under a mutex).
//
//   MetricsRegistry reg;
//   auto& inUse = reg.gauge("metallb_allocator_addresses_in_use_total",
//                           "Number of IP addresses in use, per pool", {"pool"});
//   inUse.withLabels({"x"}).set(3);   // metallb_allocator_addresses_in_use_total{pool="x"} 3
//
// Names are validated; an invalid name, a label-count mismatch, or re-registering a name with a
// different type/labels is a programming error and throws std::invalid_argument.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ironlb::util {

using LabelValues = std::vector<std::string>;

class Counter {
 public:
  // Adds `v` (must be >= 0; negative increments are ignored, counters never go down).
  void inc(double v = 1.0);
  // Sets the count to a total read elsewhere (e.g. CPU seconds from /proc); never lowers it.
  void setTotal(double v);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void inc(double v = 1.0) { value_.fetch_add(v, std::memory_order_relaxed); }
  void dec(double v = 1.0) { value_.fetch_sub(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

enum class MetricType { kCounter, kGauge };

// A named metric with a fixed list of label names and one child per label-value tuple.
template <class Value>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> labelNames);

  // The child for these label values (created at 0 on first use). The number of values must
  // match the label names.
  Value& withLabels(const LabelValues& values);
  // The only child of a family without labels.
  Value& get() { return withLabels({}); }
  // Drops a child (e.g. an IP no longer announced). Returns whether it existed.
  bool remove(const LabelValues& values);
  // Drops every child.
  void clear();

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& labelNames() const { return labelNames_; }

  // Appends "name{l="v"} value\n" for every child, sorted by label values.
  void renderSamples(std::string& out) const;

 private:
  const std::string name_;
  const std::string help_;
  const std::vector<std::string> labelNames_;
  mutable std::mutex mu_;
  std::map<LabelValues, std::unique_ptr<Value>> children_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;

class MetricsRegistry {
 public:
  // Registers (or returns the already registered) family. Counter names conventionally end in
  // _total, but MetalLB's do not always; no suffix is added or required.
  CounterFamily& counter(const std::string& name, const std::string& help,
                         std::vector<std::string> labelNames = {});
  GaugeFamily& gauge(const std::string& name, const std::string& help,
                     std::vector<std::string> labelNames = {});

  // Runs `hook` on the scraping thread at the start of every render(), before any value is
  // read: how values that are read on demand (process_*) are refreshed. Hooks must be
  // thread-safe against the logic thread; they run in the order added.
  void onScrape(std::function<void()> hook);

  // The whole exposition, in text format 0.0.4.
  std::string render() const;

 private:
  struct Entry {
    MetricType type{};
    std::unique_ptr<CounterFamily> counter{};
    std::unique_ptr<GaugeFamily> gauge{};
  };
  Entry& findOrAdd(const std::string& name, const std::string& help, MetricType type,
                   const std::vector<std::string>& labelNames);

  mutable std::mutex mu_;
  std::map<std::string, Entry> families_;
  std::vector<std::function<void()>> hooks_;  // under mu_; copied out before they run
};

// Exposition helpers, exposed for tests.
std::string escapeLabelValue(const std::string& v);  // \ -> \\, " -> \", newline -> \n
std::string escapeHelp(const std::string& v);        // \ -> \\, newline -> \n
std::string formatSampleValue(double v);             // integers without exponent, +Inf, NaN
bool isValidMetricName(const std::string& name);
bool isValidLabelName(const std::string& name);

}  // namespace ironlb::util
