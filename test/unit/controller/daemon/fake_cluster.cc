// FakeCluster.
#include "test/unit/controller/daemon/fake_cluster.h"

namespace ironlb::controller::testing {
namespace {

using k8s::HttpRequest;
using k8s::HttpResponse;
using k8s::testing::statusBody;
using k8s::testing::watchLine;

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> out;
  std::size_t at = 1;
  while (at <= path.size()) {
    const std::size_t next = path.find('/', at);
    out.push_back(path.substr(at, next == std::string::npos ? std::string::npos : next - at));
    if (next == std::string::npos) break;
    at = next + 1;
  }
  return out;
}

// /api/v1/... or /apis/<group>/<version>/..., then [namespaces/<ns>/]<plural>[/<name>[/<sub>]].
struct Target {
  std::string ns;
  std::string plural;
  std::string name;
  std::string sub;
};

Target parse(const std::string& path) {
  std::vector<std::string> parts = split(path.substr(0, path.find('?')));
  const std::size_t skip = !parts.empty() && parts[0] == "api" ? 2 : 3;
  std::vector<std::string> rest(parts.begin() + static_cast<long>(std::min(skip, parts.size())),
                                parts.end());
  Target t;
  std::size_t i = 0;
  if (rest.size() >= 3 && rest[0] == "namespaces") {
    t.ns = rest[1];
    i = 2;
  }
  if (i < rest.size()) t.plural = rest[i];
  if (i + 1 < rest.size()) t.name = rest[i + 1];
  if (i + 2 < rest.size()) t.sub = rest[i + 2];
  return t;
}

std::string keyOf(const json& object) {
  const json& meta = object["metadata"];
  const std::string name = meta.value("name", "");
  const std::string ns = meta.value("namespace", "");
  return ns.empty() ? name : ns + "/" + name;
}

HttpResponse answer(int status, const json& body) {
  return HttpResponse{status, {}, body.dump()};
}

HttpResponse failure(int status, const std::string& reason, const std::string& message) {
  return HttpResponse{status, {}, statusBody(status, reason, message)};
}

std::vector<std::string> ingressOf(const json& object) {
  std::vector<std::string> ips;
  const json* ingress = object.contains("status") && object["status"].contains("loadBalancer")
                            ? &object["status"]["loadBalancer"]
                            : nullptr;
  if (!ingress || !ingress->contains("ingress")) return ips;
  for (const json& entry : (*ingress)["ingress"])
    ips.push_back(entry.value("ip", ""));
  return ips;
}

}  // namespace

FakeCluster::FakeCluster(k8s::testing::FakeTransport& transport) : transport_(transport) {
  transport_.setFallback([this](const HttpRequest& request) { return handle(request); });
}

void FakeCluster::setIntercept(Intercept intercept) {
  std::lock_guard lock(mu_);
  intercept_ = std::move(intercept);
}

void FakeCluster::put(const std::string& plural, json object) {
  std::lock_guard lock(mu_);
  object["metadata"]["resourceVersion"] = std::to_string(++version_);
  const std::string key = keyOf(object);
  const bool existed = objects_[plural].count(key) > 0;
  objects_[plural][key] = object;
  echo(plural, existed ? "MODIFIED" : "ADDED", object);
}

void FakeCluster::modify(const std::string& plural, const std::string& key,
                         const std::function<void(json&)>& change, bool announce) {
  std::lock_guard lock(mu_);
  json& object = objects_[plural].at(key);
  change(object);
  object["metadata"]["resourceVersion"] = std::to_string(++version_);
  if (announce) echo(plural, "MODIFIED", object);
}

void FakeCluster::announce(const std::string& plural, const std::string& key) {
  std::lock_guard lock(mu_);
  echo(plural, "MODIFIED", objects_[plural].at(key));
}

void FakeCluster::remove(const std::string& plural, const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = objects_[plural].find(key);
  if (it == objects_[plural].end()) return;
  json object = std::move(it->second);
  objects_[plural].erase(it);
  object["metadata"]["resourceVersion"] = std::to_string(++version_);
  echo(plural, "DELETED", object);
}

std::optional<json> FakeCluster::get(const std::string& plural, const std::string& key) const {
  std::lock_guard lock(mu_);
  auto collection = objects_.find(plural);
  if (collection == objects_.end()) return std::nullopt;
  auto it = collection->second.find(key);
  if (it == collection->second.end()) return std::nullopt;
  return it->second;
}

void FakeCluster::watch(const std::string& path) {
  auto stream = transport_.queueStreamFor(path);
  std::lock_guard lock(mu_);
  streams_[parse(path).plural].push_back(std::move(stream));
}

std::vector<std::string> FakeCluster::ingress(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto collection = objects_.find("services");
  if (collection == objects_.end()) return {};
  auto it = collection->second.find(key);
  return it == collection->second.end() ? std::vector<std::string>{} : ingressOf(it->second);
}

