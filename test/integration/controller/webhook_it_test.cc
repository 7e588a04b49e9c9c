// docs/webhook.md end to end: the real ironlb-controller serving its admission webhook to the
// real kube-apiserver, driven by the real kubectl. The bare control plane has no kube-proxy, so
// the ValidatingWebhookConfiguration calls https://127.0.0.1:<port> (clientConfig.url; the
// chart uses the Service) with the caBundle the controller patches in. Each test scopes its
// webhook to its own namespace (namespaceSelector), so other suites never meet it.
#include <gtest/gtest.h>

#include <fstream>

#include "common/k8s/base64.h"
#include "common/k8s/object_meta.h"
#include "controller/webhook/serving_certs.h"
#include "it_env.h"

namespace ironlb::controller::it {
namespace {

const k8s::ResourceType kWebhookConfigurations{"admissionregistration.k8s.io", "v1",
                                               "validatingwebhookconfigurations",
                                               "ValidatingWebhookConfiguration", false};
const std::string kSecret = "ironlb-webhook-cert";
constexpr int kTimeoutSeconds = 5;

// A scenario with a webhook configuration of its own and a controller serving it.
class WebhookWorld {
 public:
  // `chartNames`: the configuration has the name the chart gives it (release "ironlb"), the one
  // the chart's RBAC lets the controller patch.
  explicit WebhookWorld(const std::string& name, bool createConfiguration = true,
                        bool chartNames = false)
      : s_(name), config_(chartNames ? s_.ns() + "-ironlb-webhook" : unique("ironlb-it-wh")) {
    port_ = freePort();
    if (createConfiguration) createConfigurationNow();
  }
  ~WebhookWorld() {
    cluster().remove(kWebhookConfigurations, "", config_);
    cluster().remove(k8s::resources::kSecrets, s_.ns(), kSecret);
  }

  void createConfigurationNow() {
    // The chart's rules (templates/webhook.yaml): BGPPeer is served as v1beta2 and v1beta1.
    const Json rules = {{{"apiGroups", {"metallb.io"}},
                         {"apiVersions", {"v1beta1"}},
                         {"operations", {"CREATE", "UPDATE", "DELETE"}},
                         {"resources",
                          {"ipaddresspools", "l2advertisements", "bgpadvertisements", "bfdprofiles",
                           "communities"}},
                         {"scope", "Namespaced"}},
                        {{"apiGroups", {"metallb.io"}},
                         {"apiVersions", {"v1beta2", "v1beta1"}},
                         {"operations", {"CREATE", "UPDATE", "DELETE"}},
                         {"resources", {"bgppeers"}},
                         {"scope", "Namespaced"}}};
    const Json config = {
        {"apiVersion", "admissionregistration.k8s.io/v1"},
        {"kind", "ValidatingWebhookConfiguration"},
        {"metadata", {{"name", config_}}},
        {"webhooks",
         {{{"name", "validate.ironlb.metallb.io"},
           {"admissionReviewVersions", {"v1"}},
           {"sideEffects", "None"},
           {"failurePolicy", "Ignore"},
           {"timeoutSeconds", kTimeoutSeconds},
           {"clientConfig",
            {{"url", "https://127.0.0.1:" + std::to_string(port_) + "/validate-metallb-io"}}},
           {"namespaceSelector", {{"matchLabels", {{"kubernetes.io/metadata.name", s_.ns()}}}}},
           {"rules", rules}}}}};
    std::string error;
    EXPECT_TRUE(cluster().create(kWebhookConfigurations, "", config, &error)) << error;
  }

  Controller& start(const std::string& checkInterval = "60m", const std::string& kubeconfig = "",
                    const std::string& ownerDeployment = "") {
    ControllerOptions o = s_.options();
    if (!kubeconfig.empty()) o.kubeconfig = kubeconfig;
    if (!ownerDeployment.empty()) o.extra.push_back("--lease-owner-deployment=" + ownerDeployment);
    o.extra.insert(
        o.extra.end(),
        {"--webhook", "--webhook-address=127.0.0.1:" + std::to_string(port_),
         "--webhook-configuration=" + config_, "--webhook-secret=" + kSecret,
         "--webhook-cert-hosts=127.0.0.1", "--webhook-cert-check-interval=" + checkInterval});
    return s_.startController(o);
  }

