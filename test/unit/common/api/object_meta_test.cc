#include "common/api/object_meta_json.h"

#include <gtest/gtest.h>

namespace ironlb::api {
namespace {

using nlohmann::json;

struct Thing {
  ObjectMeta meta;
  std::string value;
};

Result<Thing> decodeThing(const json& j) {
  return decodeObject<Thing>(j, "Thing", [](JsonReader& r, const Field& root, Thing& out) {
    r.read(root["value"], out.value);
  });
}

TEST(ObjectNameTest, NamesObjectsTheWayErrorsDo) {
  EXPECT_EQ(objectName("IPAddressPool", "metallb-system", "first-pool"),
            "IPAddressPool metallb-system/first-pool");
  EXPECT_EQ(objectName("Node", "", "worker-1"), "Node worker-1");
  EXPECT_EQ(objectName("Service", "default", ""), "Service");
}

TEST(ObjectMetaTest, DecodesEveryFieldAndIgnoresUnknownOnes) {
  const json j = json::parse(R"({
    "metadata": {
      "name": "web", "namespace": "default", "uid": "6c8f0a4e-1f4b-4a37-9d5e-0e2d3c1b2a19",
      "resourceVersion": "12345", "generation": 3,
      "labels": {"app": "web"}, "annotations": {"metallb.io/address-pool": "first"},
      "deletionTimestamp": "2024-05-01T10:00:00Z", "deletionGracePeriodSeconds": 0,
      "creationTimestamp": "2024-05-01T09:00:00Z", "finalizers": ["x"],
      "managedFields": [{"manager": "kubectl", "operation": "Update"}]
    },
    "value": "v", "somethingNew": {"a": [1, 2, 3]}
  })");
  auto r = decodeThing(j);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->meta.name, "web");
  EXPECT_EQ(r->meta.ns, "default");
  EXPECT_EQ(r->meta.uid, "6c8f0a4e-1f4b-4a37-9d5e-0e2d3c1b2a19");
  EXPECT_EQ(r->meta.resourceVersion, "12345");
  EXPECT_EQ(r->meta.generation, 3);
  EXPECT_EQ(r->meta.labels, (StringMap{{"app", "web"}}));
  EXPECT_EQ(r->meta.annotations.at("metallb.io/address-pool"), "first");
  EXPECT_TRUE(r->meta.deleting());
  EXPECT_EQ(r->meta.creationTimestamp, "2024-05-01T09:00:00Z");
  EXPECT_EQ(r->value, "v");
}

TEST(ObjectMetaTest, FrameErrorsNameTheObject) {
  const struct {
    const char* json;
    const char* error;
  } cases[] = {
      {"[]", "Thing: (object): expected an object, got a list []"},
      {"null", "Thing: (object): expected an object, got null"},
      {R"({"kind": "Other", "metadata": {"name": "a"}})",
       "Thing a: kind: expected \"Thing\", got \"Other\""},
      {R"({"kind": 5})", "Thing: kind: expected a string, got 5"},
      {R"({"metadata": "x"})", "Thing: metadata: expected an object, got \"x\""},
      {R"({"metadata": {"name": 7, "namespace": "ns"}, "value": 1})",
       "Thing: metadata.name: expected a string, got 7; value: expected a string, got 1"},
      {R"({"metadata": {"name": "a", "namespace": "ns", "labels": {"k": true}}})",
       "Thing ns/a: metadata.labels.k: expected a string, got true"},
      {R"({"metadata": {"name": "a", "generation": "1"}})",
       "Thing a: metadata.generation: expected an integer, got \"1\""},
  };
  for (const auto& c : cases) {
    auto r = decodeThing(json::parse(c.json));
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_EQ(r.error(), c.error);
  }
}

TEST(ObjectMetaTest, EncodeRoundTrips) {
  ObjectMeta meta;
  meta.name = "l2-abc";
  meta.generateName = "l2-";
  meta.ns = "metallb-system";
  meta.uid = "u";
  meta.resourceVersion = "9";
  meta.generation = 2;
  meta.labels = {{"metallb.io/node", "worker-1"}};
  meta.annotations = {{"a", ""}};
  meta.deletionTimestamp = "2024-05-01T10:00:00Z";
  meta.creationTimestamp = "2024-05-01T09:12:44Z";
  const json encoded = {{"metadata", encodeObjectMeta(meta)}};
  auto r = decodeThing(encoded);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->meta, meta);
  EXPECT_EQ(encodeObjectMeta(ObjectMeta{}), json::object());  // empty fields are omitted
}

}  // namespace
}  // namespace ironlb::api
