#include "speaker/announcer/ownership_table.h"

#include <gtest/gtest.h>

namespace ironlb::announcer {
namespace {

net::IpAddress ip(const char* text) {
  return net::IpAddress::parse(text).value();
}

TEST(OwnershipTable, AnswersOwnedWrongInterfaceNotOwned) {
  CounterStore store;
  OwnershipTable table;
  table.rebuild({{2, ip("192.0.2.100"), &store.ip(2, ip("192.0.2.100"))},
                 {3, ip("2001:db8::100"), &store.ip(3, ip("2001:db8::100"))}});
  IpCounters* c = nullptr;
  EXPECT_EQ(table.lookup(2, ip("192.0.2.100"), &c), OwnershipTable::Answer::kOwned);
  EXPECT_EQ(c, &store.ip(2, ip("192.0.2.100")));
  EXPECT_EQ(table.lookup(3, ip("192.0.2.100"), &c), OwnershipTable::Answer::kWrongInterface);
  EXPECT_EQ(table.lookup(2, ip("192.0.2.101"), &c), OwnershipTable::Answer::kNotOwned);
  // Same numeric value, other family: not owned.
  EXPECT_EQ(
      table.lookup(
          3, net::IpAddress::fromValue(net::Family::kV4, ip("2001:db8::100").value() & 0xffffffff),
          &c),
      OwnershipTable::Answer::kNotOwned);
  EXPECT_EQ(table.size(), 2u);
}

TEST(OwnershipTable, EmptyAndRebuilt) {
  OwnershipTable table;
  EXPECT_FALSE(table.owns(2, ip("192.0.2.1")));
  CounterStore store;
  std::vector<Ownership> entries;
  for (uint32_t i = 0; i < 1000; ++i) {
    auto a = net::IpAddress::v4(0xc0000200u + (i % 256));
    entries.push_back(
        {static_cast<int>(1 + i / 256), a, &store.ip(static_cast<int>(1 + i / 256), a)});
  }
  table.rebuild(entries);
  EXPECT_EQ(table.size(), 1000u);
  for (const auto& e : entries)
    EXPECT_TRUE(table.owns(e.ifindex, e.ip));
  EXPECT_FALSE(table.owns(9, entries[0].ip));
  table.rebuild({});
  EXPECT_FALSE(table.owns(entries[0].ifindex, entries[0].ip));
  EXPECT_EQ(table.size(), 0u);
}

}  // namespace
}  // namespace ironlb::announcer
