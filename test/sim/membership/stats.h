#pragma once
// Small helpers for the membership simulations: percentiles and a one-line summary.

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace ironlb::membership::sim {

struct Summary {
  std::size_t count = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0;
};

inline Summary summarize(std::vector<double> v) {
  Summary s;
  s.count = v.size();
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  auto pct = [&](double p) {
    // Nearest rank: the smallest value with at least p of the samples at or below it.
    std::size_t rank = static_cast<std::size_t>(p * static_cast<double>(v.size()) + 0.999999);
    rank = std::clamp<std::size_t>(rank, 1, v.size());
    return v[rank - 1];
  };
  s.p50 = pct(0.50);
  s.p90 = pct(0.90);
  s.p99 = pct(0.99);
  s.max = v.back();
  double sum = 0;
  for (double x : v)
    sum += x;
  s.mean = sum / static_cast<double>(v.size());
  return s;
}

inline std::string format(const Summary& s, const char* unit = "ms") {
  char buf[160];
  std::snprintf(buf, sizeof buf, "n=%zu p50=%.1f%s p90=%.1f%s p99=%.1f%s max=%.1f%s", s.count,
                s.p50, unit, s.p90, unit, s.p99, unit, s.max, unit);
  return buf;
}

}  // namespace ironlb::membership::sim
