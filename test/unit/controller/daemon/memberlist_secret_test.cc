#include "controller/daemon/memberlist_secret.h"

#include <gtest/gtest.h>

#include "common/k8s/base64.h"

namespace ironlb::controller {
namespace {

// 64 CSPRNG bytes as base64: 88 printable characters; two keys differ.
TEST(MemberlistSecretTest, NewKeyIsBase64OfSixtyFourRandomBytes) {
  auto a = newMemberlistKey();
  auto b = newMemberlistKey();
  ASSERT_TRUE(a.ok()) << a.error();
  ASSERT_TRUE(b.ok()) << b.error();
  EXPECT_EQ(a->size(), 88u);
  auto raw = k8s::decodeBase64(*a);
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->size(), kMemberlistKeyRandomBytes);
  EXPECT_NE(*a, *b);
}

TEST(MemberlistSecretTest, SecretObjectCarriesKeyLabelsAndOwner) {
  const k8s::Json owner = {{"apiVersion", "apps/v1"},
                           {"kind", "Deployment"},
                           {"name", "ironlb-controller"},
                           {"uid", "u-1"}};
  const k8s::Json s = memberlistSecretObject("metallb-system", "ironlb-memberlist", "k3y", owner);
  EXPECT_EQ(s["metadata"]["name"], "ironlb-memberlist");
  EXPECT_EQ(s["metadata"]["namespace"], "metallb-system");
  EXPECT_EQ(s["metadata"]["labels"]["app.kubernetes.io/managed-by"], "ironlb-controller");
  EXPECT_EQ(s["metadata"]["ownerReferences"], k8s::Json::array({owner}));
  EXPECT_EQ(s["type"], "Opaque");
  EXPECT_EQ(s["data"]["secretkey"], k8s::encodeBase64("k3y"));
  const k8s::Json unowned = memberlistSecretObject("ns", "n", "k3y", nullptr);
  EXPECT_FALSE(unowned["metadata"].contains("ownerReferences"));
}

}  // namespace
}  // namespace ironlb::controller
