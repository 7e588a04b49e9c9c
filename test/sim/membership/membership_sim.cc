// membership_sim: runs many membership cores over the simulated network and prints the
// figures the design promises (README.md in speaker/membership): detection and agreement
// times after abrupt kills (p50/p99 over many trials), graceful-leave agreement, rejoin,
// withdrawal, partition heal, false deaths under loss, packets/s and state per node.
//
//   membership_sim [--nodes 10,100,1000] [--trials 30] [--seed 1] [--loss 0.01] [--quick]
//
// --quick runs the short deterministic check registered with ctest (10 nodes) and exits
// non-zero if a trial does not converge or a live member is declared dead.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "test/sim/membership/sim_cluster.h"
#include "test/sim/membership/stats.h"

namespace ironlb::membership::sim {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

double ms(Duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// Tracks, event by event, how many up nodes have (or lack) one member in their live set, and
// deaths declared about members that are in fact up.
class Tracker {
 public:
  explicit Tracker(SimCluster& c) : c_(c), ok_(c.size(), 0) {
    c_.onEvent = [this](std::size_t node, const Event& e) { observe(node, e); };
  }

  // Start watching `member`: agreement means every up node (other than `member` unless it must
  // be present) has it present (want=true) or absent (want=false).
  void watch(std::size_t member, bool want) {
    member_ = member;
    name_ = SimCluster::nameOf(member);
    want_ = want;
    since_ = c_.now();
    detected_ = util::MonoTime::max();
    agreed_ = 0;
    needed_ = 0;
    for (std::size_t i = 0; i < c_.size(); ++i) {
      ok_[i] = judge(i);
      if (counts(i)) {
        ++needed_;
        if (ok_[i]) ++agreed_;
      }
    }
  }
  bool agreed() const { return agreed_ == needed_; }
  util::MonoTime detected() const { return detected_; }
  uint64_t falseDeaths() const { return falseDeaths_; }
  void clearFalseDeaths() { falseDeaths_ = 0; }
  // Members expected to be declared dead (the current victim) are not false deaths.
  void expectDeath(std::size_t member) { victim_ = member; }
  void noExpectedDeath() { victim_ = SIZE_MAX; }

 private:
  bool counts(std::size_t i) const { return c_.up(i) && (want_ || i != member_); }
  bool judge(std::size_t i) {
    if (!c_.up(i)) return false;
    const auto& live = c_.node(i).liveMembers();
    return std::binary_search(live.begin(), live.end(), name_) == want_;
  }
  void observe(std::size_t node, const Event& e) {
    if (e.kind == EventKind::kMemberChanged && e.to == MemberStatus::kDead) {
      const std::size_t who = static_cast<std::size_t>(std::atoi(e.member.c_str() + 5));
      if (who == member_ && detected_ == util::MonoTime::max()) detected_ = e.at;
      if (who != victim_ && c_.up(who)) ++falseDeaths_;
    }
    if (e.kind != EventKind::kLiveSetChanged || !counts(node)) return;
    const char now = judge(node);
    if (now != ok_[node]) {
      agreed_ += now ? 1 : -1;
      ok_[node] = now;
    }
  }

  SimCluster& c_;
  std::vector<char> ok_;
  std::size_t member_ = 0;
  std::string name_;
  bool want_ = true;
  util::MonoTime since_{};
  util::MonoTime detected_ = util::MonoTime::max();
  std::size_t agreed_ = 0;
  std::size_t needed_ = 0;
  std::size_t victim_ = SIZE_MAX;
  uint64_t falseDeaths_ = 0;
};

struct Options {
  std::vector<std::size_t> sizes = {10, 100, 1000};
  int trials = 30;
  uint64_t seed = 1;
  double loss = 0.01;
  bool quick = false;
};

struct Outcome {
  int failures = 0;
};

// Waits for every node to see every node live.
bool converge(SimCluster& c, Duration limit) {
  std::size_t done = 0;
  std::vector<char> full(c.size(), 0);
  auto check = [&](std::size_t i) {
    const char f = c.up(i) && c.node(i).liveMembers().size() == c.size();
    if (f != full[i]) {
      done += f ? 1 : -1;
      full[i] = f;
    }
  };
  auto previous = c.onEvent;
  c.onEvent = [&](std::size_t node, const Event& e) {
    if (previous) previous(node, e);
    if (e.kind == EventKind::kLiveSetChanged) check(node);
  };
  for (std::size_t i = 0; i < c.size(); ++i)
    check(i);
  const bool ok = c.runUntil([&] { return done == c.size(); }, limit);
  c.onEvent = previous;
  return ok;
}

void report(const char* what, std::size_t n, const std::vector<double>& v, int failed) {
  std::printf("  %-34s %s%s\n", what, format(summarize(v)).c_str(),
              failed > 0 ? ("  (" + std::to_string(failed) + " did not converge)").c_str() : "");
  (void)n;
}

Outcome runSize(std::size_t n, const Options& opt) {
  Outcome out;
  std::mt19937_64 rng(opt.seed * 31 + n);
  NetworkConfig net;
  net.seed = opt.seed;
  SimCluster c(n, net, Timers{}, opt.seed);
  Tracker tracker(c);
  std::printf("== %zu members (simulated LAN: 200 us + exp(100 us) one way)\n", n);

  // Start: a DaemonSet rollout brings speakers up over a short time.
  const Duration stagger = n >= 500 ? milliseconds(500) : Duration::zero();
  for (std::size_t i = 0; i < n; ++i) {
    c.start(i);
    if (stagger > Duration::zero()) c.runFor(stagger / static_cast<long>(n));
  }
  if (!converge(c, seconds(10))) {
    std::printf("  start-up did not converge\n");
    ++out.failures;
    return out;
  }
  std::printf("  start-up converged at %.0f ms\n",
              ms(c.now() - (util::MonoTime{} + std::chrono::hours(1))));
  c.runFor(seconds(1));

  // Steady state cost.
  {
    const uint64_t p0 = c.packetsSent();
    const uint64_t b0 = c.bytesSent();
    const Duration window = opt.quick ? seconds(1) : seconds(3);
    c.runFor(window);
    const double secs = std::chrono::duration<double>(window).count();
    std::size_t stateMax = 0;
    double stateSum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      stateMax = std::max(stateMax, c.node(i).stateBytes());
      stateSum += static_cast<double>(c.node(i).stateBytes());
    }
    const double pps = static_cast<double>(c.packetsSent() - p0) / secs / static_cast<double>(n);
    const double bps = static_cast<double>(c.bytesSent() - b0) / secs / static_cast<double>(n);
    std::printf(
        "  steady state per node: %.1f packets/s sent (same received), %.1f KB/s sent, "
        "state %.1f KB avg / %.1f KB max\n",
        pps, bps / 1000, stateSum / static_cast<double>(n) / 1000,
        static_cast<double>(stateMax) / 1000);
  }

  std::uniform_int_distribution<std::size_t> pick(0, n - 1);
  const Duration limit = seconds(5);
  // Watches v turn `live` in every member's view. On agreement within `limit` appends the time
  // since t0 to *samples (when given); otherwise counts a failure.
  auto agreeOn = [&](std::size_t v, bool live, util::MonoTime t0, std::vector<double>* samples,
                     int& failed) {
    tracker.watch(v, live);
    if (!c.runUntil([&] { return tracker.agreed(); }, limit)) {
      ++failed;
      return false;
    }
    if (samples != nullptr) samples->push_back(ms(c.now() - t0));
    return true;
  };
  // One abrupt kill at a random phase of the probe schedule, then a restart (new incarnation).
  auto killTrial = [&](std::vector<double>& detect, std::vector<double>& agree,
                       std::vector<double>* rejoin, int& failed) {
    const std::size_t v = pick(rng);
    c.runFor(Duration(std::uniform_int_distribution<long>(0, 50'000'000)(rng)));
    const util::MonoTime t0 = c.now();
    tracker.expectDeath(v);
    c.kill(v);
    if (agreeOn(v, false, t0, &agree, failed) && tracker.detected() != util::MonoTime::max())
      detect.push_back(ms(tracker.detected() - t0));
    c.runFor(milliseconds(300));
    tracker.noExpectedDeath();
    const util::MonoTime t1 = c.now();
    c.restart(v);
    agreeOn(v, true, t1, rejoin, failed);
    c.runFor(milliseconds(300));
  };

  // Abrupt kills, each followed by a restart (new incarnation) and rejoin.
  {
    std::vector<double> detect, agree, rejoin;
    int failed = 0;
    tracker.clearFalseDeaths();
    for (int t = 0; t < opt.trials; ++t)
      killTrial(detect, agree, &rejoin, failed);
    report("kill: first death declared", n, detect, 0);
    report("kill: all members agree", n, agree, failed);
    report("restart: all see it live again", n, rejoin, 0);
    if (tracker.falseDeaths() > 0) {
      std::printf("  FALSE DEATHS during kill trials: %llu\n",
                  static_cast<unsigned long long>(tracker.falseDeaths()));
      ++out.failures;
    }
    out.failures += failed;
  }

  // Graceful leave (SIGTERM), then the process exits and later comes back.
  {
    std::vector<double> agree;
    int failed = 0;
    const int trials = std::max(5, opt.trials / 3);
    for (int t = 0; t < trials; ++t) {
      const std::size_t v = pick(rng);
      c.runFor(Duration(std::uniform_int_distribution<long>(0, 50'000'000)(rng)));
      const util::MonoTime t0 = c.now();
      c.leave(v);
      agreeOn(v, false, t0, &agree, failed);
      c.runFor(milliseconds(50));
      c.kill(v);
      c.runFor(milliseconds(300));
      c.restart(v);
      agreeOn(v, true, c.now(), nullptr, failed);
      c.runFor(milliseconds(300));
    }
    report("leave: all members agree", n, agree, failed);
    out.failures += failed;
  }

  // Local withdrawal and its reversal.
  {
    std::vector<double> off, on;
    int failed = 0;
    for (int t = 0; t < 5; ++t) {
      const std::size_t v = pick(rng);
      util::MonoTime t0 = c.now();
      c.setWithdrawn(v, true);
      agreeOn(v, false, t0, &off, failed);
      c.runFor(milliseconds(200));
      t0 = c.now();
      c.setWithdrawn(v, false);
      agreeOn(v, true, t0, &on, failed);
      c.runFor(milliseconds(200));
    }
    report("withdraw: all members agree", n, off, failed);
    report("un-withdraw: all members agree", n, on, 0);
    out.failures += failed;
  }

  // Kills under independent packet loss; and false deaths over a quiet period with loss.
  if (opt.loss > 0) {
    c.setLoss(opt.loss);
    tracker.clearFalseDeaths();
    tracker.noExpectedDeath();
    const Duration quiet = opt.quick ? seconds(5) : seconds(10);
    c.runFor(quiet);
    const uint64_t quietFalse = tracker.falseDeaths();
    std::vector<double> detect, agree;
    int failed = 0;
    const int trials = opt.quick ? 10 : opt.trials;
    for (int t = 0; t < trials; ++t)
      killTrial(detect, agree, nullptr, failed);
    char what[64];
    std::snprintf(what, sizeof what, "kill @%.0f%% loss: first death", opt.loss * 100);
    report(what, n, detect, 0);
    std::snprintf(what, sizeof what, "kill @%.0f%% loss: all agree", opt.loss * 100);
    report(what, n, agree, failed);
    std::printf("  false deaths at %.0f%% loss: %llu in %.0f s quiet + %llu during kill trials\n",
                opt.loss * 100, static_cast<unsigned long long>(quietFalse),
                std::chrono::duration<double>(quiet).count(),
                static_cast<unsigned long long>(tracker.falseDeaths() - quietFalse));
    if (tracker.falseDeaths() > 0) ++out.failures;
    out.failures += failed;
    c.setLoss(0);
  }

  // Partition into halves, then heal: one view again.
  {
    std::vector<double> split, heal;
    int failed = 0;
    const int trials = n >= 1000 ? 2 : 3;
    for (int t = 0; t < trials; ++t) {
      std::vector<int> group(n);
      for (std::size_t i = 0; i < n; ++i)
        group[i] = static_cast<int>(pick(rng) % 2);
      const util::MonoTime t0 = c.now();
      c.partition(group);
      tracker.noExpectedDeath();
      // Split: each side sees exactly itself.
      std::size_t sideOk = 0;
      std::vector<std::size_t> sideSize(2, 0);
      for (std::size_t i = 0; i < n; ++i)
        ++sideSize[static_cast<std::size_t>(group[i])];
      // Counted from the current state too: with few members both may land on one side (no
      // split at all), and no live-set change would ever be reported.
      std::vector<char> ok(n, 0);
      for (std::size_t i = 0; i < n; ++i) {
        ok[i] = c.node(i).liveMembers().size() == sideSize[static_cast<std::size_t>(group[i])];
        sideOk += ok[i] ? 1 : 0;
      }
      auto previous = c.onEvent;
      c.onEvent = [&](std::size_t node, const Event& e) {
        if (previous) previous(node, e);
        if (e.kind != EventKind::kLiveSetChanged) return;
        const char f =
            c.node(node).liveMembers().size() == sideSize[static_cast<std::size_t>(group[node])];
        if (f != ok[node]) {
          sideOk += f ? 1 : -1;
          ok[node] = f;
        }
      };
      if (c.runUntil([&] { return sideOk == n; }, seconds(5))) {
        split.push_back(ms(c.now() - t0));
      } else {
        ++failed;
      }
      c.onEvent = previous;
      c.runFor(seconds(1));
      const util::MonoTime t1 = c.now();
      c.heal();
      if (converge(c, seconds(15))) {
        heal.push_back(ms(c.now() - t1));
      } else {
        ++failed;
      }
      c.runFor(seconds(1));
    }
    report("partition: each side agrees", n, split, failed);
    report("heal: one view again", n, heal, 0);
    out.failures += failed;
  }
  tracker.clearFalseDeaths();
  std::fflush(stdout);
  return out;
}

std::vector<std::size_t> parseSizes(const char* s) {
  std::vector<std::size_t> out;
  while (*s != 0) {
    out.push_back(std::strtoul(s, nullptr, 10));
    const char* comma = std::strchr(s, ',');
    if (comma == nullptr) break;
    s = comma + 1;
  }
  return out;
}

}  // namespace
}  // namespace ironlb::membership::sim

int main(int argc, char** argv) {
  using namespace ironlb::membership::sim;
  Options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") {
      opt.quick = true;
      opt.sizes = {10};
    } else if (a == "--nodes" && i + 1 < argc) {
      opt.sizes = parseSizes(argv[++i]);
    } else if (a == "--trials" && i + 1 < argc) {
      opt.trials = std::atoi(argv[++i]);
    } else if (a == "--seed" && i + 1 < argc) {
      opt.seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--loss" && i + 1 < argc) {
      opt.loss = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr,
                   "usage: %s [--nodes 10,100,1000] [--trials 30] [--seed 1] [--loss 0.01] "
                   "[--quick]\n",
                   argv[0]);
      return 2;
    }
  }
  int failures = 0;
  for (std::size_t n : opt.sizes)
    failures += runSize(n, opt).failures;
  std::printf("%s\n", failures == 0 ? "membership_sim: OK" : "membership_sim: FAILED");
  return failures == 0 ? 0 : 1;
}
