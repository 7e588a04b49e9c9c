// Election cost at cluster scale (Google Benchmark): what the speaker's planner spends when a
// node dies or comes back, when one Service changes, and when the configuration changes, with
// up to 1,000 nodes and 10,000 LB IPs. Counters report how many IPs each step re-decided.
//
//   build/test/bench/failover/planner_bench [--benchmark_filter=...]

#include <benchmark/benchmark.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/lbconfig/build.h"
#include "speaker/control/planner.h"

namespace ironlb::control {
namespace {

std::string nodeName(int i) {
  return "node-" + std::to_string(i);
}

lbconfig::Config makeConfig(int nodes) {
  lbconfig::Snapshot s;
  for (int i = 0; i < nodes; ++i) {
    api::Node n;
    n.meta.name = nodeName(i);
    n.meta.labels = {{"zone", i % 2 ? "b" : "a"}};
    s.nodes.push_back(std::move(n));
  }
  api::IPAddressPool pool;
  pool.meta.name = "main";
  pool.meta.ns = "metallb-system";
  pool.spec.addresses = {"10.0.0.0/16"};
  s.pools.push_back(pool);
  api::L2Advertisement ad;
  ad.meta.name = "all";
  ad.meta.ns = "metallb-system";
  s.l2Advertisements.push_back(ad);
  auto r = lbconfig::build(s, lbconfig::BuildOptions{});
  return *r.config;
}

net::IpAddress ipOf(int i) {
  return net::IpAddress::v4((10u << 24) | static_cast<uint32_t>(i + 1));
}

ServiceInput service(int i, bool local = false, std::vector<std::string> serving = {}) {
  ServiceInput s;
  s.key = "ns/svc-" + std::to_string(i);
  s.ips = {ipOf(i)};
  s.serving = true;
  s.local = local;
  s.servingNodes = std::move(serving);
  return s;
}

std::vector<std::string> liveOf(int nodes) {
  std::vector<std::string> out;
  for (int i = 0; i < nodes; ++i)
    out.push_back(nodeName(i));
  std::sort(out.begin(), out.end());
  return out;
}

Planner makePlanner(int nodes, int ips) {
  Planner p(nodeName(0));
  p.setConfig(makeConfig(nodes));
  p.setLive(liveOf(nodes));
  for (int i = 0; i < ips; ++i)
    p.upsertService(service(i));
  return p;
}

// A node dies and comes back (two live-set changes); the IPs it owned move away and back.
void BM_NodeLeavesAndReturns(benchmark::State& state) {
  const int nodes = static_cast<int>(state.range(0)), ips = static_cast<int>(state.range(1));
  Planner p = makePlanner(nodes, ips);
  const auto all = liveOf(nodes);
  std::size_t moved = 0;
  int victim = 0;
  for (auto _ : state) {
    auto without = all;
    without.erase(without.begin() + victim);
    moved += p.setLive(without).size();
    moved += p.setLive(all).size();
    victim = (victim + 7) % nodes;
  }
  state.counters["ips_moved_per_change"] =
      benchmark::Counter(static_cast<double>(moved) / 2, benchmark::Counter::kAvgIterations);
  state.counters["ips"] = ips;
}
BENCHMARK(BM_NodeLeavesAndReturns)
    ->Args({10, 100})
    ->Args({100, 1000})
    ->Args({1000, 1000})
    ->Args({1000, 10000})
    ->Unit(benchmark::kMillisecond);

// One Service's endpoints move (externalTrafficPolicy: Local): only its IP is re-decided.
void BM_ServiceEndpointsChange(benchmark::State& state) {
  const int nodes = static_cast<int>(state.range(0)), ips = static_cast<int>(state.range(1));
  Planner p = makePlanner(nodes, ips);
  int n = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(p.upsertService(service(0, true, {nodeName(n % nodes)})));
    ++n;
  }
}
BENCHMARK(BM_ServiceEndpointsChange)->Args({1000, 10000})->Unit(benchmark::kMicrosecond);

// A configuration change (pool, advertisement, Node labels) re-decides every IP.
void BM_ConfigurationChange(benchmark::State& state) {
  const int nodes = static_cast<int>(state.range(0)), ips = static_cast<int>(state.range(1));
  Planner p = makePlanner(nodes, ips);
  const lbconfig::Config config = makeConfig(nodes);
  for (auto _ : state)
    benchmark::DoNotOptimize(p.setConfig(config));
}
BENCHMARK(BM_ConfigurationChange)
    ->Args({100, 1000})
    ->Args({1000, 1000})
    ->Args({1000, 10000})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

// One full decision at 1,000 candidates (a re-election after the owner died).
void BM_DecideOneIp(benchmark::State& state) {
  const int nodes = static_cast<int>(state.range(0));
  const lbconfig::Config config = makeConfig(nodes);
  const auto live = liveOf(nodes);
  const ServiceInput s = service(0);
  const std::vector<const ServiceInput*> services = {&s};
  CandidateCache cache;
  for (auto _ : state)
    benchmark::DoNotOptimize(decide(ipOf(0), services, config, live, cache));
}
BENCHMARK(BM_DecideOneIp)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace ironlb::control

BENCHMARK_MAIN();
