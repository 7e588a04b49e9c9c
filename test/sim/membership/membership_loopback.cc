// membership_loopback: the real driver (UdpMembership, Boost.Asio, UDP sockets) with many
// instances on loopback addresses 127.0.x.y in one process and one io_context. Kills members
// abruptly (socket closed, no goodbye), stops them gracefully (leave()), restarts them, and
// prints detection/agreement times measured with the monotonic clock, plus packets/s and
// state per node.
//
//   membership_loopback [--nodes 50] [--trials 30] [--base 127.0.0.10] [--port 37946]
//                       [--quick]
//
// Everything is bounded: each wait has a deadline and the whole run a watchdog (--deadline
// seconds, default 300). Exit status is non-zero when a trial does not converge.

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "speaker/membership/udp_membership.h"
#include "test/sim/membership/stats.h"

namespace ironlb::membership::loopback {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

double ms(Duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

struct Options {
  std::size_t nodes = 50;
  int trials = 30;
  uint32_t base = 0x7f00000a;  // 127.0.0.10
  uint16_t port = 37946;
  int deadlineSeconds = 300;
  bool quick = false;
};

class Cluster {
 public:
  explicit Cluster(const Options& opt) : opt_(opt), members_(opt.nodes), state_(opt.nodes) {
    for (std::size_t i = 0; i < opt.nodes; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "node-%03zu", i);
      specs_.push_back(MemberSpec{
          name, Endpoint{net::IpAddress::v4(opt.base + static_cast<uint32_t>(i)), opt.port}});
    }
    names_.reserve(opt.nodes);
    for (const auto& s : specs_)
      names_.push_back(s.name);
    deadline_ = Clock::now() + seconds(opt.deadlineSeconds);
  }

  bool start(std::size_t i) {
    Config config;
    config.selfName = specs_[i].name;
    config.selfEndpoint = specs_[i].endpoint;
    // Wall-clock milliseconds, as the daemon does; +generation so a restart within the same
    // millisecond still gets a higher incarnation.
    const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
    config.startIncarnation = static_cast<uint64_t>(wall) + (++generation_);
    config.randomSeed = std::random_device{}();
    UdpMembership::Callbacks callbacks;
    callbacks.onLiveSetChanged = [this, i](const std::vector<std::string>& live, util::MonoTime) {
      onLive(i, live);
    };
    callbacks.onEvent = [this](const Event& e) {
      if (e.kind == EventKind::kMemberChanged && e.to == MemberStatus::kDead &&
          e.member == watchName_ && firstDeath_ == util::MonoTime::max()) {
        firstDeath_ = e.at;
      }
    };
    auto m = UdpMembership::create(io_, util::SystemClock::instance(), config, specs_, keys_,
                                   std::move(callbacks));
    if (!m.ok()) {
      std::fprintf(stderr, "%s\n", m.error().c_str());
      return false;
    }
    members_[i] = std::move(*m);
    members_[i]->start();
    return true;
  }
  void kill(std::size_t i) {
    members_[i].reset();
    state_[i] = 0;
  }
  void leave(std::size_t i, bool& done) {
    members_[i]->leave([&done] { done = true; });
  }
  bool up(std::size_t i) const { return members_[i] != nullptr; }
  std::size_t size() const { return specs_.size(); }
  UdpMembership& at(std::size_t i) { return *members_[i]; }

  // Agreement tracking on `member`: every up member (other than it, unless it must be present)
  // has it present (want) or absent (!want).
  void watch(std::size_t member, bool want) {
    watched_ = member;
    watchName_ = specs_[member].name;
    want_ = want;
    firstDeath_ = util::MonoTime::max();
    for (std::size_t i = 0; i < size(); ++i) {
      state_[i] = up(i) ? judge(members_[i]->liveMembers()) : 0;
    }
  }
  bool agreed() const {
    for (std::size_t i = 0; i < size(); ++i) {
      if (!up(i) || (!want_ && i == watched_)) continue;
      if (!state_[i]) return false;
    }
    return true;
  }
  bool everyoneSeesEveryone() const {
    for (std::size_t i = 0; i < size(); ++i) {
      if (!up(i) || members_[i]->liveMembers() != names_) return false;
    }
    return true;
  }
  util::MonoTime firstDeath() const { return firstDeath_; }

  // Steps the io_context until pred() or `limit`; false on timeout or watchdog.
  template <class Pred>
  bool runUntil(Pred pred, Duration limit) {
    const auto end = std::min(Clock::now() + limit, deadline_);
    while (!pred()) {
      if (Clock::now() >= end) return false;
      io_.run_for(milliseconds(1));
    }
    return true;
  }
  void runFor(Duration d) {
    const auto end = std::min(Clock::now() + d, deadline_);
    while (Clock::now() < end)
      io_.run_for(milliseconds(1));
  }

 private:
  char judge(const std::vector<std::string>& live) const {
    return std::binary_search(live.begin(), live.end(), watchName_) == want_;
  }
  void onLive(std::size_t i, const std::vector<std::string>& live) { state_[i] = judge(live); }

  Options opt_;
  boost::asio::io_context io_;
  std::vector<MemberSpec> specs_;
  std::vector<std::string> names_;
  std::vector<std::vector<uint8_t>> keys_ = {std::vector<uint8_t>(32, 0x5c)};
  std::vector<std::unique_ptr<UdpMembership>> members_;
  std::vector<char> state_;
  std::size_t watched_ = 0;
  std::string watchName_;
  bool want_ = true;
  util::MonoTime firstDeath_ = util::MonoTime::max();
  uint64_t generation_ = 0;
  Clock::time_point deadline_;
};

uint64_t sentPackets(const Counters& c) {
  uint64_t n = 0;
  for (uint64_t v : c.sent)
    n += v;
  return n;
}

int run(const Options& opt) {
  Cluster c(opt);
  std::printf("== %zu members on loopback (%s:%u upwards), one process, one io_context\n",
              opt.nodes, net::IpAddress::v4(opt.base).toString().c_str(), opt.port);
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (!c.start(i)) return 1;
  }
  const auto t0 = Clock::now();
  if (!c.runUntil([&] { return c.everyoneSeesEveryone(); }, seconds(10))) {
    std::printf("  start-up did not converge\n");
    return 1;
  }
  std::printf("  start-up converged in %.1f ms\n", ms(Clock::now() - t0));
  c.runFor(milliseconds(500));

