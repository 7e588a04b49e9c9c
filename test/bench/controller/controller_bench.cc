// Controller throughput: how long until N new LoadBalancer Services all show an EXTERNAL-IP,
// against a bare client in the same run that only writes the same statuses (no informer, no
// allocation, no events): same API server, same transport, same number of writes in flight.
//
//   controller_bench --kubeconfig=K --controller=ironlb-controller --services=N [--writers=8]
//                    [--work-dir=DIR]
//
// Both sets of N Services (IPv6, from one 2001:db8:b::/112 pool) are created before any timing
// starts. Timed, each from its own start until a watching observer has seen all N with an IP:
//   bare       list the N Services (one paginated LIST, as an informer does), then PUT each
//              status with `writers` writes in flight;
//   controller exec of ironlb-controller (--leader-elect=false, --status-writers=writers):
//              process start, informer lists, start-up restore, allocation, status writes.
// Also printed: the controller's peak RSS (VmHWM) and CPU seconds at that moment.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <set>
#include <thread>

#include "common/k8s/informer.h"
#include "common/k8s/object_meta.h"
#include "common/k8s/status_writer.h"
#include "test/integration/controller/harness.h"

namespace ironlb::controller::it {
namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::string kubeconfig, controller, work_dir = "/tmp";
  int services = 1000;
  int writers = 8;
};

// Watches the benchmark namespace and notes when every Service of a run shows an IP.
class Observer {
 public:
  Observer(k8s::ApiClient& api, const std::string& ns, int n)
      : n_(n),
        informer_(
            api, io_,
            {.type = k8s::resources::kServices, .ns = ns, .transform = k8s::dropManagedFields},
            {.onAdd = [this](const Json& s) { see(s); },
             .onUpdate = [this](const Json&, const Json& s) { see(s); }}) {
    informer_.start();
    thread_ = std::thread([this] {
      auto guard = boost::asio::make_work_guard(io_);
      io_.run();
    });
  }
  ~Observer() {
    boost::asio::post(io_, [this] { informer_.stop(); });
    io_.stop();
    thread_.join();
  }
  // When all N of `run` were seen with an IP.
  std::optional<Clock::time_point> done(const std::string& run) {
    std::lock_guard lock(mu_);
    auto it = done_.find(run);
    return it == done_.end() ? std::nullopt : std::optional(it->second);
  }

 private:
  void see(const Json& s) {
    const Json& labels = s["metadata"]["labels"];
    if (!labels.is_object() || !labels.contains("run") || ingressIps(s).empty()) return;
    const std::string run = labels["run"];
    std::lock_guard lock(mu_);
    auto& seen = seen_[run];
    seen.insert(k8s::nameOf(s));
    if (static_cast<int>(seen.size()) == n_ && !done_.count(run)) done_[run] = Clock::now();
  }

  int n_;
  boost::asio::io_context io_;
  k8s::Informer informer_;
  std::thread thread_;
  std::mutex mu_;
  std::map<std::string, std::set<std::string>> seen_;
  std::map<std::string, Clock::time_point> done_;
};

// CPU seconds of this process so far (the bare client's writers plus the observer).
double selfCpu() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

