#pragma once
// renderFrrConfig: one node's BGP plan -> the complete FRR configuration for that node (FRR 8.4
// syntax, docs/bgp.md). Pure and deterministic: the same plan renders the same text, so the
// applier can diff two renderings line by line.
//
// Shape: every announced prefix is one `network P route-map ironlb-tag-<T>` line, the route map
// giving it tag T at origination, T standing for the prefix's profile (which peers get it, with
// which localPref and communities; a hash of it, so stable). Per BGPPeer an outbound route map
// has one entry per profile that includes the peer, matching the tag and setting the
// attributes, and denies the rest, since `network` statements are shared by every neighbor of a
// BGP instance. Nothing in the configuration is per prefix except its `network` line, so one
// more Service is one more line whatever is announced already (docs/bgp.md, Speed). One
// `router bgp` per VRF; BFD profiles under `bfd`. Every value comes from validated
// configuration (names, addresses, communities) or a checked Secret, so nothing can inject a
// line.

#include <map>
#include <string>
#include <vector>

#include "common/lbconfig/bgp_config.h"
#include "speaker/bgp/bgp_plan.h"

namespace ironlb::bgp {

struct FrrContext {
  std::string hostname;                          // the node name
  std::map<std::string, std::string> passwords;  // BGPPeer name -> password (checked)
};

struct FrrRendering {
  std::string text;
  // Findings that kept something out of the configuration, for logs and Events (never a
  // password): peers of one VRF on this node disagreeing on myASN or routerID (the first peer
  // by name decides; the others are left out).
  std::vector<std::string> problems;
};

FrrRendering renderFrrConfig(const lbconfig::BgpConfig& config, const NodePlan& plan,
                             const FrrContext& context);

// A password FRR can take as one configuration token: 1-80 printable ASCII characters (the TCP
// MD5 key limit), no spaces. nullopt when fine, else why not (never quoting it).
std::optional<std::string> checkPassword(const std::string& password);

// The FRR name of a BGPPeer's objects ("ironlb-<peer>"), shortened with a hash when long.
std::string frrName(const std::string& peer);

}  // namespace ironlb::bgp
