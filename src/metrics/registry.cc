#include "metrics/registry.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace pixfleet::metrics {
namespace {

void AtomicAdd(std::atomic<double>& target, double by) {
  double current = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(current, current + by, std::memory_order_relaxed)) {
  }
}

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatNumber(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return fmt::format("{}", static_cast<int64_t>(value));
  }
  return fmt::format("{}", value);
}

// {a="x",b="y"} (with an extra label appended when given), or "" without labels.
std::string LabelText(const std::vector<std::string>& names, const Labels& values,
                      const std::string& extra_name = {}, const std::string& extra_value = {}) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    out += out.empty() ? "{" : ",";
    out += names[i] + "=\"" + EscapeLabelValue(values[i]) + "\"";
  }
  if (!extra_name.empty()) {
    out += out.empty() ? "{" : ",";
    out += extra_name + "=\"" + extra_value + "\"";
  }
  if (!out.empty()) out += "}";
  return out;
}

void RenderHeader(std::string& out, const std::string& name, const std::string& help,
                  const char* type) {
  out += "# HELP " + name + " " + help + "\n";
  out += "# TYPE " + name + " " + type + "\n";
}

}  // namespace

void Counter::Increment(double by) {
  if (by > 0) AtomicAdd(value_, by);  // counters only go up
}

void Gauge::Add(double by) { AtomicAdd(value_, by); }

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
  std::sort(bounds_.begin(), bounds_.end());
}

void Histogram::Observe(double value) {
  const auto bucket = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                          bounds_.begin());
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(sum_, value);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::CumulativeCounts() const {
  std::vector<uint64_t> counts(bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    counts[i] = running;
  }
  return counts;
}

std::vector<double> LatencyBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
}

template <typename Metric>
Metric& Family<Metric>::With(const Labels& values) {
  std::lock_guard lock(mutex_);
  auto it = children_.find(values);
  if (it == children_.end()) {
    std::unique_ptr<Metric> child;
    if constexpr (std::is_same_v<Metric, Histogram>) {
      child = std::make_unique<Histogram>(bounds_);
    } else {
      child = std::make_unique<Metric>();
    }
    it = children_.emplace(values, std::move(child)).first;
  }
  return *it->second;
}

template <typename Metric>
std::vector<std::pair<Labels, const Metric*>> Family<Metric>::Children() const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<Labels, const Metric*>> out;
  out.reserve(children_.size());
  for (const auto& [labels, metric] : children_) out.emplace_back(labels, metric.get());
  return out;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

Family<Counter>& Registry::AddCounter(std::string name, std::string help,
                                      std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  counters_.push_back(
      std::make_unique<Family<Counter>>(std::move(name), std::move(help), std::move(label_names)));
  order_.emplace_back('c', counters_.size() - 1);
  return *counters_.back();
}

Family<Gauge>& Registry::AddGauge(std::string name, std::string help,
                                  std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  gauges_.push_back(
      std::make_unique<Family<Gauge>>(std::move(name), std::move(help), std::move(label_names)));
  order_.emplace_back('g', gauges_.size() - 1);
  return *gauges_.back();
}

Family<Histogram>& Registry::AddHistogram(std::string name, std::string help,
                                          std::vector<std::string> label_names,
                                          std::vector<double> bounds) {
  std::lock_guard lock(mutex_);
  histograms_.push_back(std::make_unique<Family<Histogram>>(
      std::move(name), std::move(help), std::move(label_names), std::move(bounds)));
  order_.emplace_back('h', histograms_.size() - 1);
  return *histograms_.back();
}

std::string Registry::RenderText() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [kind, index] : order_) {
    if (kind == 'c') {
      const auto& family = *counters_[index];
      RenderHeader(out, family.Name(), family.Help(), "counter");
      for (const auto& [labels, counter] : family.Children()) {
        out += family.Name() + LabelText(family.LabelNames(), labels) + " " +
               FormatNumber(counter->Value()) + "\n";
      }
    } else if (kind == 'g') {
      const auto& family = *gauges_[index];
      RenderHeader(out, family.Name(), family.Help(), "gauge");
      for (const auto& [labels, gauge] : family.Children()) {
        out += family.Name() + LabelText(family.LabelNames(), labels) + " " +
               FormatNumber(gauge->Value()) + "\n";
      }
    } else {
      const auto& family = *histograms_[index];
      RenderHeader(out, family.Name(), family.Help(), "histogram");
      for (const auto& [labels, histogram] : family.Children()) {
        const std::vector<uint64_t> counts = histogram->CumulativeCounts();
        const auto& bounds = histogram->Bounds();
        for (size_t i = 0; i < counts.size(); ++i) {
          const std::string le = i < bounds.size() ? FormatNumber(bounds[i]) : "+Inf";
          out += family.Name() + "_bucket" + LabelText(family.LabelNames(), labels, "le", le) +
                 " " + std::to_string(counts[i]) + "\n";
        }
        out += family.Name() + "_sum" + LabelText(family.LabelNames(), labels) + " " +
               FormatNumber(histogram->Sum()) + "\n";
        out += family.Name() + "_count" + LabelText(family.LabelNames(), labels) + " " +
               std::to_string(histogram->Count()) + "\n";
      }
    }
  }
  return out;
}

}  // namespace pixfleet::metrics
