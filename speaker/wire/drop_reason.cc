// Names of drop reasons: one table, indexed by the enum, checked for completeness at compile time.
#include "speaker/wire/drop_reason.h"

namespace ironlb::wire {
namespace {

constexpr std::array<std::string_view, kDropReasonCount> kNames = {
    "ethernet_truncated",
    "vlan_tagged",
    "unsupported_ethertype",
    "ethernet_source_invalid",
    "arp_truncated",
    "arp_bad_hardware_type",
    "arp_bad_protocol_type",
    "arp_bad_address_length",
    "arp_bad_operation",
    "arp_sender_mac_invalid",
    "arp_not_for_us",
    "ipv6_truncated",
    "ipv6_bad_version",
    "ipv6_bad_payload_length",
    "ipv6_not_icmpv6",
    "icmpv6_truncated",
    "icmpv6_not_ndp",
    "ndp_bad_hop_limit",
    "ndp_bad_code",
    "ndp_bad_checksum",
    "ndp_bad_length",
    "ndp_target_multicast",
    "ndp_source_multicast",
    "ndp_bad_option",
    "ndp_dad_with_sllao",
    "ndp_dad_bad_destination",
    "ndp_solicited_to_multicast",
    "ndp_not_for_us",
    "not_owned",
    "wrong_interface",
    "dad_probe_not_owned",
    "not_a_request",
    "send_failed",
};

consteval bool allNamed() {
  for (auto name : kNames)
    if (name.empty()) return false;
  return true;
}
static_assert(allNamed(), "every DropReason needs a name");

}  // namespace

std::string_view dropReasonName(DropReason reason) {
  const auto i = static_cast<std::size_t>(reason);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

}  // namespace ironlb::wire
