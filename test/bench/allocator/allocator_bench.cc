// Allocator benchmarks: allocate, release and start-up restore with 100,000 live assignments in
// an IPv6 /64 and an IPv4 /8 pool, against a brute-force first-free scan (MetalLB's approach:
// walk the pool from its first address and test each against the set of used IPs) in the same
// run, plus heap bytes per assignment to show memory follows assignments, not pool size.
//
// Run: test/bench/allocator/run_allocator_bench.sh (prints every figure).
//
// IPv4 /8 uses 10.0.0.0/8: nothing is sent anywhere, the addresses are only numbers here.

#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/net/prefix.h"
#include "controller/allocator/allocator.h"

// ---- live heap accounting (this binary only) ----------------------------------------------

namespace {
// Only BM_MemoryPerAssignment counts (malloc_usable_size costs time the other figures would pay).
std::atomic<bool> g_counting{false};
std::atomic<int64_t> g_live_bytes{0};

void* countedAlloc(std::size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  if (g_counting.load(std::memory_order_relaxed)) {
    g_live_bytes.fetch_add(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  }
  return p;
}
void countedFree(void* p) noexcept {
  if (p == nullptr) return;
  if (g_counting.load(std::memory_order_relaxed)) {
    g_live_bytes.fetch_sub(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  }
  std::free(p);
}
void* countedAlignedAlloc(std::size_t n, std::align_val_t a) {
  const auto align = static_cast<std::size_t>(a);
  void* p = std::aligned_alloc(align, (n + align - 1) / align * align);
  if (p == nullptr) throw std::bad_alloc();
  if (g_counting.load(std::memory_order_relaxed)) {
    g_live_bytes.fetch_add(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  }
  return p;
}
}  // namespace

void* operator new(std::size_t n) {
  return countedAlloc(n);
}
void* operator new[](std::size_t n) {
  return countedAlloc(n);
}
void* operator new(std::size_t n, std::align_val_t a) {
  return countedAlignedAlloc(n, a);
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return countedAlignedAlloc(n, a);
}
void operator delete(void* p) noexcept {
  countedFree(p);
}
void operator delete[](void* p) noexcept {
  countedFree(p);
}
void operator delete(void* p, std::size_t) noexcept {
  countedFree(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  countedFree(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  countedFree(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  countedFree(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  countedFree(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  countedFree(p);
}

namespace ironlb::allocator {
namespace {

constexpr int kLive = 100000;

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

net::IpRange rangeOf(const char* cidr) {
  return net::Prefix::parse(cidr)->prefix.range();
}

lbconfig::Pool poolOf(const char* cidr) {
  lbconfig::Pool p;
  p.name = "bench";
  p.ranges.push_back({rangeOf(cidr), cidr});
  return p;
}

ServiceRequest request(const std::string& key, net::Family family) {
  ServiceRequest r;
  r.key = key;
  r.ns = "bench";
  r.families = {family};
  r.ports = {{Protocol::kTcp, 443}};
  return r;
}

std::vector<ServiceRequest> requests(const std::string& prefix, int count, net::Family family) {
  std::vector<ServiceRequest> out;
  out.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i)
    out.push_back(request(prefix + std::to_string(i), family));
  return out;
}

net::IpAddress nth(const net::IpRange& range, uint64_t i) {
  return net::IpAddress::fromValue(range.family(), range.first().value() + i);
}

// ---- the baseline: MetalLB-style first-free scan --------------------------------------------

class BruteForce {
 public:
  explicit BruteForce(const net::IpRange& range) : range_(range) {}

  bool allocate(const ServiceRequest& r) {
    for (net::U128 v = range_.first().value();; ++v) {
      const auto ip = net::IpAddress::fromValue(range_.family(), v);
      if (!used_.count(ip)) {
        used_.insert(ip);
        byService_.emplace(r.key, ip);
        return true;
      }
      if (v == range_.last().value()) return false;
    }
  }
  bool restore(const ServiceRequest& r, const net::IpAddress& ip) {
    if (!range_.contains(ip) || !used_.insert(ip).second) return false;
    byService_.emplace(r.key, ip);
    return true;
  }
  std::optional<net::IpAddress> release(const std::string& key) {
    auto it = byService_.find(key);
    if (it == byService_.end()) return std::nullopt;
    const net::IpAddress ip = it->second;
    used_.erase(ip);
    byService_.erase(it);
    return ip;
  }
  void reserve(std::size_t n) {
    used_.reserve(n);
    byService_.reserve(n);
  }

 private:
  net::IpRange range_;
  std::unordered_set<net::IpAddress> used_;
  std::unordered_map<std::string, net::IpAddress> byService_;
};

// ---- shared set-ups (built once per pool, reused across repetitions) ------------------------

struct Scenario {
  const char* cidr;
  net::Family family;
};
const Scenario kScenarios[] = {{"2001:db8::/64", net::Family::kV6},
                               {"10.0.0.0/8", net::Family::kV4}};

struct Fixture {
  std::unique_ptr<Allocator> ironlb;
  std::unique_ptr<BruteForce> brute;
  std::vector<ServiceRequest> live;  // bench/s0 .. s99999
  ServiceRequest extra;              // bench/new, allocated and released by the timed loops
  std::mt19937_64 rng{42};
};

// Dense: the 100,000 live Services hold the first 100,000 addresses, so a new Service gets the
// 100,001st (the brute-force scan walks past every used one). Fragmented: they hold every other
// address of the first 200,000, the worst interval count for ironlb (one interval per IP).
Fixture& fixture(int scenario, bool fragmented) {
  static std::unique_ptr<Fixture> built[2][2];
  auto& f = built[scenario][fragmented ? 1 : 0];
  if (f) return *f;
  const Scenario& s = kScenarios[scenario];
  f = std::make_unique<Fixture>();
  f->live = requests("bench/s", kLive, s.family);
  f->extra = request("bench/new", s.family);
  f->ironlb = std::make_unique<Allocator>();
  if (!f->ironlb->setPools({poolOf(s.cidr)}).ok()) std::abort();
  f->brute = std::make_unique<BruteForce>(rangeOf(s.cidr));
  f->brute->reserve(kLive + 1);
  for (int i = 0; i < kLive; ++i) {
    const auto ip = nth(rangeOf(s.cidr), static_cast<uint64_t>(fragmented ? 2 * i : i));
    if (!f->ironlb->restore(f->live[static_cast<std::size_t>(i)], {ip}).ok()) std::abort();
    if (!f->brute->restore(f->live[static_cast<std::size_t>(i)], ip)) std::abort();
  }
  return *f;
}

// One timed operation per iteration (manual time), so Google Benchmark's iteration count and
// repetition statistics see the real per-operation time; the untimed half of each iteration
// puts the 100,000-live state back (the brute force re-takes its IP directly: re-scanning would
// make its release runs last hours). Clock reads add a few tens of nanoseconds to each figure.
template <bool kBrute>
void allocateThenRelease(benchmark::State& state, bool timeAllocate) {
  Fixture& f = fixture(static_cast<int>(state.range(0)), false);
  const ServiceRequest& r = f.extra;
  const net::IpAddress end = nth(rangeOf(kScenarios[state.range(0)].cidr), kLive);
  for (auto _ : state) {
    if (timeAllocate) {
      const auto t0 = Clock::now();
      if constexpr (kBrute) {
        benchmark::DoNotOptimize(f.brute->allocate(r));
      } else {
        benchmark::DoNotOptimize(f.ironlb->allocate(r));
      }
      state.SetIterationTime(seconds(t0, Clock::now()));
      if constexpr (kBrute) {
        f.brute->release(r.key);
      } else {
        f.ironlb->release(r.key);
      }
    } else {
      if constexpr (kBrute) {
        f.brute->restore(r, end);
      } else {
        benchmark::DoNotOptimize(f.ironlb->allocate(r));
      }
      const auto t0 = Clock::now();
      if constexpr (kBrute) {
        benchmark::DoNotOptimize(f.brute->release(r.key));
      } else {
        benchmark::DoNotOptimize(f.ironlb->release(r.key));
      }
      state.SetIterationTime(seconds(t0, Clock::now()));
    }
  }
  state.SetLabel(std::string(kScenarios[state.range(0)].cidr) + " dense");
}

// Churn on the fragmented layout: release a random live Service, then allocate it again (it
// fills the lowest hole, so holes keep moving and the layout stays fragmented).
template <bool kBrute>
void churn(benchmark::State& state, bool timeAllocate) {
  Fixture& f = fixture(static_cast<int>(state.range(0)), true);
  for (auto _ : state) {
    const ServiceRequest& r = f.live[f.rng() % f.live.size()];
    const auto t0 = Clock::now();
    std::optional<net::IpAddress> bruteIp;
    if constexpr (kBrute) {
      bruteIp = f.brute->release(r.key);
    } else {
      benchmark::DoNotOptimize(f.ironlb->release(r.key));
    }
    const auto t1 = Clock::now();
    if constexpr (kBrute) {
      if (timeAllocate) {
        benchmark::DoNotOptimize(f.brute->allocate(r));
      } else {
        f.brute->restore(r, *bruteIp);
      }
    } else {
      benchmark::DoNotOptimize(f.ironlb->allocate(r));
    }
    const auto t2 = Clock::now();
    state.SetIterationTime(timeAllocate ? seconds(t1, t2) : seconds(t0, t1));
  }
  state.SetLabel(std::string(kScenarios[state.range(0)].cidr) + " fragmented");
}

void BM_Allocate(benchmark::State& s) {
  allocateThenRelease<false>(s, true);
}
void BM_Release(benchmark::State& s) {
  allocateThenRelease<false>(s, false);
}
void BM_ChurnAllocate(benchmark::State& s) {
  churn<false>(s, true);
}
void BM_ChurnRelease(benchmark::State& s) {
  churn<false>(s, false);
}
void BM_BruteForceAllocate(benchmark::State& s) {
  allocateThenRelease<true>(s, true);
}
void BM_BruteForceRelease(benchmark::State& s) {
  allocateThenRelease<true>(s, false);
}
void BM_BruteForceChurnAllocate(benchmark::State& s) {
  churn<true>(s, true);
}
void BM_BruteForceChurnRelease(benchmark::State& s) {
  churn<true>(s, false);
}

// Start-up: restore 100,000 existing assignments into a fresh allocator, in the order the API
// lists Services (by namespace/name), whose IPs are unrelated to that order: a random
// permutation of every third address of the pool's first 300,000 (no two adjacent, so every IP
// is its own interval). Second argument 1: the controller called reserve(100000) first.
// Time is for all 100,000.
template <bool kBrute>
void restoreAll(benchmark::State& state) {
  const Scenario& s = kScenarios[state.range(0)];
  const net::IpRange range = rangeOf(s.cidr);
  const auto reqs = requests("bench/s", kLive, s.family);
  std::vector<std::size_t> slot(reqs.size());
  for (std::size_t i = 0; i < slot.size(); ++i)
    slot[i] = i;
  std::shuffle(slot.begin(), slot.end(), std::mt19937_64(7));
  std::vector<std::vector<net::IpAddress>> status(reqs.size());
  for (std::size_t i = 0; i < reqs.size(); ++i)
    status[i] = {nth(range, slot[i] * 3)};
  for (auto _ : state) {
    Allocator a;
    BruteForce b(range);
    if (!a.setPools({poolOf(s.cidr)}).ok()) std::abort();
    if (state.range(1) != 0) {
      a.reserve(kLive);
      b.reserve(kLive);
    }
    const auto t0 = Clock::now();
    for (std::size_t i = 0; i < reqs.size(); ++i) {
      if constexpr (kBrute) {
        if (!b.restore(reqs[i], status[i][0])) std::abort();
      } else {
        if (!a.restore(reqs[i], status[i]).ok()) std::abort();
      }
    }
    state.SetIterationTime(seconds(t0, Clock::now()));
  }
  state.SetLabel(std::string(s.cidr) + (state.range(1) != 0 ? " reserved" : ""));
}
void BM_Restore100k(benchmark::State& s) {
  restoreAll<false>(s);
}
void BM_BruteForceRestore100k(benchmark::State& s) {
  restoreAll<true>(s);
}

// A pool change with 100,000 assignments: re-validate every assignment against the new pools
// and rebuild the occupancy (the pool is renamed, so every assignment is re-attributed).
void BM_SetPools100k(benchmark::State& state) {
  const Scenario& s = kScenarios[state.range(0)];
  Fixture& f = fixture(static_cast<int>(state.range(0)), true);
  bool flip = false;
  for (auto _ : state) {
    lbconfig::Pool p = poolOf(s.cidr);
    p.name = flip ? "bench" : "renamed";
    flip = !flip;
    const auto t0 = Clock::now();
    auto report = f.ironlb->setPools({p});
    state.SetIterationTime(seconds(t0, Clock::now()));
    if (!report.ok() || report->repooled.size() != kLive) std::abort();
  }
  if (flip && !f.ironlb->setPools({poolOf(s.cidr)}).ok()) std::abort();
  state.SetLabel(std::string(s.cidr) + " fragmented");
}

// Heap bytes per assignment for pools of very different sizes: the figure must not depend on
// the pool size. Reported as counters; the time is irrelevant.
void BM_MemoryPerAssignment(benchmark::State& state) {
  static const char* kPools[] = {"2001:db8::/104", "10.0.0.0/8", "2001:db8::/64", "::/0"};
  const char* cidr = kPools[state.range(0)];
  const int count = static_cast<int>(state.range(1));
  const net::IpRange range = rangeOf(cidr);
  const auto reqs = requests("bench/s", count, range.family());
  for (auto _ : state) {
    g_counting = true;
    const int64_t before = g_live_bytes.load();
    auto a = std::make_unique<Allocator>();
    if (!a->setPools({poolOf(cidr)}).ok()) std::abort();
    const int64_t empty = g_live_bytes.load() - before;
    for (const auto& r : reqs) {
      if (!a->allocate(r).ok()) std::abort();
    }
    const int64_t full = g_live_bytes.load() - before;
    state.counters["empty_pool_bytes"] = static_cast<double>(empty);
    state.counters["bytes_per_assignment"] = static_cast<double>(full - empty) / count;
    const int64_t bBefore = g_live_bytes.load();
    BruteForce b(range);
    for (std::size_t i = 0; i < reqs.size(); ++i)
      b.restore(reqs[i], nth(range, i));
    state.counters["brute_bytes_per_assignment"] =
        static_cast<double>(g_live_bytes.load() - bBefore) / count;
    g_counting = false;
  }
  state.SetLabel(cidr);
}

// The documented weak spot: a Service with a sharing key whose (sharing key, backend key) group
// holds g IPs, none compatible (same port), scans the group: O(g). Here g = 10,000.
void BM_AllocateSharingKeyAdversarial(benchmark::State& state) {
  Allocator a;
  if (!a.setPools({poolOf("2001:db8::/64")}).ok()) std::abort();
  auto reqs = requests("bench/s", 10000, net::Family::kV6);
  for (auto& r : reqs) {
    r.sharingKey = "team";
    if (!a.allocate(r).ok()) std::abort();
  }
  ServiceRequest probe = request("bench/probe", net::Family::kV6);
  probe.sharingKey = "team";
  for (auto _ : state) {
    const auto t0 = Clock::now();
    benchmark::DoNotOptimize(a.allocate(probe));
    const auto t1 = Clock::now();
    a.release(probe.key);
    state.SetIterationTime(seconds(t0, t1));
  }
}

BENCHMARK(BM_Allocate)->Arg(0)->Arg(1)->UseManualTime()->Unit(benchmark::kNanosecond);
BENCHMARK(BM_Release)->Arg(0)->Arg(1)->UseManualTime()->Unit(benchmark::kNanosecond);
BENCHMARK(BM_ChurnAllocate)->Arg(0)->Arg(1)->UseManualTime()->Unit(benchmark::kNanosecond);
BENCHMARK(BM_ChurnRelease)->Arg(0)->Arg(1)->UseManualTime()->Unit(benchmark::kNanosecond);
BENCHMARK(BM_BruteForceAllocate)->Arg(0)->Arg(1)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_BruteForceRelease)->Arg(0)->Arg(1)->UseManualTime()->Unit(benchmark::kNanosecond);
BENCHMARK(BM_BruteForceChurnAllocate)
    ->Arg(0)
    ->Arg(1)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_BruteForceChurnRelease)->Arg(0)->Arg(1)->UseManualTime()->Unit(benchmark::kNanosecond);
BENCHMARK(BM_Restore100k)
    ->ArgsProduct({{0, 1}, {0, 1}})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BruteForceRestore100k)
    ->ArgsProduct({{0, 1}, {0, 1}})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SetPools100k)
    ->Arg(0)
    ->Arg(1)
    ->Iterations(2)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MemoryPerAssignment)
    ->ArgsProduct({{0, 1, 2, 3}, {1000, 100000}})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AllocateSharingKeyAdversarial)->UseManualTime()->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace ironlb::allocator

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("peak RSS: %ld KiB (whole run, both allocators, all fixtures)\n", usage.ru_maxrss);
  return 0;
}
