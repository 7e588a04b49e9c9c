// Controller throughput: how long until N new LoadBalancer Services all show an EXTERNAL-IP, and
// at what rate their statuses are written, against a plain client in the same run that only
// merge-patches the same statuses (no informer, no allocation, no events, no concurrency
// control): the rate the API server gives a client that just writes.
//
//   controller_bench --kubeconfig=K --controller=ironlb-controller --services=N [--rounds=R]
//                    [--plain-writers=32] [--controller-arg=--status-writers=16 ...]
//                    [--controller-first] [--work-dir=DIR]
//
// Each round has a namespace of its own with a pool (IPv6, 2001:db8:b::/112) and two sets of N
// Services, all created before its timing starts. Timed, each from its own start until a
// watching observer has seen all N with an IP:
//   plain      list the N Services (one paginated LIST, as an informer does), then PATCH each
//              .../status (application/merge-patch+json: the ingress IP and the pool
//              annotation) with --plain-writers requests in flight;
//   controller exec of ironlb-controller with its default flags (--leader-elect=false, its own
//              namespace and class, plus any --controller-arg): process start, informer lists,
//              start-up restore, allocation, status writes.
// The two take turns going first from round to round (the machine is shared and noisy: what
// counts is the ratio within a round, and its median over rounds). The write rate is N over the
// time from the first to the last Service seen with an IP (the write phase, start-up excluded);
// "to IP" is each Service's time from the start until the observer saw its IP (p50/p99 over
// the N). The plain client's own PATCH latency is printed too. After the controller's run the
// bench waits (up to 10 minutes) until each of its N Services has its IPAllocated Event.
// Also printed: the controller's peak RSS (VmHWM), CPU seconds, and its API requests by verb and
// code (429s show the API server pushing back).
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "common/k8s/informer.h"
#include "common/k8s/object_meta.h"
#include "test/integration/controller/harness.h"

namespace ironlb::controller::it {
namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::string kubeconfig, controller, workDir = "/tmp";
  int services = 1000;
  int rounds = 1;
  int plainWriters = 32;
  std::vector<std::string> controllerArgs;
  bool controllerFirst = false;
};

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// User + system CPU seconds of a process (0 when it cannot be read).
double processCpu(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto end = stat.rfind(')');  // the command name may hold spaces
  if (end == std::string::npos) return 0;
  std::istringstream fields(stat.substr(end + 2));
  std::string f;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i)  // utime is field 14, stime 15
    if (i >= 14) ticks += std::stod(f);
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// CPU seconds of this process so far (the plain client's writers and the observer).
double selfCpu() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// The API server's and etcd's CPU seconds ($IRONLB_APISERVER_PID, $IRONLB_ETCD_PID from the
// control plane's env file): what each write costs the server side, whatever else the machine
// runs meanwhile.
double serverCpu() {
  double total = 0;
  for (const char* name : {"IRONLB_APISERVER_PID", "IRONLB_ETCD_PID"}) {
    if (const char* pid = std::getenv(name)) total += processCpu(std::atoi(pid));
  }
  return total;
}

// The q-quantile (0..1) of `v` (sorted in place), nearest rank.
double quantile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(q * static_cast<double>(v.size()) + 0.999999);
  return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

