// Leader hand-over never flips an IP (docs/leader-election.md): two replicas, Services created
// and deleted all the time in a small pool (freed IPs are reused at once), status writes
// deliberately delayed (--fault-status-write-delay), and the leader frozen (SIGSTOP) until the
// standby has taken over, then thawed with its delayed writes still pending. A watch sees every
// change: no Service's IP ever changes or disappears while it exists, and no IP is ever shown
// by two Services at once.
#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

#include "common/k8s/cancel_token.h"
#include "common/k8s/object_meta.h"
#include "it_env.h"

namespace ironlb::controller::it {
namespace {

// Every state of every Service in a namespace, in resourceVersion order, checked as it comes.
class Observer {
 public:
  explicit Observer(const std::string& ns) : ns_(ns) {
    auto list = adminApi().list(k8s::resources::kServices, ns_);
    EXPECT_TRUE(list.ok());
    if (list) {
      version_ = list->resourceVersion;
      for (const auto& s : list->items)
        see(s, false);
    }
    thread_ = std::thread([this] { run(); });
  }
  ~Observer() { stop(); }
  void stop() {
    cancel_.cancel();
    if (thread_.joinable()) thread_.join();
  }

  int flips() const { return flips_.load(); }
  int duplicates() const { return duplicates_.load(); }
  int events() const { return events_.load(); }
  std::vector<std::string> problems() {
    std::lock_guard lock(mu_);
    return {problems_.begin(), problems_.end()};
  }

 private:
  void run() {
    while (!cancel_.cancelled()) {
      k8s::WatchOptions w{.resourceVersion = version_, .timeoutSeconds = 30, .cancel = &cancel_};
      w.allowBookmarks = true;
      auto r = adminApi().watch(k8s::resources::kServices, ns_, w, [&](k8s::WatchEvent&& e) {
        if (e.type == k8s::WatchEventType::kBookmark) {
          version_ = k8s::resourceVersionOf(e.object);
          return true;
        }
        if (e.type != k8s::WatchEventType::kAdded && e.type != k8s::WatchEventType::kModified &&
            e.type != k8s::WatchEventType::kDeleted) {
          return true;
        }
        version_ = k8s::resourceVersionOf(e.object);
        see(e.object, e.type == k8s::WatchEventType::kDeleted);
        return true;
      });
      if (!r && !cancel_.cancelled()) cancel_.sleepFor(100ms);
    }
  }

  void note(const std::string& what) {
    std::lock_guard lock(mu_);
    if (problems_.size() < 20) problems_.push_back(what);
  }

  void see(const Json& object, bool deleted) {
    ++events_;
    const std::string name = k8s::nameOf(object);
    auto& shown = shown_[name];
    for (const auto& ip : shown)
      owners_[ip].erase(name);
    if (deleted) {
      shown_.erase(name);
      return;
    }
    const std::vector<std::string> now = ingressIps(object);
    if (!shown.empty() && now != shown) {
      ++flips_;
      note(name + ": " + testing::PrintToString(shown) + " -> " + testing::PrintToString(now) +
           " at " + k8s::resourceVersionOf(object));
    }
    if (!now.empty()) shown = now;
    for (const auto& ip : shown) {
      auto& owners = owners_[ip];
      owners.insert(name);
      if (owners.size() > 1) {
        ++duplicates_;
        note(ip + " shown by " + testing::PrintToString(owners) + " at " +
             k8s::resourceVersionOf(object));
      }
    }
  }

