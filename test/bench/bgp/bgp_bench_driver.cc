// bgp_bench_driver: one node's BGP pipeline (BgpNode over a real FrrApplier) kept alive across
// the steps of test/bench/bgp/bgp_bench.py (docs/bgp.md, "Speed"), driven by commands on stdin,
// one per line, each answered by one JSON line on stdout.
//
//   bgp_bench_driver --input FILE --vty-dir DIR [--scale-base ADDRESS] [--poll-ms MS]
//
// FILE: as bgp_node_apply's ({"node", "objects", "services", "passwords"}). Its Services are
// always there; on top come the first N "scale" Services, bench/scale-<i> with the single
// address <scale-base> + 1 + i (default 2001:db8:100::), Cluster policy, served on this node.
//
// Commands:
//   set N      the scale Services are the first N
//   add        one more scale Service (the answer gives its "ip")
//   remove     one fewer
//   withdraw   BgpNode::withdrawAll(), the first thing a graceful stop does
//   restore    the Services announced again after a withdraw
//   sync       step until an apply succeeds (FRR was restarted under the driver; the applier
//              notices and reads FRR's state back); waits for BgpNode's poll (--poll-ms)
//   idle S     BgpNode's loop for S seconds with nothing changing (its polls and no-op applies)
//   quit
// Answer: {"ok", "error", "t0" (CLOCK_MONOTONIC seconds when the change was handed to BgpNode),
// "planMs" (setServices: plan and render), "applyMs" and "commands" (summed over FrrApplier's
// applies meanwhile), "applies", "resynced", "tDone" (monotonic seconds when FRR had accepted
// the last command), "prefixes" (routes in the node's plan), "ip" (add)}.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/util/clock.h"
#include "speaker/bgp/bgp_node.h"
#include "speaker/bgp/frr_applier.h"
#include "test/netns/bgp/bgp_test_input.h"

