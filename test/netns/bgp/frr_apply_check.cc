// frr_apply_check: drives a real FRR (zebra, bgpd, bfdd started by frr_apply_test.py inside a
// network namespace of the test) through a seeded random sequence of node plans, applying each
// change with diffFrrConfig over the daemons' control sockets, and after every step reads FRR's
// running configuration back: it must equal the rendering (no command to send from one to the
// other). Proves the renderer and the differ agree with FRR itself, and that changes never need
// a reload; every seventh step starts a new FrrApplier, which must resynchronize from FRR's
// running configuration. Prints "steps=N commands=M resyncs=R" and exits non-zero on the first
// mismatch.
//
//   frr_apply_check --vty-dir DIR [--seed N] [--steps N]

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "speaker/bgp/frr_applier.h"
#include "speaker/bgp/frr_config.h"
#include "speaker/bgp/frr_diff.h"
#include "speaker/bgp/frr_vty.h"

namespace {

using namespace ironlb;
using ironlb::bgp::FrrDaemon;

struct Args {
  std::string vtyDir;
  unsigned seed = 1;
  int steps = 40;
};

Args parseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--vty-dir") a.vtyDir = argv[i + 1];
    if (k == "--seed") a.seed = static_cast<unsigned>(std::stoul(argv[i + 1]));
    if (k == "--steps") a.steps = std::stoi(argv[i + 1]);
  }
  if (a.vtyDir.empty()) {
    std::fprintf(stderr, "usage: frr_apply_check --vty-dir DIR [--seed N] [--steps N]\n");
    std::exit(2);
  }
  return a;
}

net::Prefix prefix(const std::string& text) {
  return net::Prefix::parse(text)->prefix;
}

class World {
 public:
  explicit World(unsigned seed) : rng_(seed) {
    const char* addresses[] = {"192.0.2.1", "192.0.2.2", "198.51.100.1", "2001:db8::1",
                               "2001:db8::2"};
    for (int i = 0; i < 5; ++i) {
      lbconfig::BgpPeer p;
      p.name = "peer-" + std::to_string(i);
      p.myAsn = 64512;
      p.peerAsn = 64600 + static_cast<uint32_t>(i);
      p.address = *net::IpAddress::parse(addresses[i]);
      peers_.push_back(p);
    }
    for (int i = 1; i <= 12; ++i)
      prefixes_.push_back(prefix("203.0.113." + std::to_string(i) + "/32"));
    prefixes_.push_back(prefix("203.0.113.64/28"));
    for (int i = 1; i <= 6; ++i)
      prefixes_.push_back(prefix("2001:db8:5::" + std::to_string(i) + "/128"));
    lbconfig::BfdProfile fast;
    fast.name = "fast";
    fast.receiveIntervalMs = 100;
    fast.transmitIntervalMs = 100;
    fast.detectMultiplier = 5;
    lbconfig::BfdProfile echo;
    echo.name = "echo";
    echo.echoMode = true;
    echo.echoIntervalMs = 70;
    echo.passiveMode = true;
    profiles_ = {fast, echo};
  }

  // A random configuration and plan for one node.
  std::pair<lbconfig::BgpConfig, bgp::NodePlan> next() {
    lbconfig::BgpConfig config;
    bgp::NodePlan plan;
    for (const auto& profile : profiles_) {
      if (chance(2)) config.bfdProfiles.emplace(profile.name, profile);
    }
    for (lbconfig::BgpPeer p : peers_) {
      if (!chance(3)) continue;  // two in three peers present
      p.port = chance(4) ? 1179 : 179;
      if (chance(3)) {
        p.holdTimeS = chance(2) ? 9 : 30;
        p.keepaliveTimeS = *p.holdTimeS / 3;
      }
      if (chance(3)) p.connectTimeS = chance(2) ? 5 : 10;
      p.ebgpMultiHop = chance(4);
      p.gracefulRestart = chance(3);
      p.dualStackAddressFamily = chance(4);
      if (chance(3) && !config.bfdProfiles.empty()) {
        p.bfdProfile =
            std::next(config.bfdProfiles.begin(), pick(config.bfdProfiles.size()))->first;
      }
      if (chance(4)) p.routerId = *net::IpAddress::parse("192.0.2.10");
      config.peers.emplace(p.name, p);
    }
    // What a prefix gets comes from the advertisements of its pool, so a node has few distinct
    // (peers, attributes) sets, not one per prefix: each prefix is in one of three pools, and
    // each pool decides, per peer, whether the peer gets its prefixes and with what.
    constexpr std::size_t kPools = 3;
    std::vector<std::size_t> poolOf;
    for (std::size_t i = 0; i < prefixes_.size(); ++i)
      poolOf.push_back(pick(kPools));
    for (const auto& [name, peer] : config.peers) {
      plan.sessions.push_back(name);
      std::vector<std::optional<bgp::Route>> byPool(kPools);
      for (auto& choice : byPool) {
        if (!chance(3)) continue;
        bgp::Route r{prefixes_.front(), std::nullopt, {}};
        if (chance(3)) r.localPref = chance(2) ? 100 : 250;
        if (chance(3)) r.communities.push_back(lbconfig::StandardCommunity{64512, 7});
        if (chance(4)) r.communities.push_back(lbconfig::LargeCommunity{64512, 1, 2});
        choice = r;
      }
      bgp::PeerPlan pp{name, {}};
      for (std::size_t i = 0; i < prefixes_.size(); ++i) {
        const net::Prefix& pre = prefixes_[i];
        if (!byPool[poolOf[i]]) continue;
        const bool v4 = pre.family() == net::Family::kV4;
        if (!peer.dualStackAddressFamily && (peer.address->family() == net::Family::kV4) != v4) {
          continue;
        }
        bgp::Route r = *byPool[poolOf[i]];
        r.prefix = pre;
        pp.routes.push_back(r);
      }
      plan.peers.push_back(std::move(pp));
    }
    return {std::move(config), std::move(plan)};
  }

