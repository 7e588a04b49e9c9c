#pragma once
// HostProbe: reads what the kernel-ARP check needs from this host: every configured address
// (getifaddrs) and the IPv4 arp_ignore sysctls (/proc/sys/net/ipv4/conf/*/arp_ignore). Local
// system calls only; a few hundred microseconds even with thousands of addresses on
// kube-ipvs0.

#include <string>
#include <vector>

#include "common/util/result.h"
#include "speaker/control/kernel_arp_check.h"

namespace ironlb::speaker {

// arp_ignore is read for conf/all and for each of `interfaces` (the ones the speaker answers
// on). `proc_root` is "/proc" except in tests.
Result<control::HostNetworkState> probeHostNetwork(const std::vector<std::string>& interfaces,
                                                   const std::string& procRoot = "/proc");

}  // namespace ironlb::speaker
