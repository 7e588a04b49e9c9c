#pragma once
// diffFrrConfig: the FRR commands that turn a running configuration rendered as `before` into
// `after` (both from renderFrrConfig), without touching what did not change, so established
// sessions stay up and one new Service costs a few commands whatever the number of prefixes
// already announced (docs/bgp.md). Pure.
//
// Both texts are parsed into blocks by indentation (route-map entries, router bgp instances and
// their address families, bfd and its profiles). Per block:
//  1. lines only in `after` are added; a line that sets a value (timers, router-id,
//     local-preference, community, tag, a network's route map, BFD intervals...) replaces its
//     old value without a `no`;
//  2. sub-blocks are entered and diffed the same way (new ones written whole); a route-map
//     entry whose `match tag` changes is first copied to a spare number, removed at the end,
//     so prefixes not yet retagged keep matching an entry;
//  3. lines only in `before` without a replacement are removed with `no <line>`, after the
//     sub-blocks (including those that disappear, removed in reverse order), so
//     `no neighbor X activate` comes before `no neighbor X remote-as` (which removes the
//     neighbor and everything else about it) and a route is withdrawn (`no network`, or
//     `no router bgp`) before the route map that tags it goes (new route maps come first, as
//     they are rendered before the instances).
// Top-level lines only a configuration file can set (`frr defaults`, `hostname`, `log`) are left
// alone.

#include <string>
#include <vector>

#include "speaker/bgp/frr_port.h"

namespace ironlb::bgp {

// Commands for one daemon, each sent on its own; `configure terminal` and `end` included.
struct FrrCommands {
  FrrDaemon daemon = FrrDaemon::kBgpd;
  std::vector<std::string> commands;

  friend bool operator==(const FrrCommands&, const FrrCommands&) = default;
};

// Empty when nothing changed; otherwise one entry per daemon with something to do (bfdd first,
// so a BFD profile exists before a neighbor names it).
std::vector<FrrCommands> diffFrrConfig(const std::string& before, const std::string& after);

}  // namespace ironlb::bgp
