// Authentication and authorization against the real kube-apiserver: TLS with the kubeconfig's
// CA data, token and client-certificate users, a user without RBAC grants, and a ServiceAccount
// token (through the in-cluster configuration path) under a namespaced Role.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/k8s/object_meta.h"
#include "it_env.h"
#include "test/unit/common/k8s/temp_dir.h"
#include "test/unit/common/k8s/test_pki.h"

namespace ironlb::k8s::it {
namespace {

const ResourceType kSelfSubjectReviews{"authentication.k8s.io", "v1", "selfsubjectreviews",
                                       "SelfSubjectReview", false};
const ResourceType kServiceAccounts{"", "v1", "serviceaccounts", "ServiceAccount", true};
const ResourceType kRoles{"rbac.authorization.k8s.io", "v1", "roles", "Role", true};
const ResourceType kRoleBindings{"rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding",
                                 true};

// Who the API server thinks we are.
std::string whoAmI(ApiClient& api) {
  auto r =
      api.create(kSelfSubjectReviews, "",
                 Json{{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "SelfSubjectReview"}});
  if (!r.ok()) return "error: " + r.error().describe();
  return (*r)["status"]["userInfo"]["username"];
}

TEST(AuthIT, TokenUserOverTlsWithCaData) {
  auto c = connect(env().kubeconfig);
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->config.caData.empty());
  EXPECT_FALSE(c->config.token.empty());
  EXPECT_EQ(whoAmI(*c->api), "admin");
  auto ns = c->api->get(resources::kNamespaces, "", "default");
  ASSERT_TRUE(ns.ok()) << ns.error().describe();
  EXPECT_EQ(nameOf(*ns), "default");
}

TEST(AuthIT, ClientCertificateUser) {
  auto c = connect(env().kubeconfigCert);
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->config.clientCertData.empty());
  EXPECT_TRUE(c->config.token.empty());
  EXPECT_EQ(whoAmI(*c->api), "admin");
  EXPECT_TRUE(c->api->get(resources::kNamespaces, "", "default").ok());
}

TEST(AuthIT, ServerSignedByAnotherCaIsRejected) {
  auto cfg = loadKubeconfig(env().kubeconfig);
  ASSERT_TRUE(cfg.ok());
  cfg->caData = testing::makeCa("not-the-cluster-ca").certPem;
  auto c = connect(*cfg);
  ASSERT_TRUE(c);
  auto r = c->api->get(resources::kNamespaces, "", "default");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().isTransport());
  EXPECT_NE(r.error().describe().find("server certificate not trusted"), std::string::npos)
      << r.error().describe();
}

TEST(AuthIT, UserWithoutGrantsGetsACleanForbidden) {
  auto c = connect(env().kubeconfigUser);
  ASSERT_TRUE(c);
  auto r = c->api->list(resources::kServices, env().ns);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().isForbidden());
  const std::string text = r.error().describe();
  EXPECT_NE(text.find("403 Forbidden"), std::string::npos) << text;
  EXPECT_NE(text.find("ironlb-user"), std::string::npos) << text;
  EXPECT_NE(text.find("RBAC"), std::string::npos) << text;
}

