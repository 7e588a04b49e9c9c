// Fuzzes the path from API-server JSON to a validated Config: bytes -> JSON (no-throw parse)
// -> objects of any kind (by "kind") -> lbconfig::build -> queries on the Config. It must never
// crash, throw or go quadratic; it also checks properties that must hold for any input:
//  - decode(encode(x)) == x for everything ironlb writes;
//  - build returns a Config exactly when there are no errors, and every issue names an object;
//  - every range of a built Config is found again by poolContaining, in its own pool.
// Input: one object, a JSON array of objects, or a List ({"items": [...]}).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <variant>

#include <nlohmann/json.hpp>

#include "common/lbconfig/build.h"
#include "test/support/any_object.h"
#include "test/support/api_encoders.h"

namespace {

using namespace ironlb;

void check(bool condition) {
  if (!condition) std::abort();  // a violated property is a crash libFuzzer reports
}

void roundTrips(const api::Service& service) {
  const auto patch = api::encodeServiceStatusPatch(service.status.ingress, "1");
  auto back = api::decodeService(patch);
  check(back.ok() && back->status.ingress == service.status.ingress);
}

void roundTrips(const api::IPAddressPool& pool) {
  auto back = api::decodeIPAddressPool(api::encodeIPAddressPoolStatusPatch(pool.status, "1"));
  check(back.ok() && back->status == pool.status);
}

void roundTrips(const api::ServiceL2Status& status) {
  auto back = api::decodeServiceL2Status(api::encodeServiceL2Status(status));
  check(back.ok() && *back == status);
}

void roundTrips(const api::ServiceBGPStatus& status) {
  auto back = api::decodeServiceBGPStatus(api::encodeServiceBGPStatus(status));
  check(back.ok() && *back == status);
}

template <class T>
void roundTrips(const T&) {}

void add(lbconfig::Snapshot& snapshot, api::AnyObject&& object) {
  std::visit([](const auto& o) { roundTrips(o); }, object);
  api::addToSnapshot(snapshot, std::move(object));
}

void decodeItem(lbconfig::Snapshot& snapshot, const nlohmann::json& item) {
  auto decoded = api::decodeAnyObject(item);
  if (decoded.ok()) return add(snapshot, std::move(*decoded));
  check(!decoded.error().empty());
  // Without a usable kind, still run every decoder over the item (more coverage per input).
  if (auto p = api::decodeIPAddressPool(item)) roundTrips(*p);
  (void)api::decodeL2Advertisement(item);
  if (auto s = api::decodeServiceL2Status(item)) roundTrips(*s);
  if (auto s = api::decodeService(item)) roundTrips(*s);
  (void)api::decodeEndpointSlice(item);
  (void)api::decodeNode(item);
  (void)api::decodeNamespace(item);
  (void)api::decodeBGPPeer(item);
  (void)api::decodeBGPAdvertisement(item);
  (void)api::decodeBFDProfile(item);
  (void)api::decodeCommunity(item);
  if (auto s = api::decodeServiceBGPStatus(item)) roundTrips(*s);
}

void exercise(const lbconfig::Config& config) {
  for (const auto& [name, pool] : config.pools()) {
    for (const auto& r : pool.ranges) {
      for (const auto& ip : {r.range.first(), r.range.last()}) {
        const lbconfig::Pool* found = config.poolContaining(ip);
        check(found != nullptr && found->name == name);
      }
    }
    const auto ads = config.advertisementsFor(name, pool.labels);
    const auto nodes = config.candidateNodes(ads);
    for (const auto& node : nodes) {
      check(config.nodeMayAnnounce(node));
      (void)config.interfacesOn(node, ads);
    }
    for (const auto& [ns, labels] : config.namespaces())
      (void)config.admits(pool, ns, labels);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto doc = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return 0;

  lbconfig::Snapshot snapshot;
  const nlohmann::json* items = &doc;
  if (doc.is_object()) {
    const auto it = doc.find("items");
    if (it != doc.end() && it->is_array()) items = &*it;
  }
  if (items->is_array()) {
    for (const auto& item : *items)
      decodeItem(snapshot, item);
  } else {
    decodeItem(snapshot, *items);
  }

  lbconfig::BuildOptions options;
  options.ignoreExcludeLbLabel = (size % 2) == 1;
  const lbconfig::BuildResult result = lbconfig::build(snapshot, options);
  check(result.ok() == result.errors.empty());
  for (const auto* list : {&result.errors, &result.warnings}) {
    for (const auto& issue : *list) {
      check(!issue.kind.empty() && !issue.message.empty());
      (void)issue.toString();
    }
  }
  if (result.ok()) exercise(*result.config);
  return 0;
}
