// The memberlist Secret the controller creates at run time (docs/membership.md, "The key"),
// against the real API server, with exactly the RBAC the chart ships for release "ironlb"
// (Secret ironlb-memberlist, owner Deployment ironlb-controller).
#include <gtest/gtest.h>

#include "common/k8s/base64.h"
#include "common/k8s/object_meta.h"
#include "it_env.h"

namespace ironlb::controller::it {
namespace {

const std::string kSecret = "ironlb-memberlist";
const std::string kDeployment = "ironlb-controller";

// A Deployment to own the Secret (no controller-manager here: it never makes pods).
Json deploymentObject(const std::string& name) {
  const Json labels = {{"app", name}};
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", name}}},
          {"spec",
           {{"replicas", 1},
            {"selector", {{"matchLabels", labels}}},
            {"template",
             {{"metadata", {{"labels", labels}}},
              {"spec",
               {{"containers",
                 Json::array({{{"name", "c"}, {"image", "registry.example/ironlb:test"}}})}}}}}}}};
}

std::string field(const Json& o, const std::string& a, const std::string& b) {
  auto i = o.find(a);
  if (i == o.end() || !i->is_object()) return "";
  auto j = i->find(b);
  return j != i->end() && j->is_string() ? j->get<std::string>() : "";
}

// A controller with the chart's RBAC that creates Secret kSecret owned by kDeployment.
Controller& startWithChartRbac(Scenario& s, std::string* rendered) {
  std::string error;
  const std::string kubeconfig = chartIdentityKubeconfig(s, rendered, &error);
  EXPECT_FALSE(kubeconfig.empty()) << error;
  ControllerOptions o = s.options("ml-it");
  o.kubeconfig = kubeconfig;
  o.extra.push_back("--memberlist-secret-name=" + kSecret);
  o.extra.push_back("--lease-owner-deployment=" + kDeployment);
  return s.startController(o);
}

void cleanUp(const Scenario& s, const std::string& rendered) {
  cluster().remove(k8s::resources::kSecrets, s.ns(), kSecret);
  cluster().remove(k8s::resources::kDeployments, s.ns(), kDeployment);
  sh("'" + env().kubectl + "' delete -f '" + rendered + "' --wait=false");
}

TEST(MemberlistSecretIT, CreatedWhenAbsent) {
  Scenario s("ml-absent");
  std::string error;
  ASSERT_TRUE(
      cluster().create(k8s::resources::kDeployments, s.ns(), deploymentObject(kDeployment), &error))
      << error;
  const auto owner = cluster().get(k8s::resources::kDeployments, s.ns(), kDeployment);
  ASSERT_TRUE(owner);
  ASSERT_FALSE(cluster().get(k8s::resources::kSecrets, s.ns(), kSecret));
  std::string rendered;
  Controller& c = startWithChartRbac(s, &rendered);
  std::optional<Json> secret;
  EXPECT_TRUE(eventually([&] {
    secret = cluster().get(k8s::resources::kSecrets, s.ns(), kSecret);
    return secret.has_value();
  })) << c.log();
  ASSERT_TRUE(secret);
  // data.secretkey: base64 (the API's encoding) of the key text, itself base64 of 64 random bytes.
  const auto text = k8s::decodeBase64(field(*secret, "data", "secretkey"));
  ASSERT_TRUE(text) << secret->dump();
  EXPECT_EQ(text->size(), 88u) << *text;
  const auto raw = k8s::decodeBase64(*text);
  ASSERT_TRUE(raw) << *text;
  EXPECT_EQ(raw->size(), 64u);
  EXPECT_EQ(secret->value("type", ""), "Opaque");
  EXPECT_EQ((*secret)["metadata"]["labels"].value("app.kubernetes.io/managed-by", ""),
            "ironlb-controller");
  const Json& refs = (*secret)["metadata"]["ownerReferences"];
  ASSERT_TRUE(refs.is_array() && refs.size() == 1) << secret->dump();
  EXPECT_EQ(refs[0].value("kind", ""), "Deployment");
  EXPECT_EQ(refs[0].value("name", ""), kDeployment);
  EXPECT_EQ(refs[0].value("uid", ""), k8s::uidOf(*owner)) << "uninstall removes it with the owner";
  EXPECT_TRUE(eventually([&] {
    return c.log().find("created the memberlist Secret with a new random key") != std::string::npos;
  })) << c.log();

  // A restart (or a second replica) finds it and keeps it: same key, same resourceVersion.
  const std::string version = k8s::resourceVersionOf(*secret);
  c.stop();
  ControllerOptions second = s.options("ml-it-2");
  second.extra.push_back("--memberlist-secret-name=" + kSecret);
  Controller& again = s.startController(second);
  EXPECT_TRUE(eventually([&] {
    return again.log().find("memberlist Secret exists; kept as it is") != std::string::npos;
  })) << again.log();
  auto after = cluster().get(k8s::resources::kSecrets, s.ns(), kSecret);
  ASSERT_TRUE(after);
  EXPECT_EQ(k8s::resourceVersionOf(*after), version);
  const std::string log = c.log();
  EXPECT_EQ(log.find(" 403 "), std::string::npos) << "the chart's RBAC allows get and create";
  EXPECT_EQ(log.find("Forbidden"), std::string::npos) << log;
  cleanUp(s, rendered);
}

TEST(MemberlistSecretIT, ExistingKept) {
  Scenario s("ml-kept");
  // The operator's own key (speaker.memberlist.existingSecret would skip the flag; this is the
  // case of a Secret made by hand, by an earlier controller, or by an earlier chart).
  const Json mine = {{"apiVersion", "v1"},
                     {"kind", "Secret"},
                     {"metadata", {{"name", kSecret}, {"labels", {{"owner", "operator"}}}}},
                     {"type", "Opaque"},
                     {"stringData", {{"secretkey", "operators-own-key-0123456789"}}}};
  std::string error;
  ASSERT_TRUE(cluster().create(k8s::resources::kSecrets, s.ns(), mine, &error)) << error;
  const auto before = cluster().get(k8s::resources::kSecrets, s.ns(), kSecret);
  ASSERT_TRUE(before);
  std::string rendered;
  Controller& c = startWithChartRbac(s, &rendered);
  EXPECT_TRUE(eventually([&] {
    return c.log().find("memberlist Secret exists; kept as it is") != std::string::npos;
  })) << c.log();
  ASSERT_TRUE(c.waitReady()) << c.log();
  const auto after = cluster().get(k8s::resources::kSecrets, s.ns(), kSecret);
  ASSERT_TRUE(after);
  EXPECT_EQ(k8s::resourceVersionOf(*after), k8s::resourceVersionOf(*before)) << "never written";
  EXPECT_EQ(field(*after, "data", "secretkey"), k8s::encodeBase64("operators-own-key-0123456789"));
  EXPECT_FALSE((*after)["metadata"].contains("ownerReferences")) << "not adopted";
  EXPECT_EQ(c.log().find("created the memberlist Secret"), std::string::npos);
  cleanUp(s, rendered);
}

}  // namespace
}  // namespace ironlb::controller::it