 private:
  bool chance(int oneIn) { return std::uniform_int_distribution<int>(0, oneIn - 1)(rng_) != 0; }
  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }

  std::mt19937 rng_;
  std::vector<lbconfig::BgpPeer> peers_;
  std::vector<net::Prefix> prefixes_;
  std::vector<lbconfig::BfdProfile> profiles_;
};

}  // namespace

int main(int argc, char** argv) {
  const Args args = parseArgs(argc, argv);
  auto bgpd = bgp::FrrVty::connect(args.vtyDir + "/bgpd.vty");
  auto bfdd = bgp::FrrVty::connect(args.vtyDir + "/bfdd.vty");
  if (!bgpd.ok() || !bfdd.ok()) {
    std::fprintf(stderr, "cannot reach FRR: %s %s\n", bgpd.ok() ? "" : bgpd.error().c_str(),
                 bfdd.ok() ? "" : bfdd.error().c_str());
    return 1;
  }
  World world(args.seed);
  std::optional<bgp::FrrApplier> applier;
  std::size_t commands = 0;
  std::size_t resyncs = 0;
  for (int step = 1; step <= args.steps + 1; ++step) {
    // The last step removes everything: FRR must end up with nothing of ours.
    auto [config, plan] =
        step <= args.steps ? world.next() : std::pair<lbconfig::BgpConfig, bgp::NodePlan>{};
    const std::string rendering = bgp::renderFrrConfig(config, plan, {"node", {}}).text;
    // Now and then a new applier, which knows nothing of FRR's state and must read it back
    // (what happens after a speaker restart).
    if (step % 7 == 1) applier.emplace(args.vtyDir);
    auto report = applier->apply(rendering);
    if (!report.ok()) {
      std::fprintf(stderr, "step %d: %s\n--- rendering ---\n%s", step, report.error().c_str(),
                   rendering.c_str());
      return 1;
    }
    if (report->resynced != (step % 7 == 1)) {
      std::fprintf(stderr, "step %d: resynced=%d unexpectedly\n", step, report->resynced);
      return 1;
    }
    commands += report->commands;
    resyncs += report->resynced ? 1 : 0;
    auto runBgpd = bgpd->command("show running-config");
    auto runBfdd = bfdd->command("show running-config");
    if (!runBgpd.ok() || !runBfdd.ok()) {
      std::fprintf(stderr, "step %d: cannot read the running configuration\n", step);
      return 1;
    }
    const std::string running =
        bgp::normalizeRunningConfig(runBgpd->output) + bgp::normalizeRunningConfig(runBfdd->output);
    const auto remaining = bgp::diffFrrConfig(running, rendering);
    if (!remaining.empty()) {
      std::fprintf(stderr,
                   "step %d (seed %u): FRR's running configuration differs from the "
                   "rendering; commands still needed:\n",
                   step, args.seed);
      for (const auto& b : remaining) {
        for (const auto& c : b.commands)
          std::fprintf(stderr, "  %s\n", c.c_str());
      }
      std::fprintf(stderr, "--- rendering ---\n%s--- running ---\n%s", rendering.c_str(),
                   running.c_str());
      return 1;
    }
  }
  std::printf("steps=%d commands=%zu resyncs=%zu seed=%u\n", args.steps + 1, commands, resyncs,
              args.seed);
  return 0;
}