  // `kubectl apply` of one manifest; {exit status, output}.
  std::pair<int, std::string> apply(const Json& object) {
    const std::string path = env().work + "/" + unique("apply") + ".json";
    std::ofstream(path) << object.dump(2);
    return sh("'" + env().kubectl + "' apply -n " + s_.ns() + " -f '" + path + "'");
  }

  std::string caBundle() {
    auto config = cluster().get(kWebhookConfigurations, "", config_);
    if (!config) return "";
    const Json& webhook = (*config)["webhooks"][0];
    if (!webhook.contains("clientConfig") || !webhook["clientConfig"].contains("caBundle"))
      return "";
    return k8s::decodeBase64(webhook["clientConfig"]["caBundle"].get<std::string>()).value_or("");
  }
  std::string secretData(const std::string& key) {
    auto secret = cluster().get(k8s::resources::kSecrets, s_.ns(), kSecret);
    if (!secret || !(*secret)["data"].contains(key)) return "";
    return k8s::decodeBase64((*secret)["data"][key].get<std::string>()).value_or("");
  }
  // The certificate the webhook serves right now, as PEM (openssl s_client).
  std::string servedCert() {
    auto [rc, out] = sh("openssl s_client -connect 127.0.0.1:" + std::to_string(port_) +
                        " </dev/null 2>/dev/null | openssl x509");
    return rc == 0 ? out : "";
  }

  Scenario& scenario() { return s_; }
  int port() const { return port_; }

