#pragma once
// Withdrawal: whether this node should stop being a candidate everywhere because it cannot
// reach the network it announces on. Pure.
//
// The interfaces judged are the ones the L2Advertisements selecting this node name (every
// eligible one when any of them names none). The node withdraws when none of those is an
// eligible link with carrier: a node whose cable is pulled, or that has no usable interface at
// all, hands its IPs to a peer at once (membership setWithdrawn) instead of winning elections
// it cannot serve. A node that no advertisement selects is simply never a candidate, so it does
// not withdraw.

#include <string>
#include <vector>

#include "common/lbconfig/config.h"
#include "common/net/ip_address.h"
#include "speaker/announcer/eligibility.h"
#include "speaker/announcer/link.h"
#include "speaker/control/kernel_arp_check.h"

namespace ironlb::control {

struct WithdrawalVerdict {
  bool withdraw = false;
  std::string reason;  // for logs when withdraw: "no carrier on eth0, eth1"

  friend bool operator==(const WithdrawalVerdict&, const WithdrawalVerdict&) = default;
};

// The link membership traffic leaves by: the interface holding the membership address. Down
// (administratively or without carrier), this node knows it is the one cut off, which its
// peers' silence alone cannot tell (membership setLinkUp). Unknown (the address is on no
// interface we see) counts as up: silence then decides as before.
struct MemberLink {
  std::string interface;  // empty when unknown
  bool up = true;

  friend bool operator==(const MemberLink&, const MemberLink&) = default;
};

MemberLink judgeMemberLink(const net::IpAddress& address, const std::vector<HostAddress>& addresses,
                           const std::vector<announcer::Link>& links);

WithdrawalVerdict judgeWithdrawal(const lbconfig::InterfaceSet& wanted,
                                  const std::vector<announcer::Link>& links,
                                  const announcer::InterfaceFilter& filter);

}  // namespace ironlb::control
