#include "speaker/daemon/flags.h"

#include <gtest/gtest.h>

#include <map>

#include "test/support/env_lookup.h"

namespace ironlb::speaker {
namespace {

k8s::EnvLookup envOf(std::map<std::string, std::string> vars) {
  return testsupport::envFromMap(std::move(vars));
}

// The parsed flags; help requests are checked through parseFlags itself.
Result<SpeakerFlags> parse(std::vector<std::string> args, std::map<std::string, std::string> env) {
  auto p = parseFlags(args, envOf(std::move(env)));
  if (!p) return makeError(p.error());
  return p->flags;
}

const std::map<std::string, std::string> kPod = {{"NODE_NAME", "worker-1"},
                                                 {"NODE_IP", "192.0.2.7"},
                                                 {"POD_NAMESPACE", "lb"},
                                                 {"IRONLB_MEMBERLIST_KEY", "0123456789abcdef"}};

TEST(SpeakerFlags, DownwardApiDefaults) {
  auto f = parse({}, kPod);
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_EQ(f->nodeName, "worker-1");
  EXPECT_EQ(f->memberlistAddress.toString(), "192.0.2.7");
  EXPECT_EQ(f->memberlistPort, 7946);
  EXPECT_EQ(f->ns, "lb");
  EXPECT_EQ(f->memberlistKey, "0123456789abcdef");
  EXPECT_EQ(f->metricsHost, "0.0.0.0");
  EXPECT_EQ(f->metricsPort, 7472);
  EXPECT_EQ(f->lbClass, "");
  EXPECT_TRUE(f->excludeInterfaces.empty());
  EXPECT_FALSE(f->ignoreExcludeLb);
  EXPECT_FALSE(f->memberlistRequireSealed);
}

TEST(SpeakerFlags, PodIdentityFromTheDownwardApiOrFlags) {
  auto env = kPod;
  env["POD_NAME"] = "ironlb-speaker-x1";
  env["POD_UID"] = "0b7f6c1e-uid";
  auto f = parse({}, env);
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_EQ(f->podName, "ironlb-speaker-x1");
  EXPECT_EQ(f->podUid, "0b7f6c1e-uid");
  f = parse({"--pod-name=p", "--pod-uid=u"}, env);
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_EQ(f->podName, "p");
  EXPECT_EQ(f->podUid, "u");
  f = parse({}, kPod);  // outside a pod: no owner
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_TRUE(f->podName.empty() && f->podUid.empty());
  f = parse({"--pod-name=p"}, kPod);  // an owner reference needs both
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().find("--pod-name and --pod-uid"), std::string::npos) << f.error();
}

TEST(SpeakerFlags, FlagsWinOverEnvironment) {
  auto f = parse({"--node-name=n2", "--memberlist-address", "2001:db8::2", "--memberlist-port=7000",
                  "--memberlist-key-file=/etc/key", "--metrics-address=[::1]:9000",
                  "--exclude-interfaces=^eth9$,^wg", "--ignore-exclude-lb", "--lb-class=x/y",
                  "--namespace=ns2", "--log-level=debug", "--log-format=json",
                  "--memberlist-require-sealed=true"},
                 kPod);
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_TRUE(f->memberlistRequireSealed);
  EXPECT_EQ(f->nodeName, "n2");
  EXPECT_EQ(f->memberlistAddress.toString(), "2001:db8::2");
  EXPECT_EQ(f->memberlistPort, 7000);
  EXPECT_EQ(f->memberlistKeyFile, "/etc/key");
  EXPECT_EQ(f->memberlistKey, "");  // the file wins
  EXPECT_EQ(f->metricsHost, "::1");
  EXPECT_EQ(f->metricsPort, 9000);
  EXPECT_EQ(f->excludeInterfaces, (std::vector<std::string>{"^eth9$", "^wg"}));
  EXPECT_TRUE(f->ignoreExcludeLb);
  EXPECT_EQ(f->lbClass, "x/y");
  EXPECT_EQ(f->ns, "ns2");
  EXPECT_EQ(f->logLevel, spdlog::level::debug);
  EXPECT_EQ(f->logFormat, util::LogFormat::kJson);
}

TEST(SpeakerFlags, EveryFlagFromItsEnvVar) {
  auto env = kPod;
  env["IRONLB_NODE_NAME"] = "n3";
  env["IRONLB_IGNORE_EXCLUDE_LB"] = "false";
  env["IRONLB_MEMBERLIST_PORT"] = "8000";
  env["IRONLB_LB_CLASS"] = "c";
  auto f = parse({}, env);
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_EQ(f->nodeName, "n3");
  EXPECT_EQ(f->memberlistPort, 8000);
  EXPECT_EQ(f->lbClass, "c");
  EXPECT_FALSE(f->ignoreExcludeLb);
}

// docs/kubernetes-client.md, "Rate limit".
TEST(SpeakerFlags, KubeApiWriteRateLimit) {
  auto f = parse({}, kPod);
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_EQ(f->kubeApiQps, 1000);
  EXPECT_EQ(f->kubeApiBurst, 2000);
  auto env = kPod;
  env["IRONLB_KUBE_API_BURST"] = "50";
  f = parse({"--kube-api-qps=0"}, env);
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_EQ(f->kubeApiQps, 0) << "0 = no limit";
  EXPECT_EQ(f->kubeApiBurst, 50);
  f = parse({"--kube-api-qps=-3"}, kPod);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().find("--kube-api-qps=-3: expected a number"), std::string::npos) << f.error();
}