std::vector<std::pair<std::string, std::vector<std::string>>> FakeCluster::statusWrites() const {
  std::lock_guard lock(mu_);
  return statusWrites_;
}

std::size_t FakeCluster::count(const std::string& method, const std::string& suffix) const {
  std::size_t n = 0;
  for (const auto& r : transport_.requests()) {
    const std::string path = r.path.substr(0, r.path.find('?'));
    if (!r.stream && r.method == method && path.ends_with(suffix)) ++n;
  }
  return n;
}

void FakeCluster::echo(const std::string& plural, const std::string& type, const json& object) {
  for (const auto& stream : streams_[plural])
    stream->push(watchLine(type, object.dump()));
}

Result<HttpResponse> FakeCluster::handle(const HttpRequest& request) {
  Intercept intercept;
  {
    std::lock_guard lock(mu_);
    intercept = intercept_;
  }
  if (intercept) {
    if (auto r = intercept(request)) return *r;
  }
  const Target t = parse(request.path);
  std::lock_guard lock(mu_);
  auto& collection = objects_[t.plural];
  const std::string key = t.ns.empty() ? t.name : t.ns + "/" + t.name;
  if (request.method == "GET" && t.name.empty()) {
    json items = json::array();
    for (const auto& [k, object] : collection) {
      if (t.ns.empty() || object["metadata"].value("namespace", "") == t.ns)
        items.push_back(object);
    }
    return answer(200, {{"kind", "List"},
                        {"apiVersion", "v1"},
                        {"metadata", {{"resourceVersion", std::to_string(version_)}}},
                        {"items", items}});
  }
  if (request.method == "POST") {
    json object = json::parse(request.body);
    object["metadata"]["resourceVersion"] = std::to_string(++version_);
    if (!t.ns.empty()) object["metadata"]["namespace"] = t.ns;
    collection[keyOf(object)] = object;
    echo(t.plural, "ADDED", object);
    return answer(201, object);
  }
  auto it = collection.find(key);
  if (it == collection.end()) return failure(404, "NotFound", t.plural + " " + key + " not found");
  json& stored = it->second;
  if (request.method == "GET") return answer(200, stored);
  if (request.method == "PUT") {
    json object = json::parse(request.body);
    if (object["metadata"].value("resourceVersion", "") !=
        stored["metadata"].value("resourceVersion", "")) {
      return failure(409, "Conflict", "the object has been modified");
    }
    object["metadata"]["resourceVersion"] = std::to_string(++version_);
    stored = object;
    if (t.plural == "services" && t.sub == "status")
      statusWrites_.emplace_back(key, ingressOf(object));
    echo(t.plural, "MODIFIED", stored);
    return answer(200, stored);
  }
  if (request.method == "PATCH") {
    json patch = json::parse(request.body);
    try {
      if (patch.is_array()) {
        stored = stored.patch(patch);
      } else {
        stored.merge_patch(patch);
      }
    } catch (const json::exception& e) {
      return failure(409, "Conflict", e.what());
    }
    stored["metadata"]["resourceVersion"] = std::to_string(++version_);
    echo(t.plural, "MODIFIED", stored);
    return answer(200, stored);
  }
  return failure(405, "MethodNotAllowed", request.method);
}

json serviceJson(const std::string& ns, const std::string& name, std::vector<std::string> ingress,
                 const std::string& pool) {
  json service = {{"apiVersion", "v1"},
                  {"kind", "Service"},
                  {"metadata", {{"name", name}, {"namespace", ns}, {"uid", "uid-" + name}}},
                  {"spec",
                   {{"type", "LoadBalancer"},
                    {"ipFamilies", json::array({"IPv4"})},
                    {"ipFamilyPolicy", "SingleStack"},
                    {"ports", json::array({{{"port", 80}, {"protocol", "TCP"}}})}}},
                  {"status", {{"loadBalancer", json::object()}}}};
  if (!ingress.empty()) {
    json entries = json::array();
    for (const std::string& ip : ingress)
      entries.push_back({{"ip", ip}});
    service["status"]["loadBalancer"]["ingress"] = entries;
  }
  if (!pool.empty()) {
    service["metadata"]["annotations"] = {{"metallb.io/ip-allocated-from-pool", pool}};
  }
  return service;
}

json poolJson(const std::string& name, const std::string& cidr) {
  return {{"apiVersion", "metallb.io/v1beta1"},
          {"kind", "IPAddressPool"},
          {"metadata", {{"name", name}, {"namespace", "metallb-system"}, {"uid", "uid-" + name}}},
          {"spec", {{"addresses", json::array({cidr})}}}};
}

json namespaceJson(const std::string& name) {
  return {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
}

}  // namespace ironlb::controller::testing