// Watches the benchmark namespace and notes when each Service of a run first shows an IP.
class Observer {
 public:
  Observer(k8s::ApiClient& api, const std::string& ns, int n)
      : n_(n),
        informer_(
            api, io_,
            {.type = k8s::resources::kServices, .ns = ns, .transform = k8s::dropManagedFields},
            {.onAdd = [this](const Json& s) { see(s); },
             .onUpdate = [this](const Json&, const Json& s) { see(s); },
             .onSynced = [this] { synced_ = true; }}) {
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
  bool synced() const { return synced_; }
  // When each Service of `run` was first seen with an IP; complete once all N were.
  std::optional<std::vector<Clock::time_point>> done(const std::string& run) {
    std::lock_guard lock(mu_);
    auto& seen = seen_[run];
    if (static_cast<int>(seen.size()) < n_) return std::nullopt;
    std::vector<Clock::time_point> out;
    for (const auto& [name, t] : seen)
      out.push_back(t);
    return out;
  }

 private:
  void see(const Json& s) {
    const Json& labels = s["metadata"]["labels"];
    if (!labels.is_object() || !labels.contains("run") || ingressIps(s).empty()) return;
    const auto now = Clock::now();
    std::lock_guard lock(mu_);
    seen_[labels["run"].get<std::string>()].emplace(k8s::nameOf(s), now);
  }

  int n_;
  boost::asio::io_context io_;
  k8s::Informer informer_;
  std::atomic<bool> synced_{false};
  std::thread thread_;
  std::mutex mu_;
  std::map<std::string, std::map<std::string, Clock::time_point>> seen_;
};

// One client's run as the observer saw it.
struct Timing {
  double total = 0;         // start -> all N seen with an IP
  double first = 0;         // start -> the first seen
  double writeRate = 0;     // N / (last - first)
  double p50 = 0, p99 = 0;  // start -> each Service's IP
};

Timing timing(Clock::time_point start, const std::vector<Clock::time_point>& seen) {
  std::vector<double> toIp;
  for (const auto t : seen)
    toIp.push_back(seconds(t - start));
  Timing out;
  out.first = *std::min_element(toIp.begin(), toIp.end());
  out.total = *std::max_element(toIp.begin(), toIp.end());
  const double span = out.total - out.first;
  out.writeRate = span > 0 ? static_cast<double>(seen.size()) / span : 0;
  out.p50 = quantile(toIp, 0.5);
  out.p99 = quantile(toIp, 0.99);
  return out;
}

// ironlb_k8s_api_requests_total lines, as "VERB code=N ..." on one line.
std::string requestCounts(const std::string& metrics) {
  std::istringstream in(metrics);
  std::string line, out;
  const std::string prefix = "ironlb_k8s_api_requests_total{";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    // ironlb_k8s_api_requests_total{code="200",verb="PUT"} 1000
    auto field = [&](const std::string& name) {
      const auto at = line.find(name + "=\"");
      if (at == std::string::npos) return std::string();
      const auto from = at + name.size() + 2;
      return line.substr(from, line.find('"', from) - from);
    };
    out += (out.empty() ? "" : ", ") + field("verb") + " " + field("code") + ": " +
           line.substr(line.rfind(' ') + 1);
  }
  return out;
}

// The plain client: list, then one merge patch per Service with `writers` in flight. Returns
// the start time, or nullopt on failure; fills the per-request latencies.
std::optional<Clock::time_point> runPlain(const Args& a, const std::string& ns,
                                          std::vector<double>& latencies, int& retried) {
  std::string error;
  auto client = connect(a.kubeconfig, a.plainWriters, &error);
  if (!client) {
    std::fprintf(stderr, "connect: %s\n", error.c_str());
    return std::nullopt;
  }
  const auto start = Clock::now();
  auto listed = client->api->listAll(k8s::resources::kServices, ns,
                                     {.labelSelector = "run=plain", .limit = 500});
  if (!listed || static_cast<int>(listed->items.size()) != a.services) {
    std::fprintf(stderr, "plain list failed\n");
    return std::nullopt;
  }
  std::vector<std::string> names;
  for (const Json& s : listed->items)
    names.push_back(k8s::nameOf(s));
  latencies.assign(names.size(), 0);
  std::atomic<int> lost{0}, retries{0};
  parallelFor(a.services, a.plainWriters, [&](int i) {
    char hex[8];
    std::snprintf(hex, sizeof(hex), "%x", i + 1);  // within the /112: i < 65535
    const Json patch = {
        {"metadata", {{"annotations", {{"metallb.io/ip-allocated-from-pool", "bench"}}}}},
        {"status",
         {{"loadBalancer",
           {{"ingress", Json::array({{{"ip", std::string("2001:db8:b::") + hex}}})}}}}}};
    const auto& name = names[static_cast<std::size_t>(i)];
    for (int attempt = 0; attempt < 5; ++attempt) {
      const auto t0 = Clock::now();
      auto r = client->api->patch(k8s::resources::kServices, ns, name, k8s::PatchType::kMerge,
                                  patch, "status");
      latencies[static_cast<std::size_t>(i)] = seconds(Clock::now() - t0);
      if (r) return;
      if (retries++ == 0) std::fprintf(stderr, "plain write: %s\n", r.error().describe().c_str());
    }
    lost++;
  });
  retried = retries;
  if (lost) {
    std::fprintf(stderr, "plain client lost %d writes\n", lost.load());
    return std::nullopt;
  }
  return start;
}

struct Round {
  Timing plain, ctl;
  std::vector<double> latencies;  // the plain client's PATCHes
  int plainRetried = 0;
  long rssKib = 0;
  double cpu = 0;
  std::string requests;
  // CPU seconds per write during each client's timed run: API server + etcd, and the client
  // (the plain client: this process, observer included; the controller: its process plus this
  // process's observer).
  double plainServerCpu = 0, plainClientCpu = 0, ctlServerCpu = 0, ctlClientCpu = 0;
  int events = 0;           // IPAllocated Events of the controller's Services
  double eventsAfter = -1;  // s from the last IP until the last of them was seen
};

