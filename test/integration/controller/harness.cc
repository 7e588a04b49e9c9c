// Integration harness: child processes, a tiny HTTP GET, API helpers.
#include "harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/k8s/http_transport.h"
#include "common/k8s/object_meta.h"

namespace ironlb::controller::it {

// ---- Process ------------------------------------------------------------------------------------

Process::~Process() {
  kill();
}

bool Process::start(const std::vector<std::string>& argv, const std::string& logPath,
                    std::string* error) {
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const int fd = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (error) *error = logPath + ": " + std::strerror(errno);
    return false;
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    if (error) *error = std::string("fork: ") + std::strerror(errno);
    ::close(fd);
    return false;
  }
  if (pid == 0) {
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(fd);
  pid_ = pid;
  return true;
}

int Process::reap(bool wait) {
  if (pid_ <= 0) return status_;
  int st = 0;
  const pid_t r = ::waitpid(pid_, &st, wait ? 0 : WNOHANG);
  if (r == pid_) {
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
    pid_ = -1;
  }
  return status_;
}

bool Process::running() {
  reap(false);
  return pid_ > 0;
}

int Process::terminate(std::chrono::milliseconds grace) {
  if (!running()) return status_;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  if (running()) {
    ::kill(pid_, SIGKILL);
    reap(true);
    return -SIGKILL;
  }
  return status_;
}

void Process::kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  reap(true);
}

long Process::peakRssKib() const {
  if (pid_ <= 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

double Process::cpuSeconds() const {
  if (pid_ <= 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string f;
  long utime = 0;
  long stime = 0;
  for (int i = 3; fields >> f; ++i) {  // field 3 is the state
    if (i == 14) utime = std::stol(f);
    if (i == 15) {
      stime = std::stol(f);
      break;
    }
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// ---- network helpers ----------------------------------------------------------------------------

int freePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof(a);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

std::optional<std::pair<int, std::string>> httpGet(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  const std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
    ::close(fd);
    return std::nullopt;
  }
  std::string resp;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    resp.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (resp.rfind("HTTP/", 0) != 0) return std::nullopt;
  const int code = std::atoi(resp.c_str() + resp.find(' ') + 1);
  const auto body = resp.find("\r\n\r\n");
  return std::make_pair(code, body == std::string::npos ? "" : resp.substr(body + 4));
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
  return true;
}

// ---- Controller ---------------------------------------------------------------------------------

Controller::Controller(ControllerOptions options, std::string logPath)
    : options_(std::move(options)), logPath_(std::move(logPath)) {}

bool Controller::start(std::string* error) {
  port_ = freePort();
  std::vector<std::string> argv = {
      options_.binary, "--kubeconfig=" + options_.kubeconfig, "--namespace=" + options_.ns,
      "--metrics-address=127.0.0.1:" + std::to_string(port_),
      // Plain-HTTP /metrics (docs/metrics-endpoint.md) so the harness reads it without a token;
      // the probe listener on a free port so controllers run side by side.
      "--metrics-insecure", "--probe-address=127.0.0.1:0",
      "--leader-elect=" + std::string(options_.leaderElect ? "true" : "false"),
      "--identity=" + options_.identity, "--log-level=" + options_.logLevel};
  if (!options_.lbClass.empty()) argv.push_back("--lb-class=" + options_.lbClass);
  if (!options_.leaseName.empty()) argv.push_back("--lease-name=" + options_.leaseName);
  if (options_.statusWriters > 0) {
    argv.push_back("--status-writers=" + std::to_string(options_.statusWriters));
  }
  argv.insert(argv.end(), options_.extra.begin(), options_.extra.end());
  return process_.start(argv, logPath_, error);
}

bool Controller::ready() {
  auto r = httpGet(port_, "/readyz");
  return r && r->first == 200;
}

bool Controller::waitReady(std::chrono::milliseconds timeout) {
  return eventually([&] { return ready() || !running(); }, timeout) && ready();
}

std::string Controller::metrics() {
  auto r = httpGet(port_, "/metrics");
  return r ? r->second : "";
}

std::optional<double> Controller::metric(const std::string& sample) {
  const std::string text = metrics();
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(sample + " ", 0) == 0) return std::stod(line.substr(sample.size() + 1));
  }
  return std::nullopt;
}

std::string Controller::log() const {
  std::ifstream in(logPath_);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// ---- API helpers --------------------------------------------------------------------------------

std::unique_ptr<Client> connect(const std::string& kubeconfig, int parallel, std::string* error) {
  auto cfg = k8s::loadKubeconfig(kubeconfig);
  if (!cfg) {
    if (error) *error = cfg.error();
    return nullptr;
  }
  auto c = std::make_unique<Client>();
  c->config = *cfg;
  k8s::TransportOptions options;
  options.maxIdleConnections = static_cast<std::size_t>(parallel) + 4;
  auto t = k8s::makeHttpTransport(*cfg, options);
  if (!t) {
    if (error) *error = t.error();
    return nullptr;
  }
  c->transport = std::move(*t);
  c->api = std::make_unique<k8s::ApiClient>(*c->transport);
  return c;
}

void parallelFor(int n, int threads, const std::function<void(int)>& fn) {
  std::atomic<int> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < n; i = next++)
        fn(i);
    });
  }
  for (auto& t : pool)
    t.join();
}

