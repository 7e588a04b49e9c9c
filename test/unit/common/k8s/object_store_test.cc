#include "common/k8s/object_store.h"

#include <gtest/gtest.h>

namespace ironlb::k8s {
namespace {

Json obj(const std::string& ns, const std::string& name, const std::string& rv) {
  Json m = {{"name", name}, {"resourceVersion", rv}};
  if (!ns.empty()) m["namespace"] = ns;
  return Json{{"metadata", m}};
}

TEST(ObjectStoreTest, AppliesEventsAsChangesAgainstTheStore) {
  ObjectStore s;
  auto d = s.apply(WatchEventType::kAdded, obj("a", "x", "1"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, StoreDelta::Kind::kAdd);
  EXPECT_EQ(d->key, "a/x");
  d = s.apply(WatchEventType::kModified, obj("a", "x", "2"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, StoreDelta::Kind::kUpdate);
  EXPECT_EQ(d->old["metadata"]["resourceVersion"], "1");
  EXPECT_EQ((*s.get("a/x"))["metadata"]["resourceVersion"], "2");
  // A replay of the same version changes nothing.
  EXPECT_FALSE(s.apply(WatchEventType::kModified, obj("a", "x", "2")));
  // ADDED of a known key is an update; MODIFIED of an unknown key is an add.
  d = s.apply(WatchEventType::kAdded, obj("a", "x", "3"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, StoreDelta::Kind::kUpdate);
  d = s.apply(WatchEventType::kModified, obj("", "node1", "4"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, StoreDelta::Kind::kAdd);
  EXPECT_EQ(d->key, "node1");
  d = s.apply(WatchEventType::kDeleted, obj("a", "x", "5"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, StoreDelta::Kind::kDelete);
  EXPECT_EQ(d->old["metadata"]["resourceVersion"], "3") << "delete carries what we knew";
  EXPECT_EQ(s.get("a/x"), nullptr);
  EXPECT_FALSE(s.apply(WatchEventType::kDeleted, obj("a", "x", "6")));
  EXPECT_FALSE(s.apply(WatchEventType::kBookmark, obj("", "", "7")));
  EXPECT_FALSE(s.apply(WatchEventType::kAdded, Json{{"metadata", {{"resourceVersion", "8"}}}}));
  EXPECT_EQ(s.size(), 1u);
}

TEST(ObjectStoreTest, ReplaceEmitsTheDifference) {
  ObjectStore s;
  s.replace({obj("a", "keep", "1"), obj("a", "change", "1"), obj("a", "gone", "1")});
  std::vector<Json> relist = {obj("a", "keep", "1"), obj("a", "change", "9"), obj("a", "new", "9")};
  const auto deltas = s.replace(relist);
  std::map<std::string, StoreDelta::Kind> got;
  for (const auto& d : deltas)
    got[d.key] = d.kind;
  const std::map<std::string, StoreDelta::Kind> want = {{"a/change", StoreDelta::Kind::kUpdate},
                                                        {"a/new", StoreDelta::Kind::kAdd},
                                                        {"a/gone", StoreDelta::Kind::kDelete}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(s.get("a/gone"), nullptr);
  for (const auto& d : deltas) {
    if (d.kind == StoreDelta::Kind::kDelete) {
      EXPECT_EQ(d.old["metadata"]["name"], "gone");
    }
  }
}

TEST(ObjectStoreTest, ReplaceOfIdenticalListIsSilent) {
  ObjectStore s;
  s.replace({obj("a", "x", "1")});
  EXPECT_TRUE(s.replace({obj("a", "x", "1")}).empty());
}

}  // namespace
}  // namespace ironlb::k8s
