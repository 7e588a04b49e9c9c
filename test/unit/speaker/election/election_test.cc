#include "speaker/election/election.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

namespace ironlb::election {
namespace {

// Digests computed independently with: printf '%s' '<node>#<ip>' | sha256sum
struct Vector {
  const char* node;
  const char* ip;
  const char* sha256;
};
constexpr Vector kVectors[] = {
    {"node-a", "192.0.2.1", "9028b03eebd9c50f45e3cb24b507db170990cd5f206b44ba22be4e1dc2acad0a"},
    {"node-b", "192.0.2.1", "fbbfaaba2b58d26b076a64fae458676a5ce2415345e17448dc1372240a0b4002"},
    {"node-c", "192.0.2.1", "22e614dd15c80d920cc5a45f133d369185bf386900ff66db85b9fd71bcb09f9f"},
    {"node-a", "2001:db8::1", "3c9f88a7e2ef52a1c015be314124ea3ab99785b842ce9ee37afdf6470837efbe"},
    {"node-b", "2001:db8::1", "1aee61dde2bd8a0c8b0177a52ced9e0a52e8108284e6e3f14220d9f9d98cbc2e"},
    {"node-c", "2001:db8::1", "bb833059784d34c0c3dfacf003bec741b65be19b7102e7316af458b26d6ed31a"},
    {"worker-1", "198.51.100.7",
     "56c59b6b2eaa07539b13564e78453edc24051cf7f2729057329e1a3dd8f4656f"},
    {"kind-worker2", "203.0.113.10",
     "0a2a165c8cebc999619ba773703c702f0840d701ded6e27b3f4597509fb363b1"},
};

std::string hex(const Score& s) {
  std::string out;
  char buf[3];
  for (uint8_t b : s) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    out += buf;
  }
  return out;
}

TEST(ElectionTest, ScoreMatchesIndependentSha256) {
  for (const auto& v : kVectors) {
    EXPECT_EQ(hex(score(v.node, v.ip)), v.sha256) << v.node << "#" << v.ip;
  }
}

struct WinnerCase {
  std::vector<std::string> candidates;
  const char* ip;  // parsed, so non-canonical input checks that the canonical text is hashed
  std::vector<std::string> ranked;
};

TEST(ElectionTest, WinnerAndRankFollowSmallestDigest) {
  // Expected orders read off the sha256sum digests of "<node>#<canonical ip>".
  const WinnerCase cases[] = {
      {{"node-a", "node-b", "node-c"}, "192.0.2.1", {"node-c", "node-a", "node-b"}},
      {{"node-b", "node-a"}, "192.0.2.1", {"node-a", "node-b"}},
      {{"node-a", "node-b", "node-c"}, "2001:db8::1", {"node-b", "node-a", "node-c"}},
      {{"node-c", "node-b", "node-a"}, "2001:DB8:0::1", {"node-b", "node-a", "node-c"}},
      // 2001:db8::192.0.2.1 is canonically 2001:db8::c000:201 (a 59.., b a7.., c f9..).
      {{"node-c", "node-b", "node-a"}, "2001:db8::192.0.2.1", {"node-a", "node-b", "node-c"}},
      {{"worker-3", "worker-2", "worker-1"}, "198.51.100.7", {"worker-1", "worker-3", "worker-2"}},
      {{"kind-control-plane", "kind-worker", "kind-worker2"},
       "203.0.113.10",
       {"kind-worker2", "kind-control-plane", "kind-worker"}},
      {{"node-b"}, "192.0.2.1", {"node-b"}},
  };
  for (const auto& c : cases) {
    auto ip = net::IpAddress::parse(c.ip);
    ASSERT_TRUE(ip.ok()) << c.ip;
    EXPECT_EQ(rank(c.candidates, *ip), c.ranked) << c.ip;
    auto w = winner(c.candidates, *ip);
    ASSERT_TRUE(w.has_value()) << c.ip;
    EXPECT_EQ(*w, c.ranked.front()) << c.ip;
  }
}

TEST(ElectionTest, NoCandidatesNoWinner) {
  auto ip = net::IpAddress::parse("192.0.2.1");
  ASSERT_TRUE(ip.ok());
  EXPECT_FALSE(winner({}, *ip).has_value());
  EXPECT_TRUE(rank({}, *ip).empty());
}

TEST(ElectionTest, RemovingALoserKeepsTheWinner) {
  auto ip = net::IpAddress::parse("192.0.2.1");
  ASSERT_TRUE(ip.ok());
  const std::vector<std::string> all = {"node-a", "node-b", "node-c"};
  const std::vector<std::string> withoutA = {"node-b", "node-c"};
  const std::vector<std::string> withoutC = {"node-a", "node-b"};
  EXPECT_EQ(winner(withoutA, *ip), winner(all, *ip));
  // Removing the winner hands the IP to the runner-up of the full ranking.
  EXPECT_EQ(winner(withoutC, *ip), rank(all, *ip)[1]);
}

TEST(ElectionTest, DuplicateNamesTieDeterministically) {
  auto ip = net::IpAddress::parse("192.0.2.1");
  ASSERT_TRUE(ip.ok());
  const std::vector<std::string> dup = {"node-b", "node-b", "node-a"};
  EXPECT_EQ(rank(dup, *ip), (std::vector<std::string>{"node-a", "node-b", "node-b"}));
}

}  // namespace
}  // namespace ironlb::election
