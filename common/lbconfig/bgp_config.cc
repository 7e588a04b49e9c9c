#include "common/lbconfig/bgp_config.h"

#include <algorithm>

namespace ironlb::lbconfig {

bool BgpPeer::selectsNodeLabels(const Labels& nodeLabels) const {
  return anyMatches(nodeSelectors, nodeLabels, true);
}

std::string BgpPeer::neighbor() const {
  return address ? address->toString() : interfaceName;
}

bool BgpPeer::carries(net::Family family) const {
  if (dualStackAddressFamily || !address) return true;
  return address->family() == family;
}

bool BgpAdvertisement::selectsNodeLabels(const Labels& nodeLabels) const {
  return anyMatches(nodeSelectors, nodeLabels, true);
}

bool BgpAdvertisement::selectsPeer(const std::string& peer) const {
  return peers.empty() || std::binary_search(peers.begin(), peers.end(), peer);
}

}  // namespace ironlb::lbconfig
