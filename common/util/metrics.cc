// Metrics registry and Prometheus text rendering.
#include "common/util/metrics.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <utility>

namespace ironlb::util {

void Counter::inc(double v) {
  if (!(v >= 0.0)) return;
  value_.fetch_add(v, std::memory_order_relaxed);
}

void Counter::setTotal(double v) {
  double seen = value_.load(std::memory_order_relaxed);
  while (v > seen && !value_.compare_exchange_weak(seen, v, std::memory_order_relaxed)) {
  }
}

bool isValidMetricName(const std::string& name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    const bool digit = c >= '0' && c <= '9';
    if (!(alpha || (i > 0 && digit))) return false;
  }
  return true;
}

bool isValidLabelName(const std::string& name) {
  if (name.empty() || name.rfind("__", 0) == 0) return false;  // __ prefix is reserved
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!(alpha || (i > 0 && digit))) return false;
  }
  return true;
}

std::string escapeLabelValue(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string escapeHelp(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string formatSampleValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[40];
  // Whole numbers up to 2^53 print exactly, without exponent or decimals (what dashboards and
  // the MetalLB tests compare against).
  if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.17g", v);
  }
  return buf;
}

template <class Value>
Family<Value>::Family(std::string name, std::string help, std::vector<std::string> labelNames)
    : name_(std::move(name)), help_(std::move(help)), labelNames_(std::move(labelNames)) {
  // A family without labels has exactly one series; show it at 0 from the start, as the
  // Prometheus Go client does, so "absent" never means "zero".
  if (labelNames_.empty()) children_[{}] = std::make_unique<Value>();
}

template <class Value>
Value& Family<Value>::withLabels(const LabelValues& values) {
  if (values.size() != labelNames_.size()) {
    throw std::invalid_argument("metric " + name_ + ": expected " +
                                std::to_string(labelNames_.size()) + " label values, got " +
                                std::to_string(values.size()));
  }
  std::lock_guard lock(mu_);
  auto& slot = children_[values];
  if (!slot) slot = std::make_unique<Value>();
  return *slot;
}

template <class Value>
bool Family<Value>::remove(const LabelValues& values) {
  std::lock_guard lock(mu_);
  return children_.erase(values) > 0;
}

template <class Value>
void Family<Value>::clear() {
  std::lock_guard lock(mu_);
  children_.clear();
}

template <class Value>
void Family<Value>::renderSamples(std::string& out) const {
  std::lock_guard lock(mu_);
  for (const auto& [values, child] : children_) {
    out += name_;
    if (!values.empty()) {
      out.push_back('{');
      for (size_t i = 0; i < values.size(); ++i) {
        if (i > 0) out.push_back(',');
        out += labelNames_[i];
        out += "=\"";
        out += escapeLabelValue(values[i]);
        out.push_back('"');
      }
      out.push_back('}');
    }
    out.push_back(' ');
    out += formatSampleValue(child->value());
    out.push_back('\n');
  }
}

template class Family<Counter>;
template class Family<Gauge>;

MetricsRegistry::Entry& MetricsRegistry::findOrAdd(const std::string& name, const std::string& help,
                                                   MetricType type,
                                                   const std::vector<std::string>& labelNames) {
  if (!isValidMetricName(name)) throw std::invalid_argument("invalid metric name: " + name);
  for (size_t i = 0; i < labelNames.size(); ++i) {
    if (!isValidLabelName(labelNames[i])) {
      throw std::invalid_argument("metric " + name + ": invalid label name: " + labelNames[i]);
    }
    for (size_t j = 0; j < i; ++j) {
      if (labelNames[i] == labelNames[j]) {
        throw std::invalid_argument("metric " + name + ": duplicate label " + labelNames[i]);
      }
    }
  }
  auto it = families_.find(name);
  if (it != families_.end()) {
    const auto& existing = it->second.type == MetricType::kCounter
                               ? it->second.counter->labelNames()
                               : it->second.gauge->labelNames();
    if (it->second.type != type || existing != labelNames) {
      throw std::invalid_argument("metric " + name +
                                  " is already registered with another type or labels");
    }
    return it->second;
  }
  Entry e{type, nullptr, nullptr};
  if (type == MetricType::kCounter) {
    e.counter = std::make_unique<CounterFamily>(name, help, labelNames);
  } else {
    e.gauge = std::make_unique<GaugeFamily>(name, help, labelNames);
  }
  return families_.emplace(name, std::move(e)).first->second;
}

CounterFamily& MetricsRegistry::counter(const std::string& name, const std::string& help,
                                        std::vector<std::string> labelNames) {
  std::lock_guard lock(mu_);
  return *findOrAdd(name, help, MetricType::kCounter, labelNames).counter;
}

GaugeFamily& MetricsRegistry::gauge(const std::string& name, const std::string& help,
                                    std::vector<std::string> labelNames) {
  std::lock_guard lock(mu_);
  return *findOrAdd(name, help, MetricType::kGauge, labelNames).gauge;
}

void MetricsRegistry::onScrape(std::function<void()> hook) {
  std::lock_guard lock(mu_);
  hooks_.push_back(std::move(hook));
}

std::string MetricsRegistry::render() const {
  std::vector<std::function<void()>> hooks;
  {
    std::lock_guard lock(mu_);
    hooks = hooks_;
  }
  for (const auto& hook : hooks)
    hook();
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& [name, e] : families_) {
    const bool isCounter = e.type == MetricType::kCounter;
    const std::string& help = isCounter ? e.counter->help() : e.gauge->help();
    out += "# HELP " + name + " " + escapeHelp(help) + "\n";
    out += "# TYPE " + name + (isCounter ? " counter\n" : " gauge\n");
    if (isCounter) {
      e.counter->renderSamples(out);
    } else {
      e.gauge->renderSamples(out);
    }
  }
  return out;
}

}  // namespace ironlb::util