  std::string ns_;
  std::string version_;
  k8s::CancelToken cancel_;
  std::thread thread_;
  std::map<std::string, std::vector<std::string>> shown_;  // the last non-empty IPs per Service
  std::map<std::string, std::set<std::string>> owners_;
  std::atomic<int> flips_{0};
  std::atomic<int> duplicates_{0};
  std::atomic<int> events_{0};
  std::mutex mu_;
  std::deque<std::string> problems_;
};

int fencedWrites(Controller& c) {
  int n = 0;
  const std::string log = c.log();
  for (auto at = log.find("write fencing"); at != std::string::npos;
       at = log.find("write fencing", at + 1)) {
    ++n;
  }
  return n;
}

TEST(ControllerHandoverIT, HandoverChurnNoIpFlip) {
  Scenario s("handover");
  s.createPool("p", {"192.0.2.0/27"});
  s.createAdvertisement();
  std::vector<Controller*> replicas;
  for (const char* id : {"a", "b"}) {
    ControllerOptions o = s.options(id);
    o.leaderElect = true;
    o.extra.push_back("--fault-status-write-delay=700ms");
    replicas.push_back(&s.startController(o));
  }
  auto leader = [&]() -> Controller* {
    for (Controller* c : replicas)
      if (c->metric("ironlb_controller_leader") == 1.0) return c;
    return nullptr;
  };
  ASSERT_TRUE(eventually([&] { return leader() != nullptr; }, 30s));
  Observer observer(s.ns());

  std::deque<std::string> live;
  int next = 0;
  auto churn = [&](int rounds) {
    for (int r = 0; r < rounds; ++r) {
      for (int i = 0; i < 2; ++i) {
        const std::string name = "svc-" + std::to_string(next++);
        if (s.createService(name)) live.push_back(name);
      }
      while (live.size() > 20) {
        cluster().remove(k8s::resources::kServices, s.ns(), live.front());
        live.pop_front();
      }
      std::this_thread::sleep_for(150ms);  // pacing of the churn, not a wait for a condition
    }
  };

  constexpr int kHandovers = 3;
  int handovers = 0;
  for (int h = 0; h < kHandovers; ++h) {
    churn(10);
    Controller* old = nullptr;
    ASSERT_TRUE(eventually([&] { return (old = leader()) != nullptr; }, 30s));
    Controller* standby = old == replicas[0] ? replicas[1] : replicas[0];
    // Frozen mid-write: its delayed writes wake up after the standby has taken over.
    ASSERT_EQ(::kill(old->process().pid(), SIGSTOP), 0);
    std::atomic<bool> done{false};
    std::thread background([&] {
      while (!done)
        churn(1);
    });
    const bool tookOver =
        eventually([&] { return standby->metric("ironlb_controller_leader") == 1.0; }, 30s);
    done = true;
    background.join();
    ::kill(old->process().pid(), SIGCONT);
    ASSERT_TRUE(tookOver) << "hand-over " << h;
    ++handovers;
    ASSERT_TRUE(eventually([&] { return old->metric("ironlb_controller_leader") == 0.0; }, 30s));
  }
  churn(10);
  // Converged: every Service has an IP of its own.
  std::map<std::string, std::vector<std::string>> ips;
  EXPECT_TRUE(eventually(
      [&] {
        ips = serviceIps(cluster(), s.ns());
        for (const auto& [name, v] : ips)
          if (v.empty()) return false;
        return true;
      },
      60s));
  std::set<std::string> distinct;
  for (const auto& [name, v] : ips)
    distinct.insert(v.begin(), v.end());
  EXPECT_EQ(distinct.size(), ips.size());
  // The observer has seen everything up to now: a Service created now shows up last.
  const int seen = observer.events();
  s.createService("marker");
  EXPECT_TRUE(eventually([&] { return observer.events() > seen; }, 30s));
  observer.stop();

  const int fenced = fencedWrites(*replicas[0]) + fencedWrites(*replicas[1]);
  std::printf(
      "hand-overs %d, Services created %d, watch events %d, fenced writes %d, IP "
      "changes %d, duplicate IPs %d\n",
      handovers, next, observer.events(), fenced, observer.flips(), observer.duplicates());
  EXPECT_EQ(handovers, kHandovers);
  EXPECT_EQ(observer.flips(), 0) << testing::PrintToString(observer.problems());
  EXPECT_EQ(observer.duplicates(), 0) << testing::PrintToString(observer.problems());
}

}  // namespace
}  // namespace ironlb::controller::it
