#include "common/k8s/cluster_config.h"

#include <gtest/gtest.h>

#include <map>

#include "common/k8s/base64.h"
#include "temp_dir.h"
#include "test/support/env_lookup.h"

namespace ironlb::k8s {
namespace {

using testing::TempDir;

constexpr const char* kCaPem = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
constexpr const char* kCertPem = "-----BEGIN CERTIFICATE-----\nCRT\n-----END CERTIFICATE-----\n";
constexpr const char* kKeyPem = "-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n";

std::string kubeconfig(const std::string& clusterExtra, const std::string& userExtra,
                       const std::string& current = "ctx") {
  return "apiVersion: v1\nkind: Config\ncurrent-context: " + current +
         "\n"
         "contexts:\n"
         "- name: ctx\n"
         "  context: {cluster: c1, user: u1, namespace: team-a}\n"
         "- name: other\n"
         "  context: {cluster: c2, user: u2}\n"
         "clusters:\n"
         "- name: c1\n"
         "  cluster:\n"
         "    server: https://127.0.0.1:6443\n" +
         clusterExtra +
         "- name: c2\n"
         "  cluster:\n"
         "    server: https://[::1]:7443/prefix\n"
         "    insecure-skip-tls-verify: true\n"
         "users:\n"
         "- name: u1\n"
         "  user:\n" +
         userExtra +
         "- name: u2\n"
         "  user:\n"
         "    token: other-token\n";
}

TEST(KubeconfigTest, TokenAndCaDataFromCurrentContext) {
  const auto cfg =
      parseKubeconfig(kubeconfig("    certificate-authority-data: " + encodeBase64(kCaPem) + "\n",
                                 "    token: abc123\n"),
                      "/home/u/.kube/config");
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->server, "https://127.0.0.1:6443");
  EXPECT_EQ(cfg->caData, kCaPem);
  EXPECT_EQ(cfg->token, "abc123");
  EXPECT_EQ(cfg->defaultNamespace, "team-a");
  EXPECT_FALSE(cfg->insecureSkipTlsVerify);
  EXPECT_EQ(cfg->source, "kubeconfig /home/u/.kube/config (context ctx)");
}

TEST(KubeconfigTest, NamedContextOverridesCurrent) {
  const auto cfg = parseKubeconfig(kubeconfig("", "    token: t\n"), "/k", "other");
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->server, "https://[::1]:7443/prefix");
  EXPECT_TRUE(cfg->insecureSkipTlsVerify);
  EXPECT_EQ(cfg->token, "other-token");
  EXPECT_EQ(cfg->defaultNamespace, "default");
}

TEST(KubeconfigTest, ClientCertificateData) {
  const auto cfg =
      parseKubeconfig(kubeconfig("", "    client-certificate-data: " + encodeBase64(kCertPem) +
                                         "\n    client-key-data: " + encodeBase64(kKeyPem) + "\n"),
                      "/k");
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->clientCertData, kCertPem);
  EXPECT_EQ(cfg->clientKeyData, kKeyPem);
  EXPECT_TRUE(cfg->token.empty());
}

TEST(KubeconfigTest, FilesResolveRelativeToTheKubeconfig) {
  TempDir dir;
  dir.write("pki/ca.crt", kCaPem);
  dir.write("pki/client.crt", kCertPem);
  const std::string keyPath = dir.write("abs/client.key", kKeyPem);
  dir.write("tokens/t", "file-token\n");
  const std::string path =
      dir.write("conf/kubeconfig",
                kubeconfig("    certificate-authority: ../pki/ca.crt\n",
                           "    client-certificate: ../pki/client.crt\n    client-key: " + keyPath +
                               "\n    tokenFile: ../tokens/t\n"));
  const auto cfg = loadKubeconfig(path);
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->caData, kCaPem);
  EXPECT_EQ(cfg->caFile, dir.file("pki/ca.crt")) << "kept for CA reload";
  EXPECT_EQ(cfg->clientCertData, kCertPem);
  EXPECT_EQ(cfg->clientKeyData, kKeyPem);
  EXPECT_EQ(cfg->tokenFile, dir.file("tokens/t"));
}

