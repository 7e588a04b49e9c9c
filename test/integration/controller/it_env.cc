// Controller integration environment: arguments, CRDs, the Scenario fixture.
#include "it_env.h"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <tuple>

#include "common/k8s/object_meta.h"

namespace ironlb::controller::it {
namespace {

Env gEnv;
std::unique_ptr<Client> gAdmin;
std::unique_ptr<Cluster> gCluster;

std::string getenvOr(const char* name, const std::string& fallback = "") {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

class CrdEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    std::string error;
    gAdmin = connect(gEnv.kubeconfig, 32, &error);
    ASSERT_TRUE(gAdmin) << error;
    gCluster = std::make_unique<Cluster>(*gAdmin->api);
    // Server-side apply, as the CRD suite does: idempotent and tolerant of other appliers.
    auto [rc, out] = sh("'" + gEnv.kubectl +
                        "' apply --server-side --force-conflicts "
                        "--field-manager=ironlb-controller-it -f '" +
                        gEnv.repo + "/crds/' && '" + gEnv.kubectl +
                        "' wait --for=condition=Established --timeout=60s "
                        "crd/ipaddresspools.metallb.io crd/l2advertisements.metallb.io "
                        "crd/bgppeers.metallb.io crd/bgpadvertisements.metallb.io "
                        "crd/bfdprofiles.metallb.io crd/communities.metallb.io");
    ASSERT_EQ(rc, 0) << out;
  }
  void TearDown() override {
    gCluster.reset();
    gAdmin.reset();
  }
};

}  // namespace

const Env& env() {
  return gEnv;
}

Cluster& cluster() {
  return *gCluster;
}

k8s::ApiClient& adminApi() {
  return *gAdmin->api;
}

std::string unique(const std::string& prefix) {
  static std::atomic<int> n{0};
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
}

