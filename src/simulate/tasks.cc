#include "simulate/tasks.h"

#include <algorithm>
#include <cmath>

#include "simulate/random.h"

namespace pixfleet::simulate {
namespace {

// z of the 95th percentile of the standard normal.
constexpr double kZ95 = 1.6448536269514722;

struct DurationSampler {
  Random& random;
  double operator()(const FixedDuration& d) const { return static_cast<double>(d.value.count()); }
  double operator()(const UniformDuration& d) const {
    const auto lo = static_cast<double>(d.min.count());
    return lo + (static_cast<double>(d.max.count()) - lo) * random.Unit();
  }
  double operator()(const LognormalDuration& d) const {
    const double mu = std::log(static_cast<double>(d.median.count()));
    const double sigma = (std::log(static_cast<double>(d.p95.count())) - mu) / kZ95;
    return std::exp(mu + sigma * random.Normal());
  }
  double operator()(const EmpiricalDuration& d) const {
    if (d.samples.empty()) return 1;
    return static_cast<double>(d.samples[random.Below(d.samples.size())].count());
  }
};

void AddArrivals(const Arrival& arrival, std::vector<Millis>& out) {
  if (const auto* batch = std::get_if<BatchArrival>(&arrival)) {
    out.insert(out.end(), static_cast<size_t>(batch->tasks), batch->at);
  } else if (const auto* steady = std::get_if<SteadyArrival>(&arrival)) {
    // floor(rate × duration) tasks, the i-th at start + i / rate.
    const auto count = static_cast<int64_t>(
        std::floor(steady->rate * static_cast<double>(steady->duration.count()) / 1000.0 + 1e-9));
    for (int64_t i = 0; i < count; ++i) {
      out.push_back(steady->start + Millis(static_cast<int64_t>(std::llround(
                                        static_cast<double>(i) * 1000.0 / steady->rate))));
    }
  } else if (const auto* burst = std::get_if<BurstArrival>(&arrival)) {
    for (int64_t b = 0; b < burst->count; ++b) {
      out.insert(out.end(), static_cast<size_t>(burst->tasks), burst->start + b * burst->every);
    }
  }
}

}  // namespace

std::vector<SimTask> MakeTasks(const Workload& workload, uint64_t seed) {
  std::vector<Millis> arrivals;
  for (const Arrival& arrival : workload.arrivals) AddArrivals(arrival, arrivals);
  std::stable_sort(arrivals.begin(), arrivals.end());
  Random random(seed);
  std::vector<SimTask> tasks;
  tasks.reserve(arrivals.size());
  for (const Millis at : arrivals) {
    const double ms = std::visit(DurationSampler{random}, workload.duration);
    tasks.push_back({at, Millis(std::max<int64_t>(1, std::llround(ms)))});
  }
  return tasks;
}

}  // namespace pixfleet::simulate
