#include "controller/daemon/service_status.h"

#include "controller/reconciler/annotations.h"

namespace ironlb::controller {
namespace {

const std::string& poolKey() {
  static const std::string k = reconciler::annotationKey(reconciler::kIpAllocatedFromPool);
  return k;
}

const std::string& deprecatedPoolKey() {
  static const std::string k =
      reconciler::deprecatedAnnotationKey(reconciler::kIpAllocatedFromPool);
  return k;
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

bool showsDesired(const api::Service& service, const reconciler::DesiredStatus& desired) {
  if (!sameIps(service.status.ingress, desired.ips,
               [](const api::LoadBalancerIngress& e) { return e.ip; })) {
    return false;
  }
  const auto& a = service.meta.annotations;
  if (a.count(deprecatedPoolKey())) return false;
  const auto it = a.find(poolKey());
  return desired.pool.empty() ? it == a.end() : (it != a.end() && it->second == desired.pool);
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
