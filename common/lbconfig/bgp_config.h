#pragma once
// The validated BGP configuration (docs/bgp.md): peers, advertisements and BFD profiles with
// every reference resolved (pools, peers, BFD profiles, community aliases). Built by
// lbconfig::buildBgp from the BGP-side metallb.io objects; the BGP planner and the FRR renderer
// see only these types.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/lbconfig/bgp_values.h"
#include "common/lbconfig/label_selector.h"
#include "common/lbconfig/labels.h"
#include "common/net/ip_address.h"

namespace ironlb::lbconfig {

// BFDProfile with FRR's defaults filled in for absent fields.
struct BfdProfile {
  std::string name;
  uint32_t receiveIntervalMs = 300;
  uint32_t transmitIntervalMs = 300;
  uint32_t detectMultiplier = 3;
  uint32_t echoIntervalMs = 50;
  bool echoMode = false;
  bool passiveMode = false;
  std::optional<uint32_t> minimumTtl;  // multi-hop sessions only

  friend bool operator==(const BfdProfile&, const BfdProfile&) = default;
};

enum class DynamicAsn { kNone, kInternal, kExternal };

struct BgpPeer {
  std::string name;
  uint32_t myAsn = 0;
  std::optional<uint32_t> peerAsn;  // absent exactly when dynamicAsn != kNone
  DynamicAsn dynamicAsn = DynamicAsn::kNone;
  // Exactly one of address and interfaceName is set.
  std::optional<net::IpAddress> address;
  std::string interfaceName;  // unnumbered peering over this node interface
  std::optional<net::IpAddress> sourceAddress;
  uint16_t port = 179;
  std::optional<uint32_t> holdTimeS;  // 0 or 3-65535
  std::optional<uint32_t> keepaliveTimeS;
  std::optional<uint32_t> connectTimeS;      // 1-65535
  std::optional<net::IpAddress> routerId;    // IPv4
  std::vector<LabelSelector> nodeSelectors;  // ORed; empty = every node
  std::string passwordSecret;                // Secret in the install namespace, "" = none
  std::string bfdProfile;                    // "" = no BFD; otherwise an existing profile
  bool gracefulRestart = false;
  bool ebgpMultiHop = false;
  std::string vrf;
  bool disableMp = false;
  bool dualStackAddressFamily = false;

  bool selectsNodeLabels(const Labels& nodeLabels) const;
  // How FRR names the neighbor: the address, or the interface of an unnumbered peer.
  std::string neighbor() const;
  // The session carries prefixes of `family`: its own address family, both with
  // dualStackAddressFamily or over an unnumbered interface.
  bool carries(net::Family family) const;

  friend bool operator==(const BgpPeer&, const BgpPeer&) = default;
};

struct BgpAdvertisement {
  std::string name;
  std::vector<std::string> pools;  // existing pools, sorted, unique (every pool when none named)
  int aggregationLength = 32;
  int aggregationLengthV6 = 128;
  std::optional<uint32_t> localPref;
  std::vector<BgpCommunity> communities;     // aliases resolved; sorted, unique
  std::vector<LabelSelector> nodeSelectors;  // ORed; empty = every node
  std::vector<std::string> peers;            // existing peers, sorted; empty = every peer

  bool selectsNodeLabels(const Labels& nodeLabels) const;
  bool selectsPeer(const std::string& peer) const;
  int aggregationLengthFor(net::Family family) const {
    return family == net::Family::kV4 ? aggregationLength : aggregationLengthV6;
  }

  friend bool operator==(const BgpAdvertisement&, const BgpAdvertisement&) = default;
};

struct BgpConfig {
  std::map<std::string, BgpPeer, std::less<>> peers;
  std::vector<BgpAdvertisement> advertisements;  // by name
  std::map<std::string, BfdProfile, std::less<>> bfdProfiles;

  bool empty() const { return peers.empty() && advertisements.empty() && bfdProfiles.empty(); }

  friend bool operator==(const BgpConfig&, const BgpConfig&) = default;
};

}  // namespace ironlb::lbconfig
