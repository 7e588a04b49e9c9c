// ControllerFlags: defaults, both flag forms, environment, precedence, errors.
#include "controller/daemon/flags.h"
#include "test/support/env_lookup.h"

#include <gtest/gtest.h>

#include <map>

namespace ironlb::controller {
namespace {

k8s::EnvLookup envOf(std::map<std::string, std::string> vars) {
  return testsupport::envFromMap(std::move(vars));
}

Result<ParsedFlags> parse(std::vector<std::string> args,
                          std::map<std::string, std::string> env = {}) {
  return parseFlags(args, envOf(std::move(env)), "host-1");
}

TEST(FlagsTest, Defaults) {
  auto p = parse({});
  ASSERT_TRUE(p.ok()) << p.error();
  const ControllerFlags& f = p->flags;
  EXPECT_EQ(f.kubeconfig, "");
  EXPECT_EQ(f.ns, "metallb-system");
  EXPECT_EQ(f.lbClass, "");
  EXPECT_EQ(f.metricsHost, "0.0.0.0");
  EXPECT_EQ(f.metricsPort, 7472);
  EXPECT_EQ(f.logLevel, spdlog::level::info);
  EXPECT_EQ(f.logFormat, util::LogFormat::kText);
  EXPECT_TRUE(f.leaderElect);
  EXPECT_EQ(f.leaseName, "ironlb-controller");
  EXPECT_EQ(f.leaseOwnerDeployment, "");
  EXPECT_EQ(f.identity, "host-1");
  // As many status writes in flight as the benchmark's plain client (32); the write pool starts
  // lower and backs off on 429.
  EXPECT_EQ(f.statusWriters, 32);
  EXPECT_FALSE(p->help.has_value());
}

TEST(FlagsTest, PodEnvironmentDefaults) {
  auto p = parse({}, {{"POD_NAMESPACE", "lb"}, {"POD_NAME", "ctl-abc"}});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->flags.ns, "lb");
  EXPECT_EQ(p->flags.identity, "ctl-abc");
}

TEST(FlagsTest, TheChartsArguments) {
  // config/helm/ironlb/templates/controller.yaml, as Kubernetes expands $(POD_NAME).
  auto p = parse({"--namespace=metallb-system", "--log-level=debug", "--log-format=json",
                  "--lb-class=example.com/lb", "--metrics-address=0.0.0.0:7472",
                  "--leader-elect=true", "--lease-name=ironlb-controller",
                  "--lease-owner-deployment=ironlb-controller", "--identity=ctl-1"});
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p->flags.leaseOwnerDeployment, "ironlb-controller");
  EXPECT_EQ(p->flags.logLevel, spdlog::level::debug);
  EXPECT_EQ(p->flags.logFormat, util::LogFormat::kJson);
  EXPECT_EQ(p->flags.lbClass, "example.com/lb");
  EXPECT_EQ(p->flags.identity, "ctl-1");
}

// docs/kubernetes-client.md, "Rate limit".
TEST(FlagsTest, KubeApiWriteRateLimit) {
  auto p = parse({});
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p->flags.kubeApiQps, 1000);
  EXPECT_EQ(p->flags.kubeApiBurst, 2000);
  p = parse({"--kube-api-qps=0", "--kube-api-burst", "10"});
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p->flags.kubeApiQps, 0) << "0 = no limit";
  EXPECT_EQ(p->flags.kubeApiBurst, 10);
  p = parse({"--kube-api-burst=lots"});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().find("--kube-api-burst=lots: expected a number"), std::string::npos)
      << p.error();
}

TEST(FlagsTest, SpaceSeparatedValuesAndBooleans) {
  auto p = parse({"--namespace", "x", "--leader-elect", "false", "--metrics-address", "[::1]:9000",
                  "--status-writers", "3"});
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p->flags.ns, "x");
  EXPECT_FALSE(p->flags.leaderElect);
  EXPECT_EQ(p->flags.metricsHost, "::1");
  EXPECT_EQ(p->flags.metricsPort, 9000);
  EXPECT_EQ(p->flags.statusWriters, 3);
  p = parse({"--leader-elect", "--namespace=y"});
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->flags.leaderElect) << "a bare boolean flag is true";
  EXPECT_EQ(p->flags.ns, "y");
}

TEST(FlagsTest, EnvironmentAndPrecedence) {
  auto p = parse({"--lb-class=flag"}, {{"IRONLB_LB_CLASS", "env"},
                                       {"IRONLB_METRICS_ADDRESS", "127.0.0.1:1"},
                                       {"IRONLB_LEADER_ELECT", "false"},
                                       {"IRONLB_NAMESPACE", "from-env"},
                                       {"POD_NAMESPACE", "pod"}});
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p->flags.lbClass, "flag") << "the flag wins";
  EXPECT_EQ(p->flags.metricsPort, 1);
  EXPECT_FALSE(p->flags.leaderElect);
  EXPECT_EQ(p->flags.ns, "from-env") << "IRONLB_NAMESPACE beats $POD_NAMESPACE";
}

