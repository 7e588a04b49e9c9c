#include "test/netns/bgp/bgp_test_input.h"

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "common/api/bgp_types_json.h"
#include "common/api/metallb_types_json.h"
#include "common/api/node_json.h"
#include "common/lbconfig/build.h"

namespace ironlb::bgp::it {
namespace {

template <class T>
bool add(const Result<T>& decoded, std::vector<T>& out, std::vector<std::string>& messages) {
  if (!decoded.ok()) {
    messages.push_back("decode: " + decoded.error());
    return false;
  }
  out.push_back(*decoded);
  return true;
}

}  // namespace

nlohmann::json readJsonFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot read " + path);
  return nlohmann::json::parse(in);
}

BuiltInput buildInput(const nlohmann::json& objects) {
  BuiltInput out;
  lbconfig::Snapshot snapshot;
  bool decoded = true;
  for (const nlohmann::json& o : objects) {
    const std::string kind = o.value("kind", "");
    std::vector<std::string>& m = out.messages;
    if (kind == "IPAddressPool") decoded &= add(api::decodeIPAddressPool(o), snapshot.pools, m);
    if (kind == "Node") decoded &= add(api::decodeNode(o), snapshot.nodes, m);
    if (kind == "BGPPeer") decoded &= add(api::decodeBGPPeer(o), snapshot.bgp.peers, m);
    if (kind == "BGPAdvertisement") {
      decoded &= add(api::decodeBGPAdvertisement(o), snapshot.bgp.advertisements, m);
    }
    if (kind == "BFDProfile") decoded &= add(api::decodeBFDProfile(o), snapshot.bgp.bfdProfiles, m);
    if (kind == "Community") decoded &= add(api::decodeCommunity(o), snapshot.bgp.communities, m);
  }
  if (!decoded) return out;
  lbconfig::BuildResult built = lbconfig::build(snapshot, {});
  for (const auto& w : built.warnings)
    out.messages.push_back("warning: " + w.toString());
  for (const auto& e : built.errors)
    out.messages.push_back("error: " + e.toString());
  out.config = std::move(built.config);
  return out;
}

std::vector<control::ServiceInput> decodeServices(const nlohmann::json& list) {
  std::vector<control::ServiceInput> out;
  for (const nlohmann::json& s : list) {
    control::ServiceInput in;
    in.key = s.at("key").get<std::string>();
    for (const auto& ip : s.at("ips")) {
      auto parsed = net::IpAddress::parse(ip.get<std::string>());
      if (!parsed.ok()) {
        throw std::invalid_argument("service " + in.key + ": ips: " + parsed.error());
      }
      in.ips.push_back(*parsed);
    }
    in.local = s.value("local", false);
    in.serving = s.value("serving", true);
    in.servingNodes = s.value("servingNodes", std::vector<std::string>{});
    std::sort(in.servingNodes.begin(), in.servingNodes.end());
    out.push_back(std::move(in));
  }
  return out;
}

}  // namespace ironlb::bgp::it