Json namespaceObject(const std::string& name, const std::map<std::string, std::string>& labels) {
  Json o = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
  if (!labels.empty()) o["metadata"]["labels"] = labels;
  return o;
}

// A metallb.io object as users write it.
Json metallbObject(const std::string& apiVersion, const std::string& kind, const std::string& name,
                   const Json& spec) {
  return {
      {"apiVersion", apiVersion}, {"kind", kind}, {"metadata", {{"name", name}}}, {"spec", spec}};
}

Json poolObject(const std::string& name, const std::vector<std::string>& addresses,
                const Json& extraSpec) {
  Json spec = extraSpec;
  spec["addresses"] = addresses;
  return metallbObject("metallb.io/v1beta1", "IPAddressPool", name, spec);
}

Json l2AdvertisementObject(const std::string& name, const Json& spec) {
  return metallbObject("metallb.io/v1beta1", "L2Advertisement", name, spec);
}

Json bgpPeerObject(const std::string& name, const Json& spec, const std::string& apiVersion) {
  return metallbObject(apiVersion, "BGPPeer", name, spec);
}

Json bgpAdvertisementObject(const std::string& name, const Json& spec) {
  return metallbObject("metallb.io/v1beta1", "BGPAdvertisement", name, spec);
}

Json serviceObject(const std::string& name, const ServiceSpec& s) {
  Json ports = Json::array();
  int i = 0;
  for (const auto& [protocol, port] : s.ports) {
    ports.push_back({{"name", "p" + std::to_string(i++)}, {"protocol", protocol}, {"port", port}});
  }
  Json spec = {{"type", s.type}, {"ports", ports}, {"selector", {{"app", name}}}};
  if (!s.lbClass.empty()) spec["loadBalancerClass"] = s.lbClass;
  if (!s.families.empty()) spec["ipFamilies"] = s.families;
  if (!s.familyPolicy.empty()) spec["ipFamilyPolicy"] = s.familyPolicy;
  if (!s.loadBalancerIp.empty()) spec["loadBalancerIP"] = s.loadBalancerIp;
  if (!s.trafficPolicy.empty()) spec["externalTrafficPolicy"] = s.trafficPolicy;
  if (s.type == "LoadBalancer" && !s.nodePorts) spec["allocateLoadBalancerNodePorts"] = false;
  Json meta = {{"name", name}};
  if (!s.annotations.empty()) meta["annotations"] = s.annotations;
  if (!s.labels.empty()) meta["labels"] = s.labels;
  return {{"apiVersion", "v1"}, {"kind", "Service"}, {"metadata", meta}, {"spec", spec}};
}

std::vector<std::string> ingressIps(const Json& service) {
  std::vector<std::string> out;
  auto status = service.find("status");
  if (status == service.end()) return out;
  auto lb = status->find("loadBalancer");
  if (lb == status->end()) return out;
  auto ingress = lb->find("ingress");
  if (ingress == lb->end() || !ingress->is_array()) return out;
  for (const auto& e : *ingress) {
    if (e.is_object() && e.contains("ip")) out.push_back(e["ip"].get<std::string>());
  }
  return out;
}

