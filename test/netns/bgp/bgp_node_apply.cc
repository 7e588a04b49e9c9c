// bgp_node_apply: BGP mode's whole pipeline for one node, minus the informers: metallb.io
// objects and Nodes (JSON, as the API server serves them) and the Services' state in, FRR
// configured out. Decode -> lbconfig::build (pools and BGP kinds) -> planBgp -> renderFrrConfig ->
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
#include <string>

#include <nlohmann/json.hpp>

#include "speaker/bgp/bgp_plan.h"
#include "speaker/bgp/frr_applier.h"
#include "speaker/bgp/frr_config.h"
#include "test/netns/bgp/bgp_test_input.h"

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
  using namespace ironlb;
  const nlohmann::json input = bgp::it::readJsonFile(inputPath);
  const std::string node = input.at("node").get<std::string>();
  const bgp::it::BuiltInput built = bgp::it::buildInput(input.at("objects"));
  for (const std::string& m : built.messages)
    std::printf("%s\n", m.c_str());
  if (!built.config) return 1;

  const std::vector<control::ServiceInput> svc =
      bgp::it::decodeServices(input.value("services", nlohmann::json::array()));
  const lbconfig::BgpConfig& bgpConfig = built.config->bgp();
  const bgp::NodePlan plan = bgp::planBgp(*built.config, bgpConfig, node, svc);
  for (const auto& v : plan.verdicts) {
    std::printf("verdict: %s %s %s\n", v.service.c_str(), v.ip.toString().c_str(),
                std::string(bgp::reasonName(v.reason)).c_str());
  }
  bgp::FrrContext context{node, {}};
  const nlohmann::json passwords = input.value("passwords", nlohmann::json::object());
  for (const auto& [peer, password] : passwords.items()) {
    context.passwords[peer] = password.get<std::string>();
  }
  const bgp::FrrRendering rendering = bgp::renderFrrConfig(bgpConfig, plan, context);
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