TEST(SpeakerFlags, ErrorsNameTheFlag) {
  const struct {
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    std::string error;
  } cases[] = {
      {{},
       {{"NODE_IP", "192.0.2.1"}, {"IRONLB_MEMBERLIST_KEY", "k"}},
       "--node-name is required (or env NODE_NAME)"},
      {{},
       {{"NODE_NAME", "n"}, {"IRONLB_MEMBERLIST_KEY", "k"}},
       "--memberlist-address is required (or env NODE_IP)"},
      {{"--memberlist-address=node-1"}, kPod, "--memberlist-address=node-1: "},
      {{"--memberlist-port=70000"},
       kPod,
       "--memberlist-port=70000: expected a port number 0-65535"},
      {{"--memberlist-port=0"}, kPod, "--memberlist-port=0: every speaker must use one fixed port"},
      {{"--metrics-address=7472"}, kPod, "--metrics-address=7472: expected HOST:PORT"},
      {{"--ignore-exclude-lb=maybe"}, kPod, "--ignore-exclude-lb=maybe: expected true or false"},
      {{"--frobnicate=1"}, kPod, "unknown flag --frobnicate"},
      {{"stray"}, kPod, "unexpected argument \"stray\""},
      {{"--node-name"}, kPod, "flag --node-name needs a value"},
      {{"--log-level=loud"}, kPod, "--log-level=loud: "},
      {{},
       {{"NODE_NAME", "n"}, {"NODE_IP", "node-1"}, {"IRONLB_MEMBERLIST_KEY", "k"}},
       "NODE_IP=node-1 (--memberlist-address): "},
      {{}, {{"NODE_NAME", "n"}, {"NODE_IP", "192.0.2.1"}}, "no membership key: "},
  };
  for (const auto& c : cases) {
    auto f = parse(c.args, c.env);
    ASSERT_FALSE(f.ok()) << c.error;
    EXPECT_EQ(f.error().substr(0, c.error.size()), c.error);
  }
}

TEST(SpeakerFlags, Help) {
  auto p = parseFlags({"--help"}, envOf({}));
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p->help, cli::HelpFormat::kText) << "no node name needed to ask for help";
  p = parseFlags({"--help-markdown"}, envOf({}));
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p->help, cli::HelpFormat::kMarkdown);
  const std::string usage = usageText();
  for (const char* flag :
       {"--kubeconfig", "--namespace", "--memberlist-key-file=PATH", "--memberlist-require-sealed",
        "--exclude-interfaces=RE,...", "--kube-api-burst=N"}) {
    EXPECT_NE(usage.find(flag), std::string::npos) << flag;
  }
  EXPECT_NE(usageText(cli::HelpFormat::kMarkdown).find("## ironlb-speaker only"),
            std::string::npos);
}

// Booleans as the controller always took them (docs/flags.md): yes/no too, and bare flags
// before another flag or a value.
TEST(SpeakerFlags, BooleanSpellings) {
  auto env = kPod;
  env["IRONLB_IGNORE_EXCLUDE_LB"] = "yes";
  auto f = parse({"--memberlist-require-sealed", "--metrics-insecure", "no"}, env);
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_TRUE(f->ignoreExcludeLb);
  EXPECT_TRUE(f->memberlistRequireSealed) << "a bare boolean before another flag is true";
  EXPECT_FALSE(f->metricsInsecure);
  env["IRONLB_IGNORE_EXCLUDE_LB"] = "";
  f = parse({}, env);
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_TRUE(f->ignoreExcludeLb) << "an empty boolean is true, as before";
}

// docs/metrics-endpoint.md: secure metrics by default, a plain probe listener, opt-in plain HTTP.
TEST(SpeakerFlags, MetricsSecurityAndProbeListener) {
  auto f = parse({}, kPod);
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_FALSE(f->metricsInsecure);
  EXPECT_EQ(f->probeHost, "0.0.0.0");
  EXPECT_EQ(f->probePort, 7473);
  EXPECT_EQ(f->tlsCertFile, "");
  f = parse({"--metrics-insecure", "--probe-address=127.0.0.1:0", "--tls-cert-file=/c.pem",
             "--tls-key-file=/k.pem"},
            kPod);
  ASSERT_TRUE(f.ok()) << f.error();
  EXPECT_TRUE(f->metricsInsecure);
  EXPECT_EQ(f->probeHost, "127.0.0.1");
  EXPECT_EQ(f->probePort, 0);
  EXPECT_EQ(f->tlsCertFile, "/c.pem");
  EXPECT_EQ(f->tlsKeyFile, "/k.pem");
  f = parse({"--probe-address=7473"}, kPod);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().find("--probe-address=7473: expected HOST:PORT"), std::string::npos)
      << f.error();
  f = parse({"--metrics-insecure=maybe"}, kPod);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().find("--metrics-insecure=maybe"), std::string::npos) << f.error();
}

}  // namespace
}  // namespace ironlb::speaker
