#include "speaker/daemon/host_probe.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace ironlb::speaker {
namespace {

TEST(HostProbe, ReadsAddressesAndArpIgnore) {
  const auto root =
      std::filesystem::temp_directory_path() / ("host_probe_test_" + std::to_string(::getpid()));
  const auto conf = root / "sys/net/ipv4/conf";
  std::filesystem::create_directories(conf / "all");
  std::filesystem::create_directories(conf / "eth0");
  std::ofstream(conf / "all/arp_ignore") << "1\n";
  std::ofstream(conf / "eth0/arp_ignore") << "2\n";
  auto state = probeHostNetwork({"eth0", "eth9", "../etc"}, root.string());
  std::filesystem::remove_all(root);
  ASSERT_TRUE(state.ok()) << state.error();
  EXPECT_EQ(state->allArpIgnore, 1);
  EXPECT_EQ(state->arpIgnore.at("eth0"), 2);
  EXPECT_EQ(state->arpIgnore.at("eth9"), 0);        // missing file: the kernel default
  EXPECT_EQ(state->arpIgnore.count("../etc"), 0u);  // not a name: never read
  // Every host has a loopback address.
  bool loopback = false;
  for (const auto& a : state->addresses)
    loopback = loopback || a.ip == net::IpAddress::parse("127.0.0.1").value();
  EXPECT_TRUE(loopback);
}

}  // namespace
}  // namespace ironlb::speaker
