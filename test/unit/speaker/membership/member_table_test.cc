#include "speaker/membership/member_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "speaker/membership/crypto.h"

namespace ironlb::membership {
namespace {

Endpoint ep(const char* ip, uint16_t port = 7946) {
  return Endpoint{*net::IpAddress::parse(ip), port};
}

std::vector<MemberSpec> specs(std::initializer_list<const char*> names) {
  std::vector<MemberSpec> out;
  int i = 1;
  for (const char* n : names) {
    out.push_back(MemberSpec{n, ep(("192.0.2." + std::to_string(i++)).c_str())});
  }
  return out;
}

TEST(SupersedesTest, IncarnationFirstThenStatusPrecedence) {
  using S = MemberStatus;
  struct Case {
    uint64_t inc;
    S s;
    uint64_t curInc;
    S cur;
    bool want;
  };
  const Case cases[] = {
      {2, S::kAlive, 1, S::kDead, true},       // refutation
      {1, S::kAlive, 1, S::kDead, false},      // a dead incarnation stays dead
      {1, S::kDead, 1, S::kAlive, true},       // death at the known incarnation
      {1, S::kDead, 2, S::kAlive, false},      // stale death claim
      {1, S::kLeft, 1, S::kDead, true},        // goodbye is more informative than death
      {1, S::kWithdrawn, 1, S::kAlive, true},  // (never issued at one incarnation, but ordered)
      {1, S::kAlive, 1, S::kAlive, false},     // nothing new
      {1, S::kAlive, 0, S::kUnknown, true},    // first news
  };
  for (const auto& c : cases) {
    EXPECT_EQ(supersedes(c.inc, c.s, c.curInc, c.cur), c.want)
        << c.inc << statusName(c.s) << " vs " << c.curInc << statusName(c.cur);
  }
}

TEST(MemberTableTest, ValidateNamesEndpointsAndDuplicates) {
  MemberTable t(MemberSpec{"node-a", ep("192.0.2.1")}, 5);
  struct Case {
    const char* name;
    std::vector<MemberSpec> list;
    const char* error;
  };
  const Case cases[] = {
      {"ok", specs({"node-a", "node-b"}), nullptr},
      {"without self", specs({"node-b", "node-c"}), nullptr},
      {"empty name", specs({"node-b", ""}), "name must be"},
      {"too long", {MemberSpec{std::string(254, 'x'), ep("192.0.2.9")}}, "name must be"},
      {"duplicate", specs({"node-b", "node-b"}), "listed twice"},
      {"port 0", {MemberSpec{"node-b", ep("192.0.2.2", 0)}}, "port 0"},
  };
  for (const auto& c : cases) {
    Status s = t.validate(c.list);
    if (c.error == nullptr) {
      EXPECT_TRUE(s.ok()) << c.name << ": " << (s.ok() ? "" : s.error());
    } else {
      ASSERT_FALSE(s.ok()) << c.name;
      EXPECT_NE(s.error().find(c.error), std::string::npos) << c.name << ": " << s.error();
    }
  }
}

TEST(MemberTableTest, ReplaceKeepsStateOfStayingMembersAndReportsChanges) {
  MemberTable t(MemberSpec{"node-a", ep("192.0.2.1")}, 5);
  t.replace(specs({"node-a", "node-b", "node-c"}));
  MemberEntry* b = t.find(memberIdOf("node-b"));
  ASSERT_NE(b, nullptr);
  t.set(*b, 9, MemberStatus::kWithdrawn);
  const auto change = t.replace(specs({"node-b", "node-d"}));
  EXPECT_EQ(change.added, std::vector<std::string>{"node-d"});
  EXPECT_EQ(change.removed, std::vector<std::string>{"node-c"});
  EXPECT_EQ(t.size(), 3u);  // self stays even when not listed
  b = t.find(memberIdOf("node-b"));
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->incarnation, 9u);
  EXPECT_EQ(b->status, MemberStatus::kWithdrawn);
  EXPECT_EQ(t.find(memberIdOf("node-c")), nullptr);
  EXPECT_EQ(t.self().name, "node-a");
  EXPECT_EQ(t.self().incarnation, 5u);
  EXPECT_EQ(t.unknownCount(), 1u);     // node-d
  EXPECT_EQ(t.reachableOthers(), 1u);  // node-b (withdrawn members are still monitored)
}

TEST(MemberTableTest, DigestDependsOnViewNotOnHistory) {
  MemberTable x(MemberSpec{"node-a", ep("192.0.2.1")}, 5);
  MemberTable y(MemberSpec{"node-b", ep("192.0.2.2")}, 7);
  x.replace(specs({"node-a", "node-b", "node-c"}));
  y.replace(specs({"node-c", "node-a", "node-b"}));
  EXPECT_NE(x.digest(), y.digest());
  // Bring both to the same view by different paths.
  x.set(*x.find(memberIdOf("node-b")), 7, MemberStatus::kAlive);
  x.set(*x.find(memberIdOf("node-c")), 3, MemberStatus::kAlive);
  x.set(*x.find(memberIdOf("node-c")), 3, MemberStatus::kDead);
  y.set(*y.find(memberIdOf("node-c")), 3, MemberStatus::kDead);
  y.set(*y.find(memberIdOf("node-a")), 4, MemberStatus::kAlive);
  y.set(*y.find(memberIdOf("node-a")), 5, MemberStatus::kAlive);
  EXPECT_EQ(x.digest(), y.digest());
  // Left and dead are the same view for the digest (a leave relayed by others counts as a
  // death, docs/membership.md); any other difference shows.
  x.set(*x.find(memberIdOf("node-c")), 3, MemberStatus::kLeft);
  EXPECT_EQ(x.digest(), y.digest());
  x.set(*x.find(memberIdOf("node-c")), 4, MemberStatus::kAlive);
  EXPECT_NE(x.digest(), y.digest());
}

TEST(MemberTableTest, WalkVisitsRingNeighboursInIdOrder) {
  MemberTable t(MemberSpec{"node-a", ep("192.0.2.1")}, 1);
  t.replace(specs({"node-a", "node-b", "node-c", "node-d", "node-e"}));
  std::vector<MemberId> ids;
  for (const auto& e : t.entries())
    ids.push_back(e.id);
  std::sort(ids.begin(), ids.end());
  const auto self = std::find(ids.begin(), ids.end(), t.self().id) - ids.begin();
  std::vector<MemberId> forward;
  std::vector<MemberId> backward;
  t.walk(t.self().id, true, [&](const MemberEntry& e) {
    forward.push_back(e.id);
    return true;
  });
  t.walk(t.self().id, false, [&](const MemberEntry& e) {
    backward.push_back(e.id);
    return backward.size() < 2;
  });
  ASSERT_EQ(forward.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(forward[i], ids[(static_cast<std::size_t>(self) + 1 + i) % 5]);
  }
  ASSERT_EQ(backward.size(), 2u);
  EXPECT_EQ(backward[0], ids[(static_cast<std::size_t>(self) + 4) % 5]);
  EXPECT_EQ(backward[1], ids[(static_cast<std::size_t>(self) + 3) % 5]);
}

}  // namespace
}  // namespace ironlb::membership