namespace {

using namespace ironlb;
using Clock = std::chrono::steady_clock;

double seconds(util::MonoTime t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

double ms(util::Duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// The real applier, with what its applies cost since the last reset().
class TimedPort final : public bgp::FrrPort {
 public:
  explicit TimedPort(bgp::FrrPort& inner) : inner_(inner) {}

  Result<bgp::ApplyReport> apply(const std::string& rendering) override {
    const util::MonoTime start = Clock::now();
    auto out = inner_.apply(rendering);
    const util::MonoTime end = Clock::now();
    ++stats_.applies;
    stats_.time += end - start;
    if (out.ok()) {
      stats_.commands += out->commands;
      stats_.resynced |= out->resynced;
      stats_.lastOk = end;
    }
    return out;
  }
  Result<std::string> show(bgp::FrrDaemon daemon, const std::string& command) override {
    return inner_.show(daemon, command);
  }

  void reset() { stats_ = {}; }
  bool appliedOk() const { return stats_.lastOk.has_value(); }
  void report(nlohmann::json& out) const {
    out["applyMs"] = ms(stats_.time);
    out["commands"] = stats_.commands;
    out["applies"] = stats_.applies;
    out["resynced"] = stats_.resynced;
    if (stats_.lastOk) out["tDone"] = seconds(*stats_.lastOk);
  }

 private:
  struct Stats {
    std::size_t applies = 0;
    std::size_t commands = 0;
    util::Duration time{};
    bool resynced = false;
    std::optional<util::MonoTime> lastOk;
  };
  bgp::FrrPort& inner_;
  Stats stats_;
};

const nlohmann::json kNone = nlohmann::json::object();

class Driver {
 public:
  Driver(const nlohmann::json& input, const std::string& vtyDir, net::IpAddress scaleBase,
         util::Duration poll)
      : node_(input.at("node").get<std::string>()),
        applier_(vtyDir),
        port_(applier_),
        bgp_(node_, port_, util::SystemClock::instance(), util::makeRandomSource(), nullptr,
             {.pollInterval = poll, .retry = {}}),
        scaleBase_(scaleBase),
        base_(bgp::it::decodeServices(input.value("services", nlohmann::json::array()))) {
    bgp::it::BuiltInput built = bgp::it::buildInput(input.at("objects"));
    for (const std::string& m : built.messages)
      std::fprintf(stderr, "%s\n", m.c_str());
    if (!built.config) throw std::invalid_argument("the input's objects do not validate");
    std::map<std::string, std::string> passwords;
    const nlohmann::json& given = input.contains("passwords") ? input.at("passwords") : kNone;
    for (const auto& [peer, password] : given.items())
      passwords[peer] = password.get<std::string>();
    bgp_.setPasswords(std::move(passwords));
    lbconfig::BgpConfig bgpConfig = built.config->bgp();
    bgp_.setConfig(std::make_shared<const lbconfig::Config>(std::move(*built.config)),
                   std::move(bgpConfig));
  }

  nlohmann::json run(const std::string& line) {
    std::istringstream in(line);
    std::string verb;
    in >> verb;
    port_.reset();
    nlohmann::json out = {{"ok", true}};
    if (verb == "set" || verb == "add" || verb == "remove" || verb == "restore") {
      std::size_t n = scale_.size();
      if (verb == "set") in >> n;
      if (verb == "add") ++n;
      if (verb == "remove" && n > 0) --n;
      if (!resize(n, out)) return out;
      if (verb == "add") out["ip"] = scale_.back().ips.front().toString();
      change(out);
    } else if (verb == "withdraw") {
      const util::MonoTime t0 = Clock::now();
      out["t0"] = seconds(t0);
      if (Status s = bgp_.withdrawAll(); !s.ok()) fail(out, s.error());
    } else if (verb == "sync") {
      out["t0"] = seconds(Clock::now());
      loop(
          std::chrono::seconds(60), [&] { return port_.appliedOk(); }, out);
    } else if (verb == "idle") {
      double s = 0;
      in >> s;
      loop(
          std::chrono::duration_cast<util::Duration>(std::chrono::duration<double>(s)),
          [] { return false; }, out);
      out["ok"] = true;
      out.erase("error");
    } else {
      fail(out, "unknown command: " + line);
    }
    port_.report(out);
    std::size_t prefixes = 0;
    for (const bgp::PeerPlan& p : bgp_.plan().peers)
      prefixes += p.routes.size();
    out["prefixes"] = prefixes;
    return out;
  }

 private:
  static void fail(nlohmann::json& out, const std::string& error) {
    out["ok"] = false;
    out["error"] = error;
  }

  bool resize(std::size_t n, nlohmann::json& out) {
    while (scale_.size() > n)
      scale_.pop_back();
    while (scale_.size() < n) {
      const std::size_t i = scale_.size();
      const auto ip = scaleBase_.plus(i + 1);
      if (!ip) {
        fail(out, "scale Service " + std::to_string(i) + " is beyond the address space");
        return false;
      }
      control::ServiceInput s;
      s.key = "bench/scale-" + std::to_string(i);
      s.ips = {*ip};
      s.serving = true;
      s.servingNodes = {node_};
      scale_.push_back(std::move(s));
    }
    return true;
  }

  // Hands the Services to BgpNode (as the speaker's informer would) and steps until applied.
  void change(nlohmann::json& out) {
    std::vector<control::ServiceInput> all = base_;
    all.insert(all.end(), scale_.begin(), scale_.end());
    const util::MonoTime t0 = Clock::now();
    bgp_.setServices(std::move(all));
    out["t0"] = seconds(t0);
    out["planMs"] = ms(Clock::now() - t0);
    loop(
        std::chrono::seconds(120), [&] { return bgp_.inSync(); }, out);
  }

  // BgpNode's loop: step() when it asks, until `done` or the time is up (an error then).
  template <class Done>
  void loop(util::Duration limit, Done done, nlohmann::json& out) {
    const util::MonoTime end = Clock::now() + limit;
    while (true) {
      const util::MonoTime next = bgp_.step();
      if (done()) return;
      const util::MonoTime now = Clock::now();
      if (now >= end) {
        fail(out, bgp_.lastError().empty() ? "timed out" : bgp_.lastError());
        return;
      }
      std::this_thread::sleep_until(std::min({next, end, now + std::chrono::milliseconds(20)}));
    }
  }

  std::string node_;
  bgp::FrrApplier applier_;
  TimedPort port_;
  bgp::BgpNode bgp_;
  net::IpAddress scaleBase_;
  std::vector<control::ServiceInput> base_;
  std::vector<control::ServiceInput> scale_;
};

}  // namespace

int main(int argc, char** argv) {
  std::string inputPath, vtyDir, scaleBase = "2001:db8:100::";
  long pollMs = 5000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--input") inputPath = argv[i + 1];
    if (k == "--vty-dir") vtyDir = argv[i + 1];
    if (k == "--scale-base") scaleBase = argv[i + 1];
    if (k == "--poll-ms") pollMs = std::stol(argv[i + 1]);
  }
  const auto base = net::IpAddress::parse(scaleBase);
  if (inputPath.empty() || vtyDir.empty() || !base.ok() || pollMs <= 0) {
    std::fprintf(stderr,
                 "usage: bgp_bench_driver --input FILE --vty-dir DIR [--scale-base ADDRESS] "
                 "[--poll-ms MS]\n");
    return 2;
  }
  try {
    Driver driver(bgp::it::readJsonFile(inputPath), vtyDir, *base,
                  std::chrono::milliseconds(pollMs));
    for (std::string line; std::getline(std::cin, line);) {
      if (line == "quit") break;
      if (line.empty()) continue;
      std::cout << driver.run(line).dump() << std::endl;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bgp_bench_driver: %s\n", e.what());
    return 1;
  }
  return 0;
}
