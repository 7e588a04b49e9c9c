#pragma once
// ConfigObject: one object of any kind the configuration is made of (the L2 kinds and BGP
// mode's, docs/custom-resources.md, docs/bgp.md), and how it goes into or out of a Snapshot.
// The webhook edits a stored snapshot with the change under review; tests build snapshots from
// mixed lists. Decoding by kind: config_object_json.h.

#include <string>
#include <string_view>
#include <variant>

#include "common/api/bgp_types.h"
#include "common/api/metallb_types.h"
#include "common/lbconfig/build.h"

namespace ironlb::lbconfig {

using ConfigObject = std::variant<api::IPAddressPool, api::L2Advertisement, api::BGPPeer,
                                  api::BGPAdvertisement, api::BFDProfile, api::Community>;

// "IPAddressPool", "L2Advertisement", "BGPPeer", "BGPAdvertisement", "BFDProfile", "Community".
bool isConfigKind(std::string_view kind);

// The object's metadata, whatever its kind.
api::ObjectMeta& metaOf(ConfigObject& object);

// Removes the object of `kind` ("IPAddressPool", "BGPPeer", ...) named ns/name; false when
// there is none or the kind is not a configuration kind.
bool removeFrom(Snapshot& snapshot, std::string_view kind, const std::string& ns,
                const std::string& name);
// Adds `object`, replacing the one of its kind with the same namespace and name.
void putInto(Snapshot& snapshot, ConfigObject object);

}  // namespace ironlb::lbconfig
