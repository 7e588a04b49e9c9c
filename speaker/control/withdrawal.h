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
#include "speaker/announcer/eligibility.h"
#include "speaker/announcer/link.h"

namespace ironlb::control {

struct WithdrawalVerdict {
  bool withdraw = false;
  std::string reason;  // for logs when withdraw: "no carrier on eth0, eth1"

  friend bool operator==(const WithdrawalVerdict&, const WithdrawalVerdict&) = default;
};

WithdrawalVerdict judgeWithdrawal(const lbconfig::InterfaceSet& wanted,
                                  const std::vector<announcer::Link>& links,
                                  const announcer::InterfaceFilter& filter);

}  // namespace ironlb::control