TEST(KubeconfigTest, DataWinsOverFile) {
  const auto cfg = parseKubeconfig(
      kubeconfig("    certificate-authority: /does/not/exist\n    certificate-authority-data: " +
                     encodeBase64(kCaPem) + "\n",
                 "    token: t\n"),
      "/k");
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->caData, kCaPem);
  EXPECT_TRUE(cfg->caFile.empty()) << "inline data has no file to re-read";
}

TEST(KubeconfigTest, AnonymousUserIsAllowed) {
  const std::string text =
      "current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n"
      "clusters: [{name: c, cluster: {server: 'http://127.0.0.1:8080'}}]\n";
  const auto cfg = parseKubeconfig(text, "/k");
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->server, "http://127.0.0.1:8080");
  EXPECT_TRUE(cfg->token.empty() && cfg->clientCertData.empty());
}

// Every error names the file and the field (or says what is missing) so a person can fix it.
TEST(KubeconfigTest, ErrorsNameFileAndField) {
  struct Case {
    std::string yaml;
    std::string context;
    std::string expected;
  };
  const std::string base = kubeconfig("", "    token: t\n");
  const Case cases[] = {
      {"a: [", "", "kubeconfig /cfg: not valid YAML: line 1"},
      {"- a\n- b\n", "", "kubeconfig /cfg: must be a YAML map"},
      {kubeconfig("", "    token: t\n", "\"\""), "",
       "kubeconfig /cfg: current-context: not set; pass a context name explicitly"},
      {base, "nope", "kubeconfig /cfg: contexts: no entry named \"nope\""},
      {"current-context: x\ncontexts: [{name: x, context: {cluster: c9}}]\nclusters: []\n", "",
       "kubeconfig /cfg: clusters: no entry named \"c9\""},
      {"current-context: x\ncontexts: [{name: x, context: {user: u}}]\n", "",
       "kubeconfig /cfg: contexts[\"x\"].context.cluster: missing"},
      {"current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n"
       "clusters: [{name: c, cluster: {}}]\n",
       "", "kubeconfig /cfg: clusters[\"c\"].cluster.server: missing"},
      {"current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n"
       "clusters: [{name: c, cluster: {server: '127.0.0.1:6443'}}]\n",
       "",
       "kubeconfig /cfg: clusters[\"c\"].cluster.server: \"127.0.0.1:6443\" must start with "
       "https://"},
      {"current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n"
       "clusters: {c: 1}\n",
       "", "kubeconfig /cfg: clusters: must be a list"},
      {kubeconfig("    certificate-authority-data: '%%%'\n", "    token: t\n"), "",
       "kubeconfig /cfg: clusters[\"c1\"].cluster.certificate-authority-data: not valid base64"},
      {kubeconfig("    certificate-authority: /no/such/ca.crt\n", "    token: t\n"), "",
       "kubeconfig /cfg: clusters[\"c1\"].cluster.certificate-authority: cannot read "
       "/no/such/ca.crt: No such file or directory"},
      {kubeconfig("    insecure-skip-tls-verify: maybe\n", "    token: t\n"), "",
       "kubeconfig /cfg: clusters[\"c1\"].cluster.insecure-skip-tls-verify: must be true or "
       "false"},
      {kubeconfig("", "    client-certificate-data: " + encodeBase64(kCertPem) + "\n"), "",
       "kubeconfig /cfg: users[\"u1\"].user: client-certificate given without client-key"},
      {kubeconfig("", "    client-key-data: " + encodeBase64(kKeyPem) + "\n"), "",
       "kubeconfig /cfg: users[\"u1\"].user: client-key given without client-certificate"},
      {kubeconfig("", "    exec: {command: aws}\n"), "",
       "kubeconfig /cfg: users[\"u1\"].user.exec: not supported by ironlb"},
      {kubeconfig("", "    tokenFile: /no/such/token\n"), "",
       "kubeconfig /cfg: users[\"u1\"].user.tokenFile: cannot read /no/such/token"},
      {kubeconfig("", "    token: [a, b]\n"), "",
       "kubeconfig /cfg: users[\"u1\"].user.token: must be a string"},
  };
  for (const auto& c : cases) {
    const auto cfg = parseKubeconfig(c.yaml, "/cfg", c.context);
    ASSERT_FALSE(cfg.ok()) << c.expected;
    EXPECT_EQ(cfg.error().rfind(c.expected, 0), 0u)
        << "got:      " << cfg.error() << "\nexpected: " << c.expected;
  }
}

