#include "controller/daemon/service_status.h"

#include "common/api/load_balancer_class.h"
#include "controller/reconciler/annotations.h"

namespace ironlb::controller {
namespace {

const std::string& poolKey() {
  static const std::string k_ = reconciler::annotationKey(reconciler::kIpAllocatedFromPool);
  return k_;
}

const std::string& deprecatedPoolKey() {
  static const std::string k_ =
      reconciler::deprecatedAnnotationKey(reconciler::kIpAllocatedFromPool);
  return k_;
}

template <class Entry, class IpOf>
bool sameIps(const std::vector<Entry>& entries, const std::vector<net::IpAddress>& ips, IpOf ipOf) {
  if (entries.size() != ips.size()) return false;
  for (std::size_t i = 0; i < ips.size(); ++i) {
    auto parsed = net::IpAddress::parse(ipOf(entries[i]));
    if (!parsed || *parsed != ips[i]) return false;
  }
  return true;
}

}  // namespace

bool statusMatchesDesired(const api::Service& service, const reconciler::DesiredStatus& desired) {
  if (!sameIps(service.status.ingress, desired.ips,
               [](const api::LoadBalancerIngress& e) { return e.ip; })) {
    return false;
  }
  const auto& a = service.meta.annotations;
  if (a.count(deprecatedPoolKey())) return false;
  const auto it = a.find(poolKey());
  return desired.pool.empty() ? it == a.end() : (it != a.end() && it->second == desired.pool);
}

void applyDesiredToDecoded(api::Service& service, const reconciler::DesiredStatus& desired) {
  if (!sameIps(service.status.ingress, desired.ips,
               [](const api::LoadBalancerIngress& e) { return e.ip; })) {
    service.status.ingress.clear();
    for (const auto& ip : desired.ips)
      service.status.ingress.push_back({ip.toString(), "", std::nullopt});
  }
  auto& a = service.meta.annotations;
  a.erase(deprecatedPoolKey());
  if (desired.pool.empty()) {
    a.erase(poolKey());
  } else {
    a[poolKey()] = desired.pool;
  }
}

namespace {

const nlohmann::json* child(const nlohmann::json& o, const char* name) {
  if (!o.is_object()) return nullptr;
  auto it = o.find(name);
  return it == o.end() ? nullptr : &*it;
}

bool sameChild(const nlohmann::json& a, const nlohmann::json& b, const char* name) {
  const nlohmann::json* x = child(a, name);
  const nlohmann::json* y = child(b, name);
  return (!x && !y) || (x && y && *x == *y);
}

// Annotations without the ones the controller writes.
nlohmann::json userAnnotations(const nlohmann::json& meta) {
  const nlohmann::json* a = child(meta, "annotations");
  if (!a || !a->is_object()) return nlohmann::json::object();
  nlohmann::json out = *a;
  out.erase(poolKey());
  out.erase(deprecatedPoolKey());
  return out;
}

std::vector<std::string> jsonIngressIps(const nlohmann::json& service) {
  std::vector<std::string> out;
  const nlohmann::json* status = child(service, "status");
  const nlohmann::json* lb = status ? child(*status, "loadBalancer") : nullptr;
  const nlohmann::json* ingress = lb ? child(*lb, "ingress") : nullptr;
  if (!ingress || !ingress->is_array()) return out;
  for (const auto& e : *ingress) {
    const nlohmann::json* ip = child(e, "ip");
    out.push_back(ip && ip->is_string() ? ip->get<std::string>() : std::string());
  }
  return out;
}

}  // namespace

bool onlyStatusChanged(const nlohmann::json& before, const nlohmann::json& after) {
  if (!sameChild(before, after, "spec")) return false;
  const nlohmann::json* mb = child(before, "metadata");
  const nlohmann::json* ma = child(after, "metadata");
  if (!mb || !ma) return false;
  for (const char* f : {"labels", "deletionTimestamp", "uid", "generation"}) {
    if (!sameChild(*mb, *ma, f)) return false;
  }
  return userAnnotations(*mb) == userAnnotations(*ma);
}

bool jsonStatusMatchesDesired(const nlohmann::json& service,
                              const reconciler::DesiredStatus& desired) {
  if (!sameIps(jsonIngressIps(service), desired.ips, [](const std::string& s) { return s; })) {
    return false;
  }
  const nlohmann::json* meta = child(service, "metadata");
  const nlohmann::json* a = meta ? child(*meta, "annotations") : nullptr;
  const nlohmann::json* pool = a ? child(*a, poolKey().c_str()) : nullptr;
  if (a && child(*a, deprecatedPoolKey().c_str())) return false;
  return desired.pool.empty() ? pool == nullptr
                              : (pool && pool->is_string() && *pool == desired.pool);
}

bool plainlyNotOurs(const nlohmann::json& service, std::string_view lbClass) {
  const nlohmann::json* spec = child(service, "spec");
  const nlohmann::json* type = spec ? child(*spec, "type") : nullptr;
  const bool lb = type && type->is_string() && *type == "LoadBalancer";
  if (lb) {
    const nlohmann::json* cls = child(*spec, "loadBalancerClass");
    const bool hasClass = cls && cls->is_string();
    return !api::handlesClass(lbClass, hasClass ? &cls->get_ref<const std::string&>() : nullptr);
  }
  const nlohmann::json* meta = child(service, "metadata");
  const nlohmann::json* a = meta ? child(*meta, "annotations") : nullptr;
  const bool annotated =
      a && (child(*a, poolKey().c_str()) || child(*a, deprecatedPoolKey().c_str()));
  return !annotated && jsonIngressIps(service).empty();
}

void slimService(nlohmann::json& service, std::string_view lbClass) {
  if (!service.is_object()) return;
  auto meta = service.find("metadata");
  if (meta == service.end() || !meta->is_object()) return;
  meta->erase("managedFields");
  if (!plainlyNotOurs(service, lbClass)) return;
  nlohmann::json slimMeta = nlohmann::json::object();
  for (const char* f : {"name", "namespace", "uid", "resourceVersion", "deletionTimestamp"}) {
    if (auto it = meta->find(f); it != meta->end()) slimMeta[f] = std::move(*it);
  }
  nlohmann::json slimSpec = nlohmann::json::object();
  if (auto spec = service.find("spec"); spec != service.end() && spec->is_object()) {
    for (const char* f : {"type", "loadBalancerClass"}) {
      if (auto it = spec->find(f); it != spec->end()) slimSpec[f] = std::move(*it);
    }
  }
  nlohmann::json slim = {{"metadata", std::move(slimMeta)}, {"spec", std::move(slimSpec)}};
  service = std::move(slim);
}

bool applyDesired(nlohmann::json& service, const reconciler::DesiredStatus& desired) {
  bool changed = false;
  nlohmann::json& ingress = service["status"]["loadBalancer"]["ingress"];
  std::vector<std::string> current;
  if (ingress.is_array()) {
    for (const auto& e : ingress) {
      current.push_back(e.is_object() && e.contains("ip") && e["ip"].is_string()
                            ? e["ip"].get<std::string>()
                            : std::string());
    }
  }
  if (!sameIps(current, desired.ips, [](const std::string& s) { return s; })) {
    ingress = nlohmann::json::array();
    for (const auto& ip : desired.ips)
      ingress.push_back({{"ip", ip.toString()}});
    changed = true;
  }
  nlohmann::json& meta = service["metadata"];
  nlohmann::json& annotations = meta["annotations"];
  if (!annotations.is_object()) annotations = nlohmann::json::object();
  if (annotations.erase(deprecatedPoolKey())) changed = true;
  if (desired.pool.empty()) {
    if (annotations.erase(poolKey())) changed = true;
  } else if (!annotations.contains(poolKey()) || annotations[poolKey()] != desired.pool) {
    annotations[poolKey()] = desired.pool;
    changed = true;
  }
  if (annotations.empty()) meta.erase("annotations");
  return changed;
}

}  // namespace ironlb::controller