TEST(FlagsTest, LeaseTiming) {
  auto p = parse({"--lease-duration=4s", "--renew-deadline=3s", "--retry-period=500ms"});
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p->flags.leaseTiming.leaseDuration, std::chrono::seconds(4));
  EXPECT_EQ(p->flags.leaseTiming.retryPeriod, std::chrono::milliseconds(500));
  EXPECT_FALSE(parse({"--lease-duration=2s", "--renew-deadline=3s"}).ok())
      << "renew deadline must be shorter than the lease";
}

TEST(FlagsTest, ReleaseHoldAndFaultInjection) {
  auto p = parse({});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->flags.releaseHold, std::chrono::minutes(5));
  EXPECT_EQ(p->flags.faultStatusWriteDelay, util::Duration::zero());
  p = parse({"--release-hold=0", "--fault-status-write-delay=700ms"});
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p->flags.releaseHold, util::Duration::zero());
  EXPECT_EQ(p->flags.faultStatusWriteDelay, std::chrono::milliseconds(700));
  p = parse({"--release-hold=90s"});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->flags.releaseHold, std::chrono::seconds(90));
  p = parse({"--release-hold=soon"});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().find("--release-hold=soon: expected a duration"), std::string::npos)
      << p.error();
}

TEST(FlagsTest, Errors) {
  struct Case {
    std::vector<std::string> args;
    const char* mentions;
  };
  const Case cases[] = {
      {{"--nope"}, "unknown flag --nope"},
      {{"stray"}, "unexpected argument"},
      {{"--namespace"}, "needs a value"},
      {{"--log-level=loud"}, "--log-level"},
      {{"--log-format=xml"}, "--log-format"},
      {{"--metrics-address=7472"}, "HOST:PORT"},
      {{"--metrics-address=:70000"}, "--metrics-address"},
      {{"--leader-elect=maybe"}, "true or false"},
      {{"--status-writers=0"}, "--status-writers"},
      {{"--retry-period=5"}, "duration"},
  };
  for (const Case& c : cases) {
    auto p = parse(c.args);
    ASSERT_FALSE(p.ok()) << c.args[0];
    EXPECT_NE(p.error().find(c.mentions), std::string::npos) << p.error();
  }
  auto badEnv = parse({}, {{"IRONLB_STATUS_WRITERS", "many"}});
  ASSERT_FALSE(badEnv.ok());
  EXPECT_NE(
      badEnv.error().find("IRONLB_STATUS_WRITERS=many (--status-writers): expected an integer"),
      std::string::npos)
      << badEnv.error();
}

TEST(FlagsTest, Help) {
  auto p = parse({"--namespace=x", "--help"});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->help, cli::HelpFormat::kText);
  p = parse({"--help-markdown"});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->help, cli::HelpFormat::kMarkdown);
  const std::string usage = usageText();
  for (const char* flag :
       {"--kubeconfig", "--namespace", "--lb-class", "--metrics-address", "--log-level",
        "--log-format", "--leader-elect", "--lease-name", "--identity", "--probe-address",
        "--metrics-insecure", "--tls-cert-file", "--tls-key-file"}) {
    EXPECT_NE(usage.find(flag), std::string::npos) << flag;
  }
}

// An empty value (a manifest's `value: ""`) leaves the default: docs/flags.md.
TEST(FlagsTest, EmptyValuesKeepTheDefault) {
  auto p = parse({"--namespace=", "--lease-name="}, {{"IRONLB_LOG_LEVEL", ""}});
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p->flags.ns, "metallb-system");
  EXPECT_EQ(p->flags.leaseName, "ironlb-controller");
  EXPECT_EQ(p->flags.logLevel, spdlog::level::info);
}

// One boolean convention for both daemons (docs/flags.md): yes/no, 1/0, and an empty value.
TEST(FlagsTest, BooleanSpellings) {
  for (const char* on : {"true", "1", "yes", ""}) {
    auto p = parse({}, {{"IRONLB_METRICS_INSECURE", on}});
    ASSERT_TRUE(p.ok()) << p.error();
    EXPECT_TRUE(p->flags.metricsInsecure) << on;
  }
  for (const char* off : {"false", "0", "no"}) {
    auto p = parse({std::string("--leader-elect=") + off});
    ASSERT_TRUE(p.ok()) << p.error();
    EXPECT_FALSE(p->flags.leaderElect) << off;
  }
}

// docs/metrics-endpoint.md: secure metrics by default, a plain probe listener, opt-in plain HTTP.
TEST(FlagsTest, MetricsSecurityAndProbeListener) {
  auto p = parse({});
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_FALSE(p->flags.metricsInsecure);
  EXPECT_EQ(p->flags.probeHost, "0.0.0.0");
  EXPECT_EQ(p->flags.probePort, 7473);
  p = parse({"--metrics-insecure", "--probe-address=[::1]:0", "--tls-cert-file", "/c.pem",
             "--tls-key-file=/k.pem"});
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_TRUE(p->flags.metricsInsecure);
  EXPECT_EQ(p->flags.probeHost, "::1");
  EXPECT_EQ(p->flags.probePort, 0);
  EXPECT_EQ(p->flags.tlsCertFile, "/c.pem");
  EXPECT_EQ(p->flags.tlsKeyFile, "/k.pem");
  p = parse({"--probe-address=7473"});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().find("--probe-address"), std::string::npos) << p.error();
}

}  // namespace
}  // namespace ironlb::controller