TEST(KubeconfigTest, MissingFileIsNamed) {
  const auto cfg = loadKubeconfig("/no/such/kubeconfig");
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.error(), "kubeconfig: cannot read /no/such/kubeconfig: No such file or directory");
}

EnvLookup envOf(std::map<std::string, std::string> vars) {
  return testsupport::envFromMap(std::move(vars));
}

class InClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sa_ = "var/run/secrets/kubernetes.io/serviceaccount/";
    dir_.write(sa_ + "token", "sa-token\n");
    dir_.write(sa_ + "ca.crt", kCaPem);
    dir_.write(sa_ + "namespace", "metallb-system");
  }
  InClusterOptions options(std::map<std::string, std::string> env = {
                               {"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                               {"KUBERNETES_SERVICE_PORT", "443"}}) {
    return InClusterOptions{dir_.path(), envOf(std::move(env))};
  }
  TempDir dir_;
  std::string sa_;
};

TEST_F(InClusterTest, ReadsServiceAccount) {
  const auto cfg = loadInClusterConfig(options());
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->server, "https://10.96.0.1:443");
  EXPECT_EQ(cfg->tokenFile, dir_.file(sa_ + "token"));
  EXPECT_TRUE(cfg->token.empty()) << "the token stays a file so rotation is picked up";
  EXPECT_EQ(cfg->caData, kCaPem);
  EXPECT_EQ(cfg->caFile, dir_.file(sa_ + "ca.crt")) << "re-read when the CA rotates";
  EXPECT_EQ(cfg->defaultNamespace, "metallb-system");
}

TEST_F(InClusterTest, BracketsIpv6Hosts) {
  const auto cfg = loadInClusterConfig(
      options({{"KUBERNETES_SERVICE_HOST", "fd00::1"}, {"KUBERNETES_SERVICE_PORT", "6443"}}));
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->server, "https://[fd00::1]:6443");
}

TEST_F(InClusterTest, MissingEnvironmentSaysWhy) {
  const auto cfg = loadInClusterConfig(options({}));
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.error().find("KUBERNETES_SERVICE_HOST"), std::string::npos);
}

TEST_F(InClusterTest, MissingOrEmptyTokenIsAnError) {
  dir_.write(sa_ + "token", "  \n");
  auto cfg = loadInClusterConfig(options());
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.error().find("is empty"), std::string::npos) << cfg.error();
  std::filesystem::remove(dir_.file(sa_ + "token"));
  cfg = loadInClusterConfig(options());
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.error().find(dir_.file(sa_ + "token")), std::string::npos) << cfg.error();
}

TEST_F(InClusterTest, NamespaceDefaultsWhenAbsent) {
  std::filesystem::remove(dir_.file(sa_ + "namespace"));
  const auto cfg = loadInClusterConfig(options());
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->defaultNamespace, "default");
}

TEST_F(InClusterTest, PrecedenceOfSources) {
  const std::string text = kubeconfig("", "    token: from-file\n");
  const std::string explicitPath = dir_.write("explicit", text);
  const std::string envPath = dir_.write("env", kubeconfig("", "    token: from-env\n"));
  dir_.write("home/.kube/config", kubeconfig("", "    token: from-home\n"));
  const std::map<std::string, std::string> inPod = {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                                                    {"KUBERNETES_SERVICE_PORT", "443"},
                                                    {"KUBECONFIG", envPath},
                                                    {"HOME", dir_.file("home")}};
  // Explicit path beats everything.
  auto cfg = loadClusterConfig(explicitPath, "", options(inPod));
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->token, "from-file");
  // In a pod: service account.
  cfg = loadClusterConfig("", "", options(inPod));
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->source, "in-cluster service account");
  // KUBECONFIG: first existing entry.
  cfg = loadClusterConfig(
      "", "", options({{"KUBECONFIG", "/no/such:" + envPath}, {"HOME", dir_.file("home")}}));
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->token, "from-env");
  // Finally ~/.kube/config.
  cfg = loadClusterConfig("", "", options({{"HOME", dir_.file("home")}}));
  ASSERT_TRUE(cfg.ok()) << cfg.error();
  EXPECT_EQ(cfg->token, "from-home");
  // Nothing at all.
  cfg = loadClusterConfig("", "", options({{"HOME", dir_.file("nohome")}}));
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.error().find("--kubeconfig"), std::string::npos);
}

}  // namespace
}  // namespace ironlb::k8s
