// bgp_node_apply: BGP mode's whole pipeline for one node, minus the informers: metallb.io
// objects and Nodes (JSON, as the API server serves them) and the Services' state in, FRR
// configured out. Decode -> lbconfig (pools) + buildBgp -> planBgp -> renderFrrConfig ->
// FrrApplier (a new one each run, so it always reads FRR's running configuration back first, as
// a restarted speaker does). Used by the BIRD interoperability test until the speaker runs the
// same pipeline itself.
//
//   bgp_node_apply --input FILE --vty-dir DIR
//
// FILE: {"node": "n0", "objects": [...], "services": [{"key", "ips", "local", "serving",
//        "servingNodes"}], "passwords": {"<BGPPeer>": "<password>"}}
// Prints each configuration finding and rendering problem, then "applied commands=N"; exits 1
// when the configuration is invalid (nothing applied) or FRR refuses a command.

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "common/api/bgp_types_json.h"
#include "common/api/metallb_types_json.h"
#include "common/api/node_json.h"
#include "common/lbconfig/bgp_build.h"
#include "common/lbconfig/build.h"
#include "speaker/bgp/frr_applier.h"
#include "speaker/bgp/frr_config.h"

namespace {

using namespace ironlb;

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

template <class T>
bool add(const Result<T>& decoded, std::vector<T>& out) {
  if (!decoded.ok()) {
    std::printf("decode: %s\n", decoded.error().c_str());
    return false;
  }
  out.push_back(*decoded);
  return true;
}

bool decodeObjects(const nlohmann::json& objects, lbconfig::Snapshot& l2,
                   lbconfig::BgpSnapshot& bgp) {
  bool ok = true;
  for (const nlohmann::json& o : objects) {
    const std::string kind = o.value("kind", "");
    if (kind == "IPAddressPool") ok &= add(api::decodeIPAddressPool(o), l2.pools);
    if (kind == "Node") ok &= add(api::decodeNode(o), l2.nodes);
    if (kind == "BGPPeer") ok &= add(api::decodeBGPPeer(o), bgp.peers);
    if (kind == "BGPAdvertisement") ok &= add(api::decodeBGPAdvertisement(o), bgp.advertisements);
    if (kind == "BFDProfile") ok &= add(api::decodeBFDProfile(o), bgp.bfdProfiles);
    if (kind == "Community") ok &= add(api::decodeCommunity(o), bgp.communities);
  }
  return ok;
}

std::vector<control::ServiceInput> services(const nlohmann::json& list) {
  std::vector<control::ServiceInput> out;
  for (const nlohmann::json& s : list) {
    control::ServiceInput in;
    in.key = s.at("key").get<std::string>();
    for (const auto& ip : s.at("ips"))
      in.ips.push_back(*net::IpAddress::parse(ip.get<std::string>()));
    in.local = s.value("local", false);
    in.serving = s.value("serving", true);
    in.servingNodes = s.value("servingNodes", std::vector<std::string>{});
    std::sort(in.servingNodes.begin(), in.servingNodes.end());
    out.push_back(std::move(in));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string inputPath, vtyDir;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--input") inputPath = argv[i + 1];
    if (k == "--vty-dir") vtyDir = argv[i + 1];
  }
  if (inputPath.empty() || vtyDir.empty()) {
    std::fprintf(stderr, "usage: bgp_node_apply --input FILE --vty-dir DIR\n");
    return 2;
  }
  const nlohmann::json input = nlohmann::json::parse(readFile(inputPath));
  const std::string node = input.at("node").get<std::string>();
  lbconfig::Snapshot l2;
  lbconfig::BgpSnapshot bgpObjects;
  if (!decodeObjects(input.at("objects"), l2, bgpObjects)) return 1;

  const lbconfig::BuildResult built = lbconfig::build(l2, {});
  std::vector<lbconfig::Issue> errors = built.errors;
  std::vector<lbconfig::Issue> warnings = built.warnings;
  std::vector<const lbconfig::Pool*> pools;
  if (built.config) {
    for (const auto& [name, pool] : built.config->pools())
      pools.push_back(&pool);
  }
  const lbconfig::BuildScope scope("metallb-system", errors, warnings);
  const lbconfig::BgpBuildResult bgpBuilt = lbconfig::buildBgp(bgpObjects, pools, scope, false);
  for (const auto& w : warnings)
    std::printf("warning: %s\n", w.toString().c_str());
  for (const auto& e : errors)
    std::printf("error: %s\n", e.toString().c_str());
  if (!errors.empty()) return 1;

  const nlohmann::json serviceList = input.value("services", nlohmann::json::array());
  const std::vector<control::ServiceInput> svc = services(serviceList);
  const bgp::NodePlan plan = bgp::planBgp(*built.config, bgpBuilt.config, node, svc);
  for (const auto& v : plan.verdicts) {
    std::printf("verdict: %s %s %s\n", v.service.c_str(), v.ip.toString().c_str(),
                std::string(bgp::reasonName(v.reason)).c_str());
  }
  bgp::FrrContext context{node, {}};
  const nlohmann::json passwords = input.value("passwords", nlohmann::json::object());
  for (const auto& [peer, password] : passwords.items()) {
    context.passwords[peer] = password.get<std::string>();
  }
  const bgp::FrrRendering rendering = bgp::renderFrrConfig(bgpBuilt.config, plan, context);
  for (const auto& p : rendering.problems)
    std::printf("problem: %s\n", p.c_str());

  bgp::FrrApplier applier(vtyDir);
  auto report = applier.apply(rendering.text);
  if (!report.ok()) {
    std::printf("error: %s\n", report.error().c_str());
    return 1;
  }
  const std::size_t commands = report->commands;
  std::printf("applied commands=%zu\n", commands);
  return 0;
}
