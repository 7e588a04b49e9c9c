#pragma once
// The admission webhook's verdict (docs/webhook.md): the configuration as it is, and as it would
// be with the object under review created, replaced or deleted, both built by the controller's
// own validation core (lbconfig::build, with missingPoolIsError). Errors the change would add
// refuse it, each named by object, field and value (overlapping pools name both pools and both
// ranges; a duplicate entry points at the first; a missing pool names it). Errors already there
// do not block unrelated edits. A DELETE is never refused: what it breaks (an advertisement left
// naming a deleted pool, a BGPPeer naming a deleted BFDProfile) comes back as warnings, so
// uninstalling in any order works. Pools, L2Advertisements and BGP mode's kinds are judged alike.
// Pure: no I/O, no clock.

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/api/bgp_types.h"
#include "common/api/metallb_types.h"
#include "common/lbconfig/build.h"
#include "common/lbconfig/config_object.h"

namespace ironlb::controller::webhook {

inline constexpr std::string_view kPoolKind = "IPAddressPool";
inline constexpr std::string_view kL2AdvertisementKind = "L2Advertisement";

using lbconfig::ConfigObject;

// What the request does to the objects of one kind: the object named `name` in `ns` is replaced
// by `object` (of that kind), or removed when it is not set.
struct ConfigChange {
  std::string kind;  // kPoolKind, kL2AdvertisementKind, "BGPPeer", "BGPAdvertisement", ...
  std::string ns;
  std::string name;
  std::optional<ConfigObject> object{};
};

struct Verdict {
  bool allowed = true;
  std::string message{};                // when refused: every new error, one per line
  std::vector<std::string> warnings{};  // new warnings (and, for DELETE, new errors)
};

// `current`: the objects stored now (pools being deleted left out, as the controller does).
Verdict judge(const lbconfig::Snapshot& current, const ConfigChange& change,
              const std::string& installNamespace);

}  // namespace ironlb::controller::webhook