 private:
  Scenario s_;
  std::string config_;
  int port_ = 0;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(WebhookIT, RejectsOverlappingPool) {
  WebhookWorld w("wh-overlap");
  Controller& c = w.start();
  ASSERT_TRUE(c.waitReady()) << c.log();
  auto [rc, out] = w.apply(poolObject("first", {"192.0.2.0/28"}));
  ASSERT_EQ(rc, 0) << out;
  std::tie(rc, out) = w.apply(poolObject("second", {"192.0.2.8/29"}));
  EXPECT_NE(rc, 0) << out;
  EXPECT_TRUE(contains(out, "denied the request")) << out;
  const std::string ns = w.scenario().ns();
  EXPECT_TRUE(contains(out, "IPAddressPool " + ns + "/second: spec.addresses[0]")) << out;
  EXPECT_TRUE(contains(out, "IPAddressPool " + ns + "/first")) << out;
  EXPECT_TRUE(contains(out, "\"192.0.2.8/29\" overlaps \"192.0.2.0/28\"")) << out;
  EXPECT_FALSE(cluster().get(k8s::resources::kIPAddressPools, ns, "second"));
  // Fixed: the same pool with its own range is accepted.
  std::tie(rc, out) = w.apply(poolObject("second", {"192.0.2.16/28"}));
  EXPECT_EQ(rc, 0) << out;
  EXPECT_TRUE(cluster().get(k8s::resources::kIPAddressPools, ns, "second"));
  // An update is judged with the old version replaced: growing `first` over `second` is refused.
  std::tie(rc, out) = w.apply(poolObject("first", {"192.0.2.0/27"}));
  EXPECT_NE(rc, 0) << out;
  EXPECT_TRUE(contains(out, "IPAddressPool " + ns + "/first")) << out;
  dumpLogOnFailure(c);
}

TEST(WebhookIT, RejectsMissingPoolReference) {
  WebhookWorld w("wh-missing");
  Controller& c = w.start();
  ASSERT_TRUE(c.waitReady()) << c.log();
  auto [rc, out] = w.apply(poolObject("real", {"198.51.100.0/28"}));
  ASSERT_EQ(rc, 0) << out;
  std::tie(rc, out) = w.apply(l2AdvertisementObject("l2", {{"ipAddressPools", {"real", "typo"}}}));
  EXPECT_NE(rc, 0) << out;
  EXPECT_TRUE(
      contains(out, "L2Advertisement " + w.scenario().ns() +
                        "/l2: spec.ipAddressPools[1]: IPAddressPool \"typo\" does not exist"))
      << out;
  std::tie(rc, out) = w.apply(l2AdvertisementObject("l2", {{"ipAddressPools", {"real"}}}));
  EXPECT_EQ(rc, 0) << out;
  // Deleting the pool it names is not refused (uninstalling in any order works); kubectl shows
  // the consequence as a warning.
  std::tie(rc, out) =
      sh("'" + env().kubectl + "' delete -n " + w.scenario().ns() + " ipaddresspool real");
  EXPECT_EQ(rc, 0) << out;
  EXPECT_TRUE(contains(out, "Warning:")) << out;
  dumpLogOnFailure(c);
}

// BGP mode's kinds are judged like the L2 ones (docs/bgp.md): errors across objects, which
// the CRD schemas cannot see, are refused at apply time.
const Json kPeerSpec = {{"myASN", 64512}, {"peerASN", 64513}, {"peerAddress", "192.0.2.1"}};

TEST(WebhookIT, RejectsDuplicateBgpSession) {
  WebhookWorld w("wh-bgp-peer");
  Controller& c = w.start();
  ASSERT_TRUE(c.waitReady()) << c.log();
  const std::string ns = w.scenario().ns();
  auto [rc, out] = w.apply(bgpPeerObject("first", kPeerSpec));
  ASSERT_EQ(rc, 0) << out;
  const std::string refusal = "BGPPeer " + ns +
                              "/second: spec.peerAddress: BGPPeer \"first\" already peers with "
                              "\"192.0.2.1\" on port 179 from the same nodes";
  std::tie(rc, out) = w.apply(bgpPeerObject("second", kPeerSpec));
  EXPECT_NE(rc, 0) << out;
  EXPECT_TRUE(contains(out, "denied the request")) << out;
  EXPECT_TRUE(contains(out, refusal)) << out;
  // The same through the other version BGPPeer is served as.
  std::tie(rc, out) = w.apply(bgpPeerObject("second", kPeerSpec, "metallb.io/v1beta1"));
  EXPECT_NE(rc, 0) << out;
  EXPECT_TRUE(contains(out, refusal)) << out;
  EXPECT_FALSE(cluster().get(k8s::resources::kBGPPeers, ns, "second"));
  // Another router is a session of its own.
  Json other = kPeerSpec;
  other["peerAddress"] = "192.0.2.2";
  std::tie(rc, out) = w.apply(bgpPeerObject("second", other, "metallb.io/v1beta1"));
  EXPECT_EQ(rc, 0) << out;
  EXPECT_TRUE(cluster().get(k8s::resources::kBGPPeers, ns, "second"));
  dumpLogOnFailure(c);
}

TEST(WebhookIT, RejectsBgpAggregationShorterThanPool) {
  WebhookWorld w("wh-bgp-agg");
  Controller& c = w.start();
  ASSERT_TRUE(c.waitReady()) << c.log();
  const std::string ns = w.scenario().ns();
  auto [rc, out] = w.apply(poolObject("public", {"203.0.113.0/28"}));
  ASSERT_EQ(rc, 0) << out;
  std::tie(rc, out) = w.apply(
      bgpAdvertisementObject("agg", {{"ipAddressPools", {"public"}}, {"aggregationLength", 24}}));
  EXPECT_NE(rc, 0) << out;
  EXPECT_TRUE(contains(out, "denied the request")) << out;
  EXPECT_TRUE(contains(out, "BGPAdvertisement " + ns +
                                "/agg: spec.aggregationLength: 24 is shorter than the block "
                                "203.0.113.0/28 of pool \"public\""))
      << out;
  EXPECT_FALSE(cluster().get(k8s::resources::kBGPAdvertisements, ns, "agg"));
  std::tie(rc, out) = w.apply(
      bgpAdvertisementObject("agg", {{"ipAddressPools", {"public"}}, {"aggregationLength", 28}}));
  EXPECT_EQ(rc, 0) << out;
  // Shrinking the pool's block under the stored aggregate is refused too, naming both.
  std::tie(rc, out) = w.apply(poolObject("public", {"203.0.113.0/29"}));
  EXPECT_NE(rc, 0) << out;
  EXPECT_TRUE(contains(out, "BGPAdvertisement " + ns + "/agg: spec.aggregationLength: 28")) << out;
  dumpLogOnFailure(c);
}

TEST(WebhookIT, OutageDoesNotBlockApplies) {
  WebhookWorld w("wh-outage");
  Controller& c = w.start();
  ASSERT_TRUE(c.waitReady()) << c.log();
  auto [rc, out] = w.apply(poolObject("first", {"203.0.113.0/28"}));
  ASSERT_EQ(rc, 0) << out;
  std::tie(rc, out) = w.apply(poolObject("clash", {"203.0.113.8/29"}));
  ASSERT_NE(rc, 0) << "the webhook is serving: " << out;
  c.stop();
  ASSERT_FALSE(c.running());
  const auto start = std::chrono::steady_clock::now();
  std::tie(rc, out) = w.apply(poolObject("unrelated", {"203.0.113.64/28"}));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(rc, 0) << out;
  EXPECT_LT(took, std::chrono::seconds(kTimeoutSeconds)) << "failurePolicy Ignore, fast";
  // The trade-off (docs/webhook.md): during the outage a conflicting pool gets in too; the
  // controller reports it as a configuration error once it runs.
  std::tie(rc, out) = w.apply(poolObject("clash", {"203.0.113.8/29"}));
  EXPECT_EQ(rc, 0) << out;
}

TEST(WebhookIT, RunsWithTheChartsRbacOnly) {
  WebhookWorld w("wh-rbac", /*createConfiguration=*/true, /*chartNames=*/true);
  std::string rendered, error;
  const std::string kubeconfig =
      chartIdentityKubeconfig(w.scenario(), &rendered, &error, /*withWebhook=*/true);
  ASSERT_FALSE(kubeconfig.empty()) << error;
  // The chart's Deployment, which owns the Secret (no controller-manager here: it stays empty).
  const Json deployment = {{"apiVersion", "apps/v1"},
                           {"kind", "Deployment"},
                           {"metadata", {{"name", "ironlb-controller"}}},
                           {"spec",
                            {{"replicas", 0},
                             {"selector", {{"matchLabels", {{"app", "x"}}}}},
                             {"template",
                              {{"metadata", {{"labels", {{"app", "x"}}}}},
                               {"spec", {{"containers", {{{"name", "x"}, {"image", "x"}}}}}}}}}}};
  ASSERT_TRUE(cluster().create(k8s::resources::kDeployments, w.scenario().ns(), deployment, &error))
      << error;
  Controller& c = w.start("60m", kubeconfig, "ironlb-controller");
  EXPECT_TRUE(c.waitReady()) << c.log();
  // Owned by the Deployment: the garbage collector removes it on uninstall.
  auto secret = cluster().get(k8s::resources::kSecrets, w.scenario().ns(), kSecret);
  auto owner = cluster().get(k8s::resources::kDeployments, w.scenario().ns(), "ironlb-controller");
  ASSERT_TRUE(secret && owner);
  EXPECT_EQ((*secret)["metadata"]["ownerReferences"][0]["uid"], k8s::uidOf(*owner));
  EXPECT_EQ((*secret)["metadata"]["ownerReferences"][0]["kind"], "Deployment");
  EXPECT_EQ(w.caBundle(), w.secretData("ca-bundle.crt")) << "secrets create, patch of the caBundle";
  auto [rc, out] = w.apply(poolObject("first", {"192.0.2.0/28"}));
  EXPECT_EQ(rc, 0) << out;
  std::tie(rc, out) = w.apply(poolObject("second", {"192.0.2.0/29"}));
  EXPECT_NE(rc, 0) << "the stored objects are listed with the chart's rights: " << out;
  EXPECT_TRUE(contains(out, "denied the request")) << out;
  c.stop();
  const std::string log = c.log();
  EXPECT_EQ(log.find(" 403 "), std::string::npos) << "no request was forbidden";
  EXPECT_EQ(log.find("Forbidden"), std::string::npos);
  dumpLogOnFailure(c);
  sh("'" + env().kubectl + "' delete -f '" + rendered + "' --wait=false");
  cluster().remove(k8s::resources::kDeployments, w.scenario().ns(), "ironlb-controller");
}

TEST(WebhookIT, AllowsPoolRenameUnderProtection) {
  // docs/allocation.md: a rename is a delete plus a create. The old pool, kept by the
  // pool-protection finalizer while its Service holds an address, is out of the configuration:
  // the new pool with the same range is admitted, and so is the controller's update removing
  // the finalizer once the Service moved.
  WebhookWorld w("wh-rename");
  Scenario& s = w.scenario();
  Controller& c = w.start();
  ASSERT_TRUE(c.waitReady()) << c.log();
  auto [rc, out] = w.apply(poolObject("old", {"192.0.2.0/28"}));
  ASSERT_EQ(rc, 0) << out;
  std::tie(rc, out) = w.apply(l2AdvertisementObject("all"));
  ASSERT_EQ(rc, 0) << out;
  s.createService("a");
  ASSERT_TRUE(s.waitIps("a", {"192.0.2.0"}));
  ASSERT_TRUE(eventually([&] {
    auto p = cluster().get(k8s::resources::kIPAddressPools, s.ns(), "old");
    return p && p->contains("metadata") && (*p)["metadata"].contains("finalizers");
  }));
  ASSERT_TRUE(cluster().remove(k8s::resources::kIPAddressPools, s.ns(), "old"));
  std::tie(rc, out) = w.apply(poolObject("new", {"192.0.2.0/28"}));
  EXPECT_EQ(rc, 0) << out;
  EXPECT_TRUE(eventually([&] {
    auto svc = cluster().get(k8s::resources::kServices, s.ns(), "a");
    return svc && annotationOf(*svc, "metallb.io/ip-allocated-from-pool") == "new";
  }));
  EXPECT_TRUE(eventually([&] {
    return !cluster().get(k8s::resources::kIPAddressPools, s.ns(), "old");
  })) << "the finalizer removal was admitted";
  EXPECT_EQ(s.ips("a"), std::vector<std::string>{"192.0.2.0"});
  dumpLogOnFailure(c);
}

TEST(WebhookIT, ReadinessWaitsForCaBundle) {
  WebhookWorld w("wh-ready", /*createConfiguration=*/false);
  Controller& c = w.start("1s");
  // Everything else is ready (informers synced, leading with an empty configuration); the
  // webhook's configuration does not exist yet, so the caBundle cannot be patched.
  std::optional<std::pair<int, std::string>> probe;
  ASSERT_TRUE(eventually(
      [&] {
        probe = httpGet(c.port(), "/readyz");
        return probe && probe->second.find("webhook: cannot read ValidatingWebhookConfiguration") !=
                            std::string::npos;
      },
      30s))
      << (probe ? probe->second : "no answer") << c.log();
  EXPECT_EQ(probe->first, 503);
  w.createConfigurationNow();
  EXPECT_TRUE(c.waitReady(30s)) << c.log();
  EXPECT_FALSE(w.caBundle().empty());
  EXPECT_EQ(w.caBundle(), w.secretData("ca-bundle.crt"));
  dumpLogOnFailure(c);
}

TEST(WebhookIT, CaBundlePatchedAndRotated) {
  WebhookWorld w("wh-rotate");
  Controller& c = w.start("1s");
  ASSERT_TRUE(c.waitReady()) << c.log();
  const std::string ca = w.secretData("ca.crt");
  ASSERT_FALSE(ca.empty());
  EXPECT_EQ(w.caBundle(), ca);
  EXPECT_EQ(w.servedCert(), w.secretData("tls.crt"));

  // A certificate inside the renewal margin (10 days left < 30): the controller renews it.
  const auto names = webhook::serviceDnsNames("ironlb-webhook", w.scenario().ns());
  std::vector<std::string> hosts = names;
  hosts.push_back("127.0.0.1");
  auto old =
      webhook::makeCertBundle(hosts, std::chrono::system_clock::now(), std::chrono::hours(24 * 10));
  ASSERT_TRUE(old) << old.error();
  ASSERT_TRUE(cluster().mergePatch(k8s::resources::kSecrets, w.scenario().ns(), kSecret,
                                   {{"data",
                                     {{"tls.crt", k8s::encodeBase64(old->certPem)},
                                      {"tls.key", k8s::encodeBase64(old->keyPem)},
                                      {"ca.crt", k8s::encodeBase64(old->caCertPem)},
                                      {"ca-bundle.crt", k8s::encodeBase64(old->caCertPem)}}}}));
  std::string renewedCa;
  EXPECT_TRUE(eventually(
      [&] {
        renewedCa = w.secretData("ca.crt");
        return !renewedCa.empty() && renewedCa != old->caCertPem && renewedCa != ca;
      },
      30s))
      << c.log();
  // The new CA first, the previous one kept until it expires.
  EXPECT_TRUE(eventually([&] { return w.caBundle() == renewedCa + old->caCertPem; }, 30s))
      << w.caBundle();
  EXPECT_TRUE(eventually([&] { return w.servedCert() == w.secretData("tls.crt"); }, 30s));
  // And the API server still reaches the webhook through the new chain.
  auto [rc, out] = w.apply(poolObject("first", {"192.0.2.0/28"}));
  ASSERT_EQ(rc, 0) << out;
  std::tie(rc, out) = w.apply(poolObject("second", {"192.0.2.0/29"}));
  EXPECT_NE(rc, 0) << out;
  EXPECT_TRUE(contains(out, "denied the request")) << out;
  dumpLogOnFailure(c);
}

}  // namespace
}  // namespace ironlb::controller::it