std::string annotationOf(const Json& object, const std::string& key) {
  const Json& a = object["metadata"]["annotations"];
  return a.is_object() && a.contains(key) ? a[key].get<std::string>() : "";
}

int64_t statusInt(const Json& object, const std::string& field) {
  auto status = object.find("status");
  if (status == object.end() || !status->is_object()) return -1;
  auto v = status->find(field);
  return v != status->end() && v->is_number_integer() ? v->get<int64_t>() : -1;
}

bool Cluster::create(const k8s::ResourceType& type, const std::string& ns, const Json& object,
                     std::string* error) {
  auto r = api_.create(type, ns, object);
  if (!r && error) *error = r.error().describe();
  return r.ok();
}

bool Cluster::remove(const k8s::ResourceType& type, const std::string& ns,
                     const std::string& name) {
  auto r = api_.remove(type, ns, name);
  return r.ok() || r.error().isNotFound();
}

bool Cluster::mergePatch(const k8s::ResourceType& type, const std::string& ns,
                         const std::string& name, const Json& patch, std::string* error) {
  auto r = api_.patch(type, ns, name, k8s::PatchType::kMerge, patch);
  if (!r && error) *error = r.error().describe();
  return r.ok();
}

std::optional<Json> Cluster::get(const k8s::ResourceType& type, const std::string& ns,
                                 const std::string& name) {
  auto r = api_.get(type, ns, name);
  if (!r) return std::nullopt;
  return std::move(*r);
}

std::vector<Json> Cluster::list(const k8s::ResourceType& type, const std::string& ns,
                                const std::string& labelSelector) {
  auto r = api_.listAll(type, ns, {.labelSelector = labelSelector, .limit = 500});
  if (!r) return {};
  return std::move(r->items);
}

std::vector<std::string> Cluster::ips(const std::string& ns, const std::string& name) {
  auto s = get(k8s::resources::kServices, ns, name);
  return s ? ingressIps(*s) : std::vector<std::string>{};
}

bool Cluster::waitIps(const std::string& ns, const std::string& name,
                      const std::vector<std::string>& want, std::chrono::milliseconds timeout) {
  return eventually([&] { return ips(ns, name) == want; }, timeout);
}

std::vector<std::string> Cluster::waitAnyIps(const std::string& ns, const std::string& name,
                                             std::chrono::milliseconds timeout) {
  std::vector<std::string> got;
  eventually(
      [&] {
        got = ips(ns, name);
        return !got.empty();
      },
      timeout);
  return got;
}

std::vector<std::string> Cluster::events(const std::string& ns, const std::string& kind,
                                         const std::string& name) {
  auto r = api_.listAll(k8s::resources::kEvents, ns,
                        {.fieldSelector = "involvedObject.name=" + name, .limit = 500});
  std::vector<Json> items = r ? std::move(r->items) : std::vector<Json>{};
  std::vector<std::string> out;
  for (const Json& e : items) {
    const Json& o = e["involvedObject"];
    if (o.value("kind", "") != kind || o.value("name", "") != name) continue;
    // Once per occurrence: a repeated Event is one object with a count.
    const int count = std::max(1, e.value("count", 1));
    for (int i = 0; i < count; ++i)
      out.push_back(e.value("type", "") + "/" + e.value("reason", "") + ": " +
                    e.value("message", ""));
  }
  return out;
}

bool Cluster::waitEvent(const std::string& ns, const std::string& kind, const std::string& name,
                        const std::string& typeReason, std::chrono::milliseconds timeout) {
  return eventually(
      [&] {
        for (const auto& e : events(ns, kind, name))
          if (e.rfind(typeReason + ":", 0) == 0) return true;
        return false;
      },
      timeout);
}

std::map<std::string, std::vector<std::string>> serviceIps(Cluster& cluster, const std::string& ns,
                                                           const std::string& selector) {
  std::map<std::string, std::vector<std::string>> out;
  for (const Json& s : cluster.list(k8s::resources::kServices, ns, selector))
    out[k8s::nameOf(s)] = ingressIps(s);
  return out;
}

}  // namespace ironlb::controller::it
