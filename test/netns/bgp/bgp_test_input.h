#pragma once
// The JSON the BGP test tools are given (bgp_node_apply, test/bench/bgp's driver) turned into
// what the speaker's pipeline takes: metallb.io objects and Nodes, as the API server serves
// them, through the daemons' own decoding and lbconfig::build (BGP kinds included), and the
// Services' state as control::ServiceInput.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/lbconfig/config.h"
#include "speaker/control/service_input.h"

namespace ironlb::bgp::it {

struct BuiltInput {
  std::optional<lbconfig::Config> config;  // set when every object decoded and validated
  // "decode: ...", "warning: ...", "error: ..." lines, in that order.
  std::vector<std::string> messages;
};

// The whole file, parsed; throws nlohmann::json::exception naming what is wrong.
nlohmann::json readJsonFile(const std::string& path);

// `objects`: [{"kind": "IPAddressPool" | "Node" | "BGPPeer" | "BGPAdvertisement" |
// "BFDProfile" | "Community", ...}]; other kinds are ignored.
BuiltInput buildInput(const nlohmann::json& objects);

// [{"key", "ips", "local", "serving", "servingNodes"}] (local false, serving true by default);
// throws std::invalid_argument naming the Service and the value that is not an address.
std::vector<control::ServiceInput> decodeServices(const nlohmann::json& list);

}  // namespace ironlb::bgp::it