  {
    std::vector<uint64_t> before(c.size());
    for (std::size_t i = 0; i < c.size(); ++i)
      before[i] = sentPackets(c.at(i).counters());
    const auto w0 = Clock::now();
    c.runFor(opt.quick ? seconds(1) : seconds(3));
    const double secs = std::chrono::duration<double>(Clock::now() - w0).count();
    double total = 0;
    double state = 0;
    uint64_t sendErrors = 0;
    for (std::size_t i = 0; i < c.size(); ++i) {
      total += static_cast<double>(sentPackets(c.at(i).counters()) - before[i]);
      state += static_cast<double>(c.at(i).core().stateBytes());
      sendErrors += c.at(i).sendErrors();
    }
    std::printf("  steady state per node: %.1f packets/s sent, state %.1f KB, send errors %llu\n",
                total / secs / static_cast<double>(c.size()),
                state / static_cast<double>(c.size()) / 1000,
                static_cast<unsigned long long>(sendErrors));
  }

  std::mt19937_64 rng(std::random_device{}());
  std::uniform_int_distribution<std::size_t> pick(0, c.size() - 1);
  int failures = 0;

  std::vector<double> detect, agree, rejoin;
  for (int t = 0; t < opt.trials; ++t) {
    const std::size_t v = pick(rng);
    c.runFor(milliseconds(std::uniform_int_distribution<int>(0, 50)(rng)));
    c.watch(v, false);
    const util::MonoTime k0 = Clock::now();
    c.kill(v);
    if (c.runUntil([&] { return c.agreed(); }, seconds(5))) {
      agree.push_back(ms(Clock::now() - k0));
      if (c.firstDeath() != util::MonoTime::max()) detect.push_back(ms(c.firstDeath() - k0));
    } else {
      ++failures;
    }
    c.runFor(milliseconds(200));
    const util::MonoTime r0 = Clock::now();
    if (!c.start(v)) return 1;
    c.watch(v, true);
    if (c.runUntil([&] { return c.agreed(); }, seconds(5))) {
      rejoin.push_back(ms(Clock::now() - r0));
    } else {
      ++failures;
    }
    c.runFor(milliseconds(200));
  }
  std::printf("  %-34s %s\n", "kill: first death declared",
              sim::format(sim::summarize(detect)).c_str());
  std::printf("  %-34s %s\n", "kill: all members agree",
              sim::format(sim::summarize(agree)).c_str());
  std::printf("  %-34s %s\n", "restart: all see it live again",
              sim::format(sim::summarize(rejoin)).c_str());