// Count of the controller's Services that have an IPAllocated Event.
int allocatedEvents(k8s::ApiClient& api, const std::string& ns) {
  auto events = api.listAll(k8s::resources::kEvents, ns,
                            {.fieldSelector = "reason=IPAllocated", .limit = 500});
  if (!events) return -1;
  std::set<std::string> names;
  for (const Json& e : events->items) {
    const std::string name = e["involvedObject"].value("name", "");
    if (name.rfind("ctl-", 0) == 0) names.insert(name);
  }
  return static_cast<int>(names.size());
}

std::optional<Round> runRound(const Args& a, k8s::ApiClient& adminApi, int round,
                              bool controllerFirst) {
  std::string error;
  Cluster cluster(adminApi);
  const std::string tag =
      std::to_string(::getpid()) + "-" + std::to_string(a.services) + "-r" + std::to_string(round);
  const std::string ns = "ironlb-bench-" + tag;
  const std::string cls = "ironlb.io/bench-" + tag;
  if (!cluster.create(k8s::resources::kNamespaces, "", namespaceObject(ns, {}), &error) ||
      !cluster.create(k8s::resources::kIPAddressPools, ns,
                      poolObject("bench", {"2001:db8:b::/112"}), &error) ||
      !cluster.create(k8s::resources::kL2Advertisements, ns, l2AdvertisementObject("bench"),
                      &error)) {
    std::fprintf(stderr, "set-up: %s\n", error.c_str());
    return std::nullopt;
  }

  // Create both sets first. The plain set carries a class no controller serves.
  const auto created0 = Clock::now();
  std::atomic<int> failures{0};
  parallelFor(2 * a.services, 16, [&](int i) {
    const bool plain = i < a.services;
    ServiceSpec spec{.lbClass = plain ? "ironlb.io/bench-none" : cls,
                     .labels = {{"run", plain ? "plain" : "ctl"}},
                     .families = {"IPv6"},
                     .familyPolicy = "SingleStack"};
    const std::string name = (plain ? "plain-" : "ctl-") + std::to_string(i % a.services);
    std::string e;
    for (int attempt = 0; attempt < 5; ++attempt) {
      if (cluster.create(k8s::resources::kServices, ns, serviceObject(name, spec), &e)) return;
      if (e.find("AlreadyExists") != std::string::npos) return;
    }
    if (failures++ == 0) std::fprintf(stderr, "create %s: %s\n", name.c_str(), e.c_str());
  });
  if (failures) return std::nullopt;
  std::printf("round %d: created %d Services in %.1f s\n", round + 1, 2 * a.services,
              seconds(Clock::now() - created0));

  Observer observer(adminApi, ns, a.services);
  if (!eventually([&] { return observer.synced(); }, 120s)) {
    std::fprintf(stderr, "observer did not sync\n");
    return std::nullopt;
  }
  auto wait = [&](const std::string& which, std::chrono::seconds limit) {
    std::optional<std::vector<Clock::time_point>> seen;
    const auto deadline = Clock::now() + limit;
    while (!(seen = observer.done(which)) && Clock::now() < deadline)
      std::this_thread::sleep_for(5ms);
    return seen;
  };

  Round out;
  const double n = a.services;
  auto plain = [&]() -> bool {
    const double server0 = serverCpu(), self0 = selfCpu();
    auto start = runPlain(a, ns, out.latencies, out.plainRetried);
    if (!start) return false;
    auto seen = wait("plain", 600s);
    if (!seen) {
      std::fprintf(stderr, "plain run did not finish\n");
      return false;
    }
    out.plainServerCpu = (serverCpu() - server0) / n;
    out.plainClientCpu = (selfCpu() - self0) / n;
    out.plain = timing(*start, *seen);
    return true;
  };
  auto controller = [&]() -> bool {
    Controller c({.binary = a.controller,
                  .kubeconfig = a.kubeconfig,
                  .ns = ns,
                  .lbClass = cls,
                  .extra = a.controllerArgs},
                 a.workDir + "/controller-bench-" + tag + ".log");
    const double server0 = serverCpu(), self0 = selfCpu();
    const auto start = Clock::now();
    if (!c.start(&error)) {
      std::fprintf(stderr, "start: %s\n", error.c_str());
      return false;
    }
    auto seen = wait("ctl", 900s);
    out.ctlServerCpu = (serverCpu() - server0) / n;
    out.rssKib = c.process().peakRssKib();
    out.cpu = c.process().cpuSeconds();
    out.ctlClientCpu = (out.cpu + selfCpu() - self0) / n;
    out.requests = requestCounts(c.metrics());
    if (!seen) {
      std::fprintf(stderr, "controller did not assign all Services; log: %s\n",
                   c.logPath().c_str());
      return false;
    }
    out.ctl = timing(start, *seen);
    // Every Service gets its IPAllocated Event (written once the status writes are done).
    const auto lastIp = start + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(out.ctl.total));
    eventually([&] { return (out.events = allocatedEvents(adminApi, ns)) >= a.services; }, 600s);
    if (out.events >= a.services) out.eventsAfter = seconds(Clock::now() - lastIp);
    c.stop();
    return true;
  };
  if (controllerFirst) {
    if (!controller() || !plain()) return std::nullopt;
  } else {
    if (!plain() || !controller()) return std::nullopt;
  }
  // The next round starts from a cluster without these (the controller lists every Service).
  parallelFor(2 * a.services, 16, [&](int i) {
    const bool plainSet = i < a.services;
    cluster.remove(k8s::resources::kServices, ns,
                   (plainSet ? "plain-" : "ctl-") + std::to_string(i % a.services));
  });
  return out;
}

