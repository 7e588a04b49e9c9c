// Fuzzes the path from a Service's annotations to the allocator's request: annotations (both
// prefixes) -> findAnnotation / conflictingAnnotations / deprecatedAnnotationsInUse ->
// serviceIntent (controller/reconciler). It must never crash or throw; it also checks:
//  - a request error means no requested IPs, and names the field or annotation at fault;
//  - the requested pool and sharing key are the values of the preferred annotation when set;
//  - every conflict is between two annotations the Service carries, the preferred one used;
//  - requested IPs the allocator's shape rules accept can be put in family order; a refusal
//    names the list.
// Input: JSON of a whole Service (decodeService), or else lines "key=value" (annotations, a line
// "ip=..." sets spec.loadBalancerIP) on a LoadBalancer Service with both families.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/api/service_json.h"
#include "controller/allocator/request_rules.h"
#include "controller/reconciler/annotations.h"
#include "controller/reconciler/service_intent.h"

namespace {

using namespace ironlb;

void check(bool condition) {
  if (!condition) std::abort();
}

api::Service fromLines(std::string_view text) {
  api::Service s;
  s.meta.name = "svc";
  s.meta.ns = "ns";
  s.spec.type = "LoadBalancer";
  s.spec.ports = {{.name = "http", .protocol = "TCP", .port = 80}};
  s.spec.ipFamilies = {net::Family::kV4, net::Family::kV6};
  s.spec.ipFamilyPolicy = api::IpFamilyPolicy::kPreferDualStack;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string key(line.substr(0, eq));
    const std::string value(line.substr(eq + 1));
    if (key == "ip") {
      s.spec.loadBalancerIp = value;
    } else {
      s.meta.annotations[key] = value;
    }
  }
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  api::Service service;
  const auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_object()) {
    auto decoded = api::decodeService(doc);
    if (!decoded.ok()) return 0;
    service = std::move(*decoded);
  } else {
    service = fromLines(text);
  }
  const auto& annotations = service.meta.annotations;
  for (const auto& c : reconciler::conflictingAnnotations(annotations)) {
    check(!c.used.deprecated && c.ignored.deprecated);
    check(annotations.count(c.used.key) == 1 && annotations.count(c.ignored.key) == 1);
  }
  for (const auto& key : reconciler::deprecatedAnnotationsInUse(annotations))
    check(annotations.count(key) == 1);
  (void)reconciler::scopeOf(service, "");
  (void)reconciler::statusIps(service);

  auto intent = reconciler::serviceIntent(service, {});
  if (!intent.ok()) {
    check(!intent.error().empty());
    return 0;
  }
  const auto& request = intent->request;
  if (!intent->requestError.empty()) {
    check(request.requestedIps.empty());
    check(intent->requestError.find("annotation") != std::string::npos ||
          intent->requestError.find("spec.loadBalancerIP") != std::string::npos);
  }
  // The allocator's shape rules take over from here (at most one IP per family, ...): a shape
  // they accept can be put in family order; one they refuse names the list.
  if (!request.requestedIps.empty() && allocator::checkFamilies(request).ok()) {
    const Status shape = allocator::checkIpShape(request, request.requestedIps, "requested IPs");
    if (shape.ok()) {
      check(allocator::inFamilyOrder(request, request.requestedIps).size() ==
            request.requestedIps.size());
    } else {
      check(shape.error().find("requested IPs") != std::string::npos);
    }
  }
  if (auto pool = reconciler::findAnnotation(annotations, reconciler::kAddressPool)) {
    check(request.requestedPool == pool->value);
  }
  if (auto share = reconciler::findAnnotation(annotations, reconciler::kAllowSharedIp)) {
    check(request.sharingKey == share->value);
  }
  check(request.key == reconciler::serviceKey(service));
  return 0;
}
