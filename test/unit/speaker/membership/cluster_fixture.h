#pragma once
// Shared helpers for the membership scenario tests: a simulated cluster plus an event log.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test/sim/membership/sim_cluster.h"

namespace ironlb::membership::testing {

using std::chrono::milliseconds;
using std::chrono::seconds;

struct Logged {
  std::size_t node;
  Event event;
};

class ClusterTest : public ::testing::Test {
 protected:
  void make(std::size_t n, sim::NetworkConfig net = {}, Timers timers = {}, uint64_t seed = 7) {
    cluster_ = std::make_unique<sim::SimCluster>(n, net, timers, seed);
    cluster_->onEvent = [this](std::size_t node, const Event& e) { log_.push_back({node, e}); };
  }
  sim::SimCluster& c() { return *cluster_; }

  std::vector<std::size_t> all() const {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < cluster_->size(); ++i)
      out.push_back(i);
    return out;
  }
  std::vector<std::size_t> allBut(std::initializer_list<std::size_t> gone) const {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < cluster_->size(); ++i) {
      if (std::find(gone.begin(), gone.end(), i) == gone.end()) out.push_back(i);
    }
    return out;
  }
  // Runs until every up node's live set is exactly `members`.
  bool agreeOn(const std::vector<std::size_t>& members, Duration limit = seconds(3)) {
    const auto names = c().namesOf(members);
    return c().runUntil([&] { return c().allAgree(names); }, limit);
  }
  void startAndConverge() {
    c().startAll();
    ASSERT_TRUE(agreeOn(all(), seconds(2)));
    c().runFor(milliseconds(100));  // monitors settle on their targets
  }

  static std::string name(std::size_t i) { return sim::SimCluster::nameOf(i); }
  bool lives(std::size_t observer, std::size_t member) {
    const auto& live = c().node(observer).liveMembers();
    return std::binary_search(live.begin(), live.end(), name(member));
  }
  MemberInfo info(std::size_t observer, std::size_t member) {
    for (auto& m : c().node(observer).members(c().now())) {
      if (m.name == name(member)) return m;
    }
    ADD_FAILURE() << "no member " << member;
    return {};
  }
  // Deaths declared or learned about `member` (any observer), after `since`.
  int deathsOf(std::size_t member, util::MonoTime since = util::MonoTime{}) const {
    int n = 0;
    for (const auto& l : log_) {
      if (l.event.kind == EventKind::kMemberChanged && l.event.to == MemberStatus::kDead &&
          l.event.member == name(member) && l.event.at >= since) {
        ++n;
      }
    }
    return n;
  }
  int anyDeaths(util::MonoTime since = util::MonoTime{}) const {
    int n = 0;
    for (const auto& l : log_) {
      if (l.event.kind == EventKind::kMemberChanged && l.event.to == MemberStatus::kDead &&
          l.event.at >= since) {
        ++n;
      }
    }
    return n;
  }
  const Logged* first(EventKind kind, const std::string& member,
                      util::MonoTime since = util::MonoTime{}) const {
    for (const auto& l : log_) {
      if (l.event.kind == kind && l.event.member == member && l.event.at >= since) return &l;
    }
    return nullptr;
  }
  int count(EventKind kind, std::size_t node) const {
    int n = 0;
    for (const auto& l : log_)
      n += l.node == node && l.event.kind == kind;
    return n;
  }
  uint64_t rejected(std::size_t node, RejectReason r) {
    return c().node(node).counters().rejected[static_cast<std::size_t>(r)];
  }
  // A monitor of `target` (an up node that lists it as monitored).
  std::size_t monitorOf(std::size_t target) {
    for (std::size_t i = 0; i < c().size(); ++i) {
      if (i != target && c().up(i) && info(i, target).monitored) return i;
    }
    ADD_FAILURE() << "nobody monitors " << target;
    return 0;
  }
  void cutBoth(std::size_t a, std::size_t b, bool cut) {
    c().cut(a, b, cut);
    c().cut(b, a, cut);
  }

  std::unique_ptr<sim::SimCluster> cluster_;
  std::vector<Logged> log_;
};

}  // namespace ironlb::membership::testing
