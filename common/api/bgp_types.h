#pragma once
// The BGP-side metallb.io custom resources (BGPPeer v1beta2, BGPAdvertisement, BFDProfile and
// Community v1beta1) as plain structs, with MetalLB's field names so that MetalLB manifests
// decode unchanged (JSON mapping: bgp_types_json.h). Values are kept as written (durations as
// text, ASNs as 64-bit integers): lbconfig validates them and names object, field and value
// (docs/bgp.md).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/api/label_selector.h"
#include "common/api/object_meta.h"

namespace ironlb::api {

inline constexpr std::string_view kMetalLBApiVersionV1Beta2 = "metallb.io/v1beta2";

struct SecretReference {
  std::string name;
  std::string namespaceName;  // "namespace"

  friend bool operator==(const SecretReference&, const SecretReference&) = default;
};

struct BGPPeerSpec {
  int64_t myAsn = 0;               // myASN
  std::optional<int64_t> peerAsn;  // peerASN; exclusive with dynamicAsn
  std::string dynamicAsn;          // dynamicASN: "", "internal" or "external"
  std::string peerAddress;
  std::string interfaceName;  // "interface" (unnumbered peering)
  std::string sourceAddress;
  std::optional<int64_t> peerPort;  // CRD default 179
  // Go durations as written ("90s", "1m30s"); absent = FRR's defaults.
  std::optional<std::string> holdTime;
  std::optional<std::string> keepaliveTime;
  std::optional<std::string> connectTime;
  std::string routerId;                      // routerID
  std::vector<LabelSelector> nodeSelectors;  // ORed; empty = every node
  std::string password;                      // plain text (ironlb refuses it, docs/bgp.md)
  SecretReference passwordSecret;
  std::string bfdProfile;
  bool enableGracefulRestart = false;
  bool ebgpMultiHop = false;
  std::string vrf;
  bool disableMp = false;  // disableMP
  bool dualStackAddressFamily = false;

  friend bool operator==(const BGPPeerSpec&, const BGPPeerSpec&) = default;
};

struct BGPPeer {
  ObjectMeta meta;
  BGPPeerSpec spec;

  friend bool operator==(const BGPPeer&, const BGPPeer&) = default;
};

struct BGPAdvertisementSpec {
  std::optional<int64_t> aggregationLength;    // CRD default 32
  std::optional<int64_t> aggregationLengthV6;  // CRD default 128
  std::optional<int64_t> localPref;
  // "65000:100" (standard), "large:1:2:3" (large) or the name of a Community alias.
  std::vector<std::string> communities;
  std::vector<std::string> ipAddressPools;
  std::vector<LabelSelector> ipAddressPoolSelectors;
  std::vector<LabelSelector> nodeSelectors;
  std::vector<std::string> peers;  // BGPPeer names; empty = every peer

  friend bool operator==(const BGPAdvertisementSpec&, const BGPAdvertisementSpec&) = default;
};

struct BGPAdvertisement {
  ObjectMeta meta;
  BGPAdvertisementSpec spec;

  friend bool operator==(const BGPAdvertisement&, const BGPAdvertisement&) = default;
};

struct BFDProfileSpec {
  std::optional<int64_t> receiveInterval;   // milliseconds
  std::optional<int64_t> transmitInterval;  // milliseconds
  std::optional<int64_t> detectMultiplier;
  std::optional<int64_t> echoInterval;  // milliseconds
  std::optional<bool> echoMode;
  std::optional<bool> passiveMode;
  std::optional<int64_t> minimumTtl;  // minimumTtl

  friend bool operator==(const BFDProfileSpec&, const BFDProfileSpec&) = default;
};

struct BFDProfile {
  ObjectMeta meta;
  BFDProfileSpec spec;

  friend bool operator==(const BFDProfile&, const BFDProfile&) = default;
};

struct CommunityAlias {
  std::string name;
  std::string value;

  friend bool operator==(const CommunityAlias&, const CommunityAlias&) = default;
};

struct Community {
  ObjectMeta meta;
  std::vector<CommunityAlias> communities;  // spec.communities

  friend bool operator==(const Community&, const Community&) = default;
};

}  // namespace ironlb::api