std::pair<int, std::string> sh(const std::string& command) {
  std::string out;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return {-1, "popen failed"};
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
    out.append(buf.data(), n);
  const int st = ::pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

Scenario::Scenario(const std::string& name, const std::map<std::string, std::string>& nsLabels)
    : ns_(unique("ctl-" + name)), cls_("ironlb.io/" + ns_) {
  std::string error;
  EXPECT_TRUE(
      cluster().create(k8s::resources::kNamespaces, "", namespaceObject(ns_, nsLabels), &error))
      << error;
}

Scenario::~Scenario() {
  for (auto& c : controllers_) {
    c->stop();
    dumpLogOnFailure(*c);
  }
  // No namespace controller on the test control plane: delete what we made so that suites
  // listing cluster-wide do not trip over it.
  for (const Json& s : cluster().list(k8s::resources::kServices, ns_))
    cluster().remove(k8s::resources::kServices, ns_, k8s::nameOf(s));
  for (const auto* type : {&k8s::resources::kIPAddressPools, &k8s::resources::kL2Advertisements,
                           &k8s::resources::kBGPPeers, &k8s::resources::kBGPAdvertisements,
                           &k8s::resources::kBFDProfiles, &k8s::resources::kCommunities}) {
    for (const Json& o : cluster().list(*type, ns_)) {
      // The stopped controller no longer removes its pool-protection finalizer.
      if (o.contains("metadata") && o["metadata"].contains("finalizers")) {
        cluster().mergePatch(*type, ns_, k8s::nameOf(o), {{"metadata", {{"finalizers", nullptr}}}});
      }
      cluster().remove(*type, ns_, k8s::nameOf(o));
    }
  }
  cluster().remove(k8s::resources::kNamespaces, "", ns_);
}

ControllerOptions Scenario::options(const std::string& identity) const {
  ControllerOptions o;
  o.binary = env().controller;
  o.kubeconfig = env().kubeconfig;
  o.ns = ns_;
  o.lbClass = cls_;
  o.identity = identity;
  o.leaseName = "ironlb-controller";
  o.extra = {"--lease-duration=4s", "--renew-deadline=3s", "--retry-period=500ms"};
  return o;
}

Controller& Scenario::startController(ControllerOptions options, const std::string& tag) {
  const std::string log = env().work + "/" + ns_ + "-" + options.identity + tag + ".log";
  controllers_.push_back(std::make_unique<Controller>(std::move(options), log));
  std::string error;
  EXPECT_TRUE(controllers_.back()->start(&error)) << error;
  return *controllers_.back();
}

bool Scenario::createPool(const std::string& name, const std::vector<std::string>& addresses,
                          const Json& extraSpec) {
  std::string error;
  const bool ok = cluster().create(k8s::resources::kIPAddressPools, ns_,
                                   poolObject(name, addresses, extraSpec), &error);
  EXPECT_TRUE(ok) << error;
  return ok;
}

bool Scenario::createAdvertisement(const std::string& name, const Json& spec) {
  std::string error;
  const bool ok = cluster().create(k8s::resources::kL2Advertisements, ns_,
                                   l2AdvertisementObject(name, spec), &error);
  EXPECT_TRUE(ok) << error;
  return ok;
}

bool Scenario::createService(const std::string& name, ServiceSpec spec) {
  if (spec.lbClass.empty()) spec.lbClass = cls_;
  std::string error;
  const bool ok =
      cluster().create(k8s::resources::kServices, ns_, serviceObject(name, spec), &error);
  EXPECT_TRUE(ok) << error;
  return ok;
}

bool Scenario::makeClusterIp(const std::string& name) {
  return cluster().mergePatch(k8s::resources::kServices, ns_, name,
                              {{"spec",
                                {{"type", "ClusterIP"},
                                 {"loadBalancerClass", nullptr},
                                 {"allocateLoadBalancerNodePorts", nullptr}}}});
}

std::string chartIdentityKubeconfig(const Scenario& s, std::string* rendered, std::string* error,
                                    bool withWebhook) {
  const std::string kubectl = "'" + env().kubectl + "'";
  *rendered = env().work + "/" + s.ns() + "-rbac.yaml";
  const std::string helm = "'" + env().helm + "' template ironlb '" + env().repo +
                           "/config/helm/ironlb' --namespace " + s.ns();
  auto [rc, out] = sh(helm + " --show-only templates/rbac.yaml > '" + *rendered + "'");
  if (rc == 0 && withWebhook) {
    std::tie(rc, out) =
        sh("(echo '---'; " + helm +
           " --show-only templates/webhook.yaml | /usr/bin/python3 -c 'import sys, yaml; "
           "print(yaml.safe_dump_all([d for d in yaml.safe_load_all(sys.stdin) if d and "
           "d[\"kind\"].startswith((\"Role\", \"ClusterRole\"))]))') >> '" +
           *rendered + "'");
  }
  if (rc == 0) {
    std::tie(rc, out) = sh(kubectl + " apply -f '" + *rendered + "' && " + kubectl + " -n " +
                           s.ns() + " create serviceaccount ironlb-controller");
  }
  if (rc == 0) {
    std::tie(rc, out) =
        sh(kubectl + " -n " + s.ns() + " create token ironlb-controller --duration=1h");
  }
  if (rc != 0) {
    *error = out;
    return "";
  }
  const std::string token = out.substr(0, out.find_last_not_of("\n") + 1);
  const std::string kubeconfig = env().work + "/" + s.ns() + "-sa.kubeconfig";
  std::ofstream k(kubeconfig);
  k << "apiVersion: v1\nkind: Config\ncurrent-context: sa\n"
    << "clusters:\n- name: c\n  cluster:\n    server: " << env().apiserverUrl
    << "\n    certificate-authority: " << env().caCert << "\n"
    << "users:\n- name: sa\n  user:\n    token: " << token << "\n"
    << "contexts:\n- name: sa\n  context: {cluster: c, user: sa}\n";
  return kubeconfig;
}

void dumpLogOnFailure(const Controller& c) {
  if (!::testing::Test::HasFailure()) return;
  const std::string log = c.log();
  const std::size_t keep = 6000;
  std::printf("---- %s (last %zu bytes)\n%s\n----\n", c.logPath().c_str(),
              std::min(keep, log.size()),
              log.size() > keep ? log.substr(log.size() - keep).c_str() : log.c_str());
}

}  // namespace ironlb::controller::it

int main(int argc, char** argv) {
  using ironlb::controller::it::gEnv;
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto take = [&](const char* name, std::string& out) {
      const std::string prefix = std::string("--") + name + "=";
      if (arg.rfind(prefix, 0) != 0) return false;
      out = arg.substr(prefix.size());
      return true;
    };
    if (!take("controller", gEnv.controller) && !take("repo", gEnv.repo) &&
        !take("work", gEnv.work)) {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  gEnv.kubeconfig = ironlb::controller::it::getenvOr("KUBECONFIG");
  gEnv.kubectl = ironlb::controller::it::getenvOr("IRONLB_KUBECTL", "kubectl");
  gEnv.helm = ironlb::controller::it::getenvOr("IRONLB_HELM", "helm");
  gEnv.state = ironlb::controller::it::getenvOr("IRONLB_CONTROLPLANE_STATE");
  gEnv.apiserverUrl = ironlb::controller::it::getenvOr("IRONLB_APISERVER_URL");
  gEnv.caCert = ironlb::controller::it::getenvOr("IRONLB_CA_CERT");
  if (gEnv.kubeconfig.empty() || gEnv.controller.empty() || gEnv.repo.empty() ||
      gEnv.work.empty()) {
    std::fprintf(stderr, "usage: source STATE/env && %s --controller=BIN --repo=ROOT --work=DIR\n",
                 argv[0]);
    return 2;
  }
  std::filesystem::create_directories(gEnv.work);
  ::testing::AddGlobalTestEnvironment(new ironlb::controller::it::CrdEnvironment);
  return RUN_ALL_TESTS();
}
