#pragma once
// What FRR says about its sessions, read back for status, metrics and Events (docs/bgp.md):
// `show bgp [vrf all] neighbors json` (bgpd) and `show bfd peers json` (bfdd), FRR 8.4's JSON.
// Parsing never throws: a reply that is not what FRR 8.4 writes is an error naming the field.

#include <cstdint>
#include <string>
#include <vector>

#include "common/util/result.h"

namespace ironlb::bgp {

struct BgpSessionState {
  std::string neighbor;  // the address (or interface) as configured
  std::string state;     // FRR's words: Idle, Connect, Active, OpenSent, OpenConfirm, Established
  bool established = false;
  int64_t remoteAs = 0;
  int64_t prefixesSent = 0;  // over every address family
  int64_t opensSent = 0;
  int64_t opensReceived = 0;
  int64_t notificationsSent = 0;
  int64_t notificationsReceived = 0;
  int64_t updatesSent = 0;
  int64_t updatesReceived = 0;
  int64_t keepalivesSent = 0;
  int64_t keepalivesReceived = 0;
  int64_t routeRefreshSent = 0;
  int64_t routeRefreshReceived = 0;
  int64_t totalSent = 0;
  int64_t totalReceived = 0;
  std::string lastResetReason;  // "" when the session never went down
  std::string bfdStatus;        // "" without BFD; else FRR's words (Up, Down, Unknown)

  friend bool operator==(const BgpSessionState&, const BgpSessionState&) = default;
};

struct BfdSessionState {
  std::string peer;
  std::string local;
  std::string interfaceName;
  bool multihop = false;
  bool up = false;
  std::string status;      // FRR's words: up, down, init, shutdown...
  std::string diagnostic;  // why it went down last ("ok" when it did not)

  friend bool operator==(const BfdSessionState&, const BfdSessionState&) = default;
};

// `show bgp neighbors json`: an object keyed by neighbor.
Result<std::vector<BgpSessionState>> parseBgpNeighbors(const std::string& json);
// `show bfd peers json`: an array of sessions.
Result<std::vector<BfdSessionState>> parseBfdPeers(const std::string& json);

}  // namespace ironlb::bgp