class ServiceAccountIT : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string& ns = env().ns;
    sa_ = uniqueName("reader");
    ASSERT_TRUE(admin().create(kServiceAccounts, ns, Json{{"metadata", {{"name", sa_}}}}).ok());
    const Json role = {{"metadata", {{"name", sa_}}},
                       {"rules", Json::array({{{"apiGroups", {""}},
                                               {"resources", {"configmaps"}},
                                               {"verbs", {"get", "list", "watch"}}}})}};
    auto r = admin().create(kRoles, ns, role);
    ASSERT_TRUE(r.ok()) << r.error().describe();
    const Json binding = {
        {"metadata", {{"name", sa_}}},
        {"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", sa_}}},
        {"subjects",
         Json::array({{{"kind", "ServiceAccount"}, {"name", sa_}, {"namespace", ns}}})}};
    r = admin().create(kRoleBindings, ns, binding);
    ASSERT_TRUE(r.ok()) << r.error().describe();
    // The TokenRequest API (what kubelet uses for projected tokens).
    auto tok = admin().request("POST", objectPath(kServiceAccounts, ns, sa_, "token"),
                               Json{{"apiVersion", "authentication.k8s.io/v1"},
                                    {"kind", "TokenRequest"},
                                    {"spec", {{"expirationSeconds", 3600}}}}
                                   .dump(),
                               "application/json", {});
    ASSERT_TRUE(tok.ok()) << tok.error().describe();
    token_ = (*tok)["status"]["token"];
    ASSERT_FALSE(token_.empty());
    // A pod's view: /var/run/secrets/kubernetes.io/serviceaccount + KUBERNETES_SERVICE_*.
    auto adminCfg = loadKubeconfig(env().kubeconfig);
    ASSERT_TRUE(adminCfg.ok());
    caPem_ = adminCfg->caData;
    port_ = adminCfg->server.substr(adminCfg->server.rfind(':') + 1);
    saDir_ = "var/run/secrets/kubernetes.io/serviceaccount/";
    root_.write(saDir_ + "token", token_);
    root_.write(saDir_ + "ca.crt", caPem_);
    root_.write(saDir_ + "namespace", ns);
  }
  Result<ClusterConfig> inCluster() {
    const std::string port = port_;
    return loadInClusterConfig(
        {root_.path(), [port](const std::string& k) -> std::optional<std::string> {
           if (k == "KUBERNETES_SERVICE_HOST") return "127.0.0.1";
           if (k == "KUBERNETES_SERVICE_PORT") return port;
           return std::nullopt;
         }});
  }

  testing::TempDir root_;
  std::string sa_, token_, caPem_, port_, saDir_;
};

TEST_F(ServiceAccountIT, InClusterTokenIsLimitedByItsRole) {
  auto cfg = inCluster();
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->defaultNamespace, env().ns);
  auto c = connect(*cfg);
  ASSERT_TRUE(c);
  EXPECT_EQ(whoAmI(*c->api), "system:serviceaccount:" + env().ns + ":" + sa_);
  auto allowed = c->api->list(resources::kConfigMaps, env().ns);
  ASSERT_TRUE(allowed.ok()) << allowed.error().describe();
  auto otherKind = c->api->list(resources::kSecrets, env().ns);
  ASSERT_FALSE(otherKind.ok());
  EXPECT_TRUE(otherKind.error().isForbidden()) << otherKind.error().describe();
  auto otherNs = c->api->list(resources::kConfigMaps, "default");
  ASSERT_FALSE(otherNs.ok());
  EXPECT_TRUE(otherNs.error().isForbidden()) << otherNs.error().describe();
  auto write = c->api->create(resources::kConfigMaps, env().ns,
                              Json{{"metadata", {{"name", uniqueName("nope")}}}});
  ASSERT_FALSE(write.ok());
  EXPECT_TRUE(write.error().isForbidden());
}

TEST_F(ServiceAccountIT, RotatedTokenFileIsUsedWithoutRestart) {
  // Start with a token that authenticates but has no grants; then "rotate" to the SA token.
  std::string userToken;
  {
    auto userCfg = loadKubeconfig(env().kubeconfigUser);
    ASSERT_TRUE(userCfg.ok());
    userToken = userCfg->token;
  }
  const std::string tokenPath = root_.write(saDir_ + "token", userToken);
  auto cfg = inCluster();
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  auto c = connect(*cfg);
  ASSERT_TRUE(c);
  auto before = c->api->list(resources::kConfigMaps, env().ns);
  ASSERT_FALSE(before.ok());
  EXPECT_TRUE(before.error().isForbidden());
  root_.write(saDir_ + "token", token_);  // what kubelet does on rotation
  auto after = c->api->list(resources::kConfigMaps, env().ns);
  EXPECT_TRUE(after.ok()) << after.error().describe();
}

}  // namespace
}  // namespace ironlb::k8s::it