  std::vector<double> left;
  const int leaves = std::max(3, opt.trials / 3);
  for (int t = 0; t < leaves; ++t) {
    const std::size_t v = pick(rng);
    c.watch(v, false);
    bool done = false;
    const util::MonoTime l0 = Clock::now();
    c.leave(v, done);
    if (c.runUntil([&] { return c.agreed(); }, seconds(5))) {
      left.push_back(ms(Clock::now() - l0));
    } else {
      ++failures;
    }
    if (!c.runUntil([&] { return done; }, seconds(1))) ++failures;
    c.kill(v);
    c.runFor(milliseconds(100));
    if (!c.start(v)) return 1;
    c.watch(v, true);
    if (!c.runUntil([&] { return c.agreed(); }, seconds(5))) ++failures;
    c.runFor(milliseconds(200));
  }
  std::printf("  %-34s %s\n", "leave: all members agree",
              sim::format(sim::summarize(left)).c_str());
  if (!c.runUntil([&] { return c.everyoneSeesEveryone(); }, seconds(5))) ++failures;
  std::printf("%s\n", failures == 0 ? "membership_loopback: OK"
                                    : ("membership_loopback: FAILED (" + std::to_string(failures) +
                                       " trials did not converge)")
                                          .c_str());
  return failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace ironlb::membership::loopback

int main(int argc, char** argv) {
  using namespace ironlb;
  membership::loopback::Options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") {
      opt.quick = true;
      opt.nodes = 8;
      opt.trials = 3;
      opt.deadlineSeconds = 60;
    } else if (a == "--nodes" && i + 1 < argc) {
      opt.nodes = std::strtoul(argv[++i], nullptr, 10);
    } else if (a == "--trials" && i + 1 < argc) {
      opt.trials = std::atoi(argv[++i]);
    } else if (a == "--port" && i + 1 < argc) {
      opt.port = static_cast<uint16_t>(std::atoi(argv[++i]));
    } else if (a == "--deadline" && i + 1 < argc) {
      opt.deadlineSeconds = std::atoi(argv[++i]);
    } else if (a == "--base" && i + 1 < argc) {
      auto ip = net::IpAddress::parse(argv[++i]);
      if (!ip.ok() || !ip->isV4() || (ip->v4Value() >> 24) != 127) {
        std::fprintf(stderr, "--base must be an IPv4 loopback address (127.x.y.z)\n");
        return 2;
      }
      opt.base = ip->v4Value();
    } else {
      std::fprintf(stderr,
                   "usage: %s [--nodes 50] [--trials 30] [--base 127.0.0.10] [--port 37946] "
                   "[--deadline 300] [--quick]\n",
                   argv[0]);
      return 2;
    }
  }
  if (opt.nodes < 2 || ((opt.base & 0xffffff) + opt.nodes) > 0xfffffe) {
    std::fprintf(stderr, "--nodes must be >= 2 and fit in 127.0.0.0/8 above --base\n");
    return 2;
  }
  return membership::loopback::run(opt);
}
