#include "common/lbconfig/config_object.h"

#include <vector>

namespace ironlb::lbconfig {
namespace {

template <class T>
bool erase(std::vector<T>& objects, const std::string& ns, const std::string& name) {
  return std::erase_if(objects,
                       [&](const T& o) { return o.meta.ns == ns && o.meta.name == name; }) != 0;
}

// The snapshot's list for each kind, by the kind's type.
std::vector<api::IPAddressPool>& listOf(Snapshot& s, const api::IPAddressPool*) {
  return s.pools;
}
std::vector<api::L2Advertisement>& listOf(Snapshot& s, const api::L2Advertisement*) {
  return s.l2Advertisements;
}
std::vector<api::BGPPeer>& listOf(Snapshot& s, const api::BGPPeer*) {
  return s.bgp.peers;
}
std::vector<api::BGPAdvertisement>& listOf(Snapshot& s, const api::BGPAdvertisement*) {
  return s.bgp.advertisements;
}
std::vector<api::BFDProfile>& listOf(Snapshot& s, const api::BFDProfile*) {
  return s.bgp.bfdProfiles;
}
std::vector<api::Community>& listOf(Snapshot& s, const api::Community*) {
  return s.bgp.communities;
}

}  // namespace

bool isConfigKind(std::string_view kind) {
  for (std::string_view k : {"IPAddressPool", "L2Advertisement", "BGPPeer", "BGPAdvertisement",
                             "BFDProfile", "Community"}) {
    if (kind == k) return true;
  }
  return false;
}

api::ObjectMeta& metaOf(ConfigObject& object) {
  return std::visit([](auto& o) -> api::ObjectMeta& { return o.meta; }, object);
}

bool removeFrom(Snapshot& snapshot, std::string_view kind, const std::string& ns,
                const std::string& name) {
  if (kind == "IPAddressPool") return erase(snapshot.pools, ns, name);
  if (kind == "L2Advertisement") return erase(snapshot.l2Advertisements, ns, name);
  if (kind == "BGPPeer") return erase(snapshot.bgp.peers, ns, name);
  if (kind == "BGPAdvertisement") return erase(snapshot.bgp.advertisements, ns, name);
  if (kind == "BFDProfile") return erase(snapshot.bgp.bfdProfiles, ns, name);
  if (kind == "Community") return erase(snapshot.bgp.communities, ns, name);
  return false;
}

void putInto(Snapshot& snapshot, ConfigObject object) {
  std::visit(
      [&](auto& o) {
        auto& list = listOf(snapshot, &o);
        erase(list, o.meta.ns, o.meta.name);
        list.push_back(std::move(o));
      },
      object);
}

}  // namespace ironlb::lbconfig
