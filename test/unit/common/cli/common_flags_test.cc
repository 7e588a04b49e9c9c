// CommonFlags: the flags both daemons share, and the health server options they make.
#include "common/cli/common_flags.h"

#include <gtest/gtest.h>

namespace ironlb::cli {
namespace {

TEST(CommonFlagsTest, ParsedIntoTheSharedStruct) {
  CommonFlags f;
  FlagTable t;
  addCommonFlags(t, f);
  auto p = t.parse(
      {"--metrics-address=127.0.0.1:9000", "--probe-address=:0", "--metrics-insecure",
       "--tls-cert-file=/c.pem", "--tls-key-file=/k.pem", "--log-level=debug", "--log-format=json"},
      [](const std::string& name) -> std::optional<std::string> {
        if (name == "POD_NAMESPACE") return "lb";
        return std::nullopt;
      });
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(f.ns, "lb");
  EXPECT_EQ(f.logLevel, spdlog::level::debug);
  EXPECT_EQ(f.logFormat, util::LogFormat::kJson);
  const util::HealthServerOptions o = f.healthOptions("node-1", nullptr);
  EXPECT_EQ(o.bindAddress, "127.0.0.1");
  EXPECT_EQ(o.port, 9000);
  EXPECT_EQ(o.probeBindAddress, "0.0.0.0");
  EXPECT_EQ(o.probePort, 0);
  EXPECT_TRUE(o.insecure);
  EXPECT_EQ(o.tlsCertFile, "/c.pem");
  EXPECT_EQ(o.tlsKeyFile, "/k.pem");
  EXPECT_EQ(o.tlsCommonName, "node-1");
}

TEST(CommonFlagsTest, Defaults) {
  const CommonFlags f;
  EXPECT_EQ(f.ns, "metallb-system");
  EXPECT_EQ(f.metricsPort, 7472);
  EXPECT_EQ(f.probePort, 7473);
  EXPECT_FALSE(f.metricsInsecure);
  EXPECT_EQ(f.kubeApiQps, 1000);
  EXPECT_EQ(f.kubeApiBurst, 2000);
}

}  // namespace
}  // namespace ironlb::cli