double median(std::vector<double> v) {
  return quantile(v, 0.5);
}

int run(const Args& a) {
  std::string error;
  auto admin = connect(a.kubeconfig, 32, &error);
  if (!admin) {
    std::fprintf(stderr, "connect: %s\n", error.c_str());
    return 1;
  }
  std::string flags;
  for (const auto& f : a.controllerArgs)
    flags += " " + f;
  std::printf("services=%d rounds=%d plain-writers=%d controller flags:%s\n", a.services, a.rounds,
              a.plainWriters, flags.empty() ? " defaults" : flags.c_str());
  auto row = [](const char* who, const Timing& t) {
    std::printf(
        "  %-11s: all %6.2f s | writes %6.0f /s (first IP at %.2f s) | to IP p50 %.2f s  p99 "
        "%.2f s\n",
        who, t.total, t.writeRate, t.first, t.p50, t.p99);
  };
  std::vector<double> rateRatios, timeRatios;
  for (int r = 0; r < a.rounds; ++r) {
    const bool controllerFirst = a.controllerFirst != (r % 2 == 1);
    auto round = runRound(a, *admin->api, r, controllerFirst);
    if (!round) return 1;
    std::printf("round %d (%s first)\n", r + 1, controllerFirst ? "controller" : "plain client");
    row("plain", round->plain);
    row("controller", round->ctl);
    std::vector<double> lat = round->latencies;
    std::printf("  plain PATCH latency p50 %.1f ms  p99 %.1f ms  (%d retried)\n",
                1000 * quantile(lat, 0.5), 1000 * quantile(lat, 0.99), round->plainRetried);
    const double rateRatio = round->ctl.writeRate / round->plain.writeRate;
    const double timeRatio = round->plain.total / round->ctl.total;
    rateRatios.push_back(rateRatio);
    timeRatios.push_back(timeRatio);
    std::printf("  ratio      : write rate %.2f, all-assigned %.2f (controller/plain rate)\n",
                rateRatio, timeRatio);
    std::printf(
        "  CPU per write: API server + etcd plain %.2f ms, controller %.2f ms; client plain %.2f "
        "ms, controller %.2f ms\n",
        1000 * round->plainServerCpu, 1000 * round->ctlServerCpu, 1000 * round->plainClientCpu,
        1000 * round->ctlClientCpu);
    std::printf("  controller : peak RSS %.1f MiB, %.2f CPU s; API requests: %s\n",
                round->rssKib / 1024.0, round->cpu, round->requests.c_str());
    if (round->eventsAfter >= 0) {
      std::printf(
          "  controller : all %d Services have their IPAllocated Event, %.1f s after the "
          "last IP\n",
          a.services, round->eventsAfter);
    } else {
      std::printf("  controller : only %d of %d Services have their IPAllocated Event\n",
                  round->events, a.services);
    }
  }
  std::printf("summary services=%d: write-rate ratio median %.2f (", a.services,
              median(rateRatios));
  for (std::size_t i = 0; i < rateRatios.size(); ++i)
    std::printf("%s%.2f", i ? " " : "", rateRatios[i]);
  std::printf("), all-assigned ratio median %.2f\n", median(timeRatios));
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
    else if (auto v4 = value("plain-writers"))
      a.plainWriters = std::atoi(v4);
    else if (auto v5 = value("work-dir"))
      a.workDir = v5;
    else if (auto v6 = value("controller-arg"))
      a.controllerArgs.push_back(v6);
    else if (auto v7 = value("rounds"))
      a.rounds = std::atoi(v7);
    else if (arg == "--controller-first")
      a.controllerFirst = true;
    else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  if (a.kubeconfig.empty() || a.controller.empty() || a.services <= 0 || a.plainWriters <= 0 ||
      a.rounds <= 0) {
    std::fprintf(stderr,
                 "usage: controller_bench --kubeconfig=K --controller=BIN --services=N "
                 "[--rounds=R] [--plain-writers=W] [--controller-arg=ARG ...] [--controller-first] "
                 "[--work-dir=DIR]\n");
    return 2;
  }
  return ironlb::controller::it::run(a);
}
