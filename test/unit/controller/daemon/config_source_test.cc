// buildConfig: informer JSON -> lbconfig, decode failures make the whole configuration invalid.
#include "controller/daemon/config_source.h"

#include <gtest/gtest.h>

namespace ironlb::controller {
namespace {

using nlohmann::json;

json pool(const std::string& name, json addresses) {
  return {{"metadata", {{"name", name}, {"namespace", "lb"}, {"resourceVersion", "1"}}},
          {"spec", {{"addresses", addresses}}}};
}

TEST(ConfigSourceTest, BuildsFromStores) {
  k8s::ObjectStore pools;
  k8s::ObjectStore ads;
  pools.apply(k8s::WatchEventType::kAdded, pool("a", {"192.0.2.0/28"}));
  ads.apply(k8s::WatchEventType::kAdded,
            {{"metadata", {{"name", "all"}, {"namespace", "lb"}, {"resourceVersion", "1"}}},
             {"spec", json::object()}});
  auto r = buildConfig({.pools = &pools, .l2Advertisements = &ads}, "lb");
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r.config->pool("a"), nullptr);
  EXPECT_TRUE(r.config->isAdvertised("a"));
}

json deleting(json object) {
  object["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  object["metadata"]["finalizers"] = {"ironlb.io/pool-protection"};
  return object;
}

TEST(ConfigSourceTest, DeletingPoolsServeTheirHoldersUnlessALivePoolTookTheirAddresses) {
  // docs/allocation.md: a deleting pool is out of the configuration; it is handed to the
  // allocator as deleting unless a live pool (a renamed copy) or an earlier deleting one holds
  // its addresses.
  k8s::ObjectStore pools;
  k8s::ObjectStore ads;
  pools.apply(k8s::WatchEventType::kAdded, deleting(pool("a-old", {"192.0.2.0/28"})));
  pools.apply(k8s::WatchEventType::kAdded, pool("b-new", {"192.0.2.0/28"}));  // a renamed
  pools.apply(k8s::WatchEventType::kAdded, deleting(pool("c", {"198.51.100.0/28"})));
  pools.apply(k8s::WatchEventType::kAdded, deleting(pool("d", {"198.51.100.8/29"})));  // in c
  std::vector<lbconfig::Pool> going;
  auto r = buildConfig({.pools = &pools, .l2Advertisements = &ads}, "lb", &going);
  ASSERT_TRUE(r.ok()) << "the overlap with a deleting pool is no configuration error";
  EXPECT_NE(r.config->pool("b-new"), nullptr);
  EXPECT_EQ(r.config->pool("a-old"), nullptr);
  EXPECT_EQ(r.config->pool("c"), nullptr);
  ASSERT_EQ(going.size(), 1u);
  EXPECT_EQ(going[0].name, "c");
  EXPECT_TRUE(going[0].deleting);
}

TEST(ConfigSourceTest, ErrorsNameTheObject) {
  k8s::ObjectStore pools;
  k8s::ObjectStore ads;
  pools.apply(k8s::WatchEventType::kAdded, pool("a", {"192.0.2.0/28"}));
  pools.apply(k8s::WatchEventType::kAdded, pool("b", {"192.0.2.8/29"}));  // overlaps a
  pools.apply(k8s::WatchEventType::kAdded, pool("c", "not-a-list"));      // does not decode
  auto r = buildConfig({.pools = &pools, .l2Advertisements = &ads}, "lb");
  EXPECT_FALSE(r.ok());
  ASSERT_GE(r.errors.size(), 2u);
  bool overlap = false;
  bool undecodable = false;
  for (const auto& e : r.errors) {
    overlap |= e.name == "b" || (e.name == "a" && e.message.find("overlap") != std::string::npos);
    undecodable |= e.name == "c" && e.kind == "IPAddressPool";
  }
  EXPECT_TRUE(overlap);
  EXPECT_TRUE(undecodable);
}

}  // namespace
}  // namespace ironlb::controller