int run(const Args& a) {
  std::string error;
  auto admin = connect(a.kubeconfig, 32, &error);
  if (!admin) {
    std::fprintf(stderr, "connect: %s\n", error.c_str());
    return 1;
  }
  Cluster cluster(*admin->api);
  const std::string ns =
      "ironlb-bench-" + std::to_string(::getpid()) + "-" + std::to_string(a.services);
  const std::string cls = "ironlb.io/bench-" + std::to_string(::getpid());
  if (!cluster.create(k8s::resources::kNamespaces, "", namespaceObject(ns, {}), &error) ||
      !cluster.create(k8s::resources::kIPAddressPools, ns,
                      poolObject("bench", {"2001:db8:b::/112"}), &error) ||
      !cluster.create(k8s::resources::kL2Advertisements, ns, l2AdvertisementObject("bench"),
                      &error)) {
    std::fprintf(stderr, "set-up: %s\n", error.c_str());
    return 1;
  }

  // Create both sets first. The bare set carries a class no controller serves.
  const auto created0 = Clock::now();
  std::atomic<int> failures{0};
  parallelFor(2 * a.services, 16, [&](int i) {
    const bool bare = i < a.services;
    ServiceSpec spec{.lb_class = bare ? "ironlb.io/bench-none" : cls,
                     .labels = {{"run", bare ? "bare" : "ctl"}},
                     .families = {"IPv6"},
                     .family_policy = "SingleStack"};
    const std::string name = (bare ? "bare-" : "ctl-") + std::to_string(i % a.services);
    std::string e;
    for (int attempt = 0; attempt < 5; ++attempt) {
      if (cluster.create(k8s::resources::kServices, ns, serviceObject(name, spec), &e)) return;
      if (e.find("AlreadyExists") != std::string::npos) return;
    }
    if (failures++ == 0) std::fprintf(stderr, "create %s: %s\n", name.c_str(), e.c_str());
  });
  if (failures) return 1;
  std::printf("created %d Services in %.1f s\n", 2 * a.services, seconds(Clock::now() - created0));

  Observer observer(*admin->api, ns, a.services);
  auto wait = [&](const std::string& which, std::chrono::seconds limit) {
    const auto deadline = Clock::now() + limit;
    while (!observer.done(which) && Clock::now() < deadline)
      std::this_thread::sleep_for(5ms);
    return observer.done(which);
  };
  std::this_thread::sleep_for(1s);  // let the observer finish its initial list

  // ---- bare client: same transport settings as the controller's writers.
  auto bare_client = connect(a.kubeconfig, a.writers + 4, &error);
  const double cpu0 = selfCpu();
  const auto bare0 = Clock::now();
  auto listed = bare_client->api->listAll(k8s::resources::kServices, ns,
                                          {.labelSelector = "run=bare", .limit = 500});
  if (!listed || static_cast<int>(listed->items.size()) != a.services) {
    std::fprintf(stderr, "bare list failed\n");
    return 1;
  }
  std::vector<Json>& items = listed->items;
  std::atomic<int> lost{0};
  parallelFor(a.services, a.writers, [&](int i) {
    char hex[8];
    std::snprintf(hex, sizeof(hex), "%x", i + 1);  // within the /112: i < 65535
    const std::string ip = std::string("2001:db8:b::") + hex;
    const auto mutate = [&ip](Json& s) {
      s["status"]["loadBalancer"]["ingress"] = Json::array({{{"ip", ip}}});
      s["metadata"]["annotations"]["metallb.io/ip-allocated-from-pool"] = "bench";
      return true;
    };
    auto r = k8s::updateStatusWithRetry(*bare_client->api, k8s::resources::kServices,
                                        std::move(items[static_cast<size_t>(i)]), mutate);
    // Like the controller's queue, a failed write is tried again (from a fresh read).
    for (int attempt = 0; !r && attempt < 5; ++attempt) {
      if (failures++ == 0) std::fprintf(stderr, "bare write: %s\n", r.error().describe().c_str());
      r = k8s::updateStatusWithRetry(*bare_client->api, k8s::resources::kServices, ns,
                                     "bare-" + std::to_string(i), mutate);
    }
    if (!r) lost++;
  });
  const auto bare_writes = Clock::now();
  auto bare_done = wait("bare", std::chrono::seconds(600));
  const double cpu_bare = selfCpu() - cpu0;
  if (!bare_done || lost) {
    std::fprintf(stderr, "bare run did not finish (%d writes lost)\n", lost.load());
    return 1;
  }

  // ---- the controller.
  Controller controller({.binary = a.controller,
                         .kubeconfig = a.kubeconfig,
                         .ns = ns,
                         .lb_class = cls,
                         .status_writers = a.writers},
                        a.work_dir + "/controller-bench-" + std::to_string(a.services) + ".log");
  const double cpu1 = selfCpu();
  const auto ctl0 = Clock::now();
  if (!controller.start(&error)) {
    std::fprintf(stderr, "start: %s\n", error.c_str());
    return 1;
  }
  auto ctl_done = wait("ctl", std::chrono::seconds(900));
  const double cpu_observer = selfCpu() - cpu1;
  const long rss = controller.process().peakRssKib();
  const double cpu = controller.process().cpuSeconds();
  controller.stop();
  if (!ctl_done) {
    std::fprintf(stderr, "controller did not assign all Services; log: %s\n",
                 controller.logPath().c_str());
    return 1;
  }
  const double tb = seconds(*bare_done - bare0);
  const double tc = seconds(*ctl_done - ctl0);
  std::printf("services=%d writers=%d\n", a.services, a.writers);
  std::printf(
      "  bare client : %7.2f s  %8.0f Services/s  (writes returned after %.2f s, %d "
      "retried)\n",
      tb, a.services / tb, seconds(bare_writes - bare0), failures.load());
  std::printf("  controller  : %7.2f s  %8.0f Services/s  from exec to all assigned\n", tc,
              a.services / tc);
  std::printf("  ratio       : %.2f of the bare-client rate\n", tb / tc);
  std::printf("  controller  : peak RSS %.1f MiB, %.2f CPU s\n", rss / 1024.0, cpu);
  std::printf(
      "  bare client : %.2f CPU s (this process, observer included; the observer alone "
      "used %.2f during the controller run)\n",
      cpu_bare, cpu_observer);
  return 0;
}

}  // namespace
}  // namespace ironlb::controller::it

int main(int argc, char** argv) {
  ironlb::controller::it::Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const char* name) -> const char* {
      const std::string prefix = std::string("--") + name + "=";
      return arg.rfind(prefix, 0) == 0 ? argv[i] + prefix.size() : nullptr;
    };
    if (auto v = value("kubeconfig"))
      a.kubeconfig = v;
    else if (auto v2 = value("controller"))
      a.controller = v2;
    else if (auto v3 = value("services"))
      a.services = std::atoi(v3);
    else if (auto v4 = value("writers"))
      a.writers = std::atoi(v4);
    else if (auto v5 = value("work-dir"))
      a.work_dir = v5;
    else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  if (a.kubeconfig.empty() || a.controller.empty() || a.services <= 0 || a.writers <= 0) {
    std::fprintf(stderr,
                 "usage: controller_bench --kubeconfig=K --controller=BIN --services=N "
                 "[--writers=W] [--work-dir=DIR]\n");
    return 2;
  }
  return ironlb::controller::it::run(a);
}
