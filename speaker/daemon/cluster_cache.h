#pragma once
// ClusterCache: the typed view of the Kubernetes objects the speaker watches, fed by the
// informers' handlers (decoded once per event) and read by the daemon: ServiceInputs for the
// planner, the lbconfig Snapshot, the expected members. Pure data, logic-thread only.
//
// Each put/remove says what it affects, so the daemon redoes only that: a Service or its
// EndpointSlices -> that Service; a pool, advertisement or namespace -> the configuration; a
// Node -> the configuration only when its labels or NetworkUnavailable changed (kubelets
// update Node status all the time), the member list only when its InternalIPs changed.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/api/bgp_types.h"
#include "common/api/endpoint_slice.h"
#include "common/api/metallb_types.h"
#include "common/api/node.h"
#include "common/api/service.h"
#include "common/lbconfig/build.h"
#include "common/lbconfig/config_object.h"
#include "speaker/control/members.h"
#include "speaker/control/service_input.h"

namespace ironlb::speaker {

struct NodeEffect {
  bool config = false;   // labels / NetworkUnavailable / presence changed
  bool members = false;  // InternalIPs / presence changed
};

class ClusterCache {
 public:
  // --- Services and EndpointSlices: return the Service key affected ---
  std::string putService(api::Service service);
  std::string removeService(const std::string& ns, const std::string& name);
  // The Services whose endpoints changed (a slice whose service-name label was edited affects
  // two; a slice without the label none).
  std::vector<std::string> putSlice(const api::EndpointSlice& slice);
  std::vector<std::string> removeSlice(const std::string& ns, const std::string& name);

  const api::Service* service(const std::string& key) const;
  // `lb_class`: the class this speaker handles, "" for none (api::handlesClass).
  control::ConversionResult serviceInput(const std::string& key, std::string_view lbClass) const;

  // --- configuration objects: return whether the configuration may have changed ---
  NodeEffect putNode(const api::Node& node);
  NodeEffect removeNode(const std::string& name);
  bool putPool(api::IPAddressPool pool);
  bool removePool(const std::string& ns, const std::string& name);
  bool putAdvertisement(api::L2Advertisement ad);
  bool removeAdvertisement(const std::string& ns, const std::string& name);
  // Any configuration kind (lbconfig/config_object.h), by the typed calls above and below.
  bool putConfig(lbconfig::ConfigObject object);
  // `kind`: the object's Kubernetes kind ("IPAddressPool", "BGPPeer", ...).
  bool removeConfig(std::string_view kind, const std::string& ns, const std::string& name);
  // BGP mode's kinds (docs/bgp.md): any change of one may change the configuration.
  bool putBgp(api::BGPPeer peer) { return put(bgpPeers_, std::move(peer)); }
  bool putBgp(api::BGPAdvertisement ad) { return put(bgpAds_, std::move(ad)); }
  bool putBgp(api::BFDProfile profile) { return put(bfdProfiles_, std::move(profile)); }
  bool putBgp(api::Community community) { return put(communities_, std::move(community)); }
  // `kind`: the object's Kubernetes kind ("BGPPeer", ...).
  bool removeBgp(std::string_view kind, const std::string& ns, const std::string& name);
  bool hasBgpPeers() const { return !bgpPeers_.empty(); }
  bool putNamespace(const api::Namespace& ns);
  bool removeNamespace(const std::string& name);

  lbconfig::Snapshot snapshot() const;
  control::MemberPlan members(net::Family family, uint16_t port) const;
  const api::Node* node(const std::string& name) const;

 private:
  template <class T>
  static bool put(std::map<std::string, T>& objects, T object) {
    auto& slot = objects[object.meta.ns + "/" + object.meta.name];
    if (slot == object) return false;
    slot = std::move(object);
    return true;
  }
  struct SliceEntry {
    std::string service;  // key
    control::SliceSummary summary;
  };
  std::map<std::string, api::Service> services_;
  std::map<std::string, SliceEntry> slices_;  // "ns/name"
  std::map<std::string, std::set<std::string>> serviceSlices_;
  std::map<std::string, api::Node> nodes_;
  std::map<std::string, api::IPAddressPool> pools_;
  std::map<std::string, api::L2Advertisement> ads_;
  std::map<std::string, api::Namespace> namespaces_;
  std::map<std::string, api::BGPPeer> bgpPeers_;  // "ns/name", as the others
  std::map<std::string, api::BGPAdvertisement> bgpAds_;
  std::map<std::string, api::BFDProfile> bfdProfiles_;
  std::map<std::string, api::Community> communities_;
};

}  // namespace ironlb::speaker
