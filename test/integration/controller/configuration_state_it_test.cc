// The controller's ConfigurationState (docs/custom-resources.md) against the real API server:
// "controller" in the install namespace says Valid, or Invalid with the first error (object,
// field, value), changes back when the configuration is fixed, and is owned by the controller's
// Pod (a Pod object made here: the test control plane runs no kubelet, so it stays Pending; no
// garbage collector runs either, so the collection itself is not observed here).
#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "common/k8s/object_meta.h"
#include "it_env.h"

namespace ironlb::controller::it {
namespace {

const k8s::ResourceType& kStates = k8s::resources::kConfigurationStates;
const k8s::ResourceType kPods{"", "v1", "pods", "Pod", true};
const k8s::ResourceType kServiceAccounts{"", "v1", "serviceaccounts", "ServiceAccount", true};

// A Pod object standing for the controller's own; returns its UID.
std::string makePod(const Scenario& s, const std::string& name) {
  // The ServiceAccount admission plugin wants the Pod's account to exist.
  cluster().create(
      kServiceAccounts, s.ns(),
      {{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", "default"}}}});
  const Json pod = {{"apiVersion", "v1"},
                    {"kind", "Pod"},
                    {"metadata", {{"name", name}}},
                    {"spec",
                     {{"automountServiceAccountToken", false},
                      {"containers", {{{"name", "c"}, {"image", "registry.invalid/none"}}}}}}};
  std::string error;
  EXPECT_TRUE(cluster().create(kPods, s.ns(), pod, &error)) << error;
  auto got = cluster().get(kPods, s.ns(), name);
  return got ? k8s::uidOf(*got) : "";
}

std::string resultOf(Scenario& s) {
  auto o = cluster().get(kStates, s.ns(), "controller");
  if (!o || !o->contains("status")) return "";
  return (*o)["status"].value("result", "");
}

bool waitResult(Scenario& s, const std::string& want) {
  const bool ok = eventually([&] { return resultOf(s) == want; }, 30s);
  EXPECT_TRUE(ok) << "ConfigurationState controller shows \"" << resultOf(s) << "\", not " << want;
  return ok;
}

// The words of the table row whose first column is `name`.
std::vector<std::string> rowOf(const std::string& table, const std::string& name) {
  std::istringstream lines(table);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::vector<std::string> row;
    for (std::string w; words >> w;)
      row.push_back(w);
    if (!row.empty() && row[0] == name) return row;
  }
  return {""};
}

void establish() {
  auto [rc, out] = sh("'" + env().kubectl +
                      "' wait --for=condition=Established --timeout=60s "
                      "crd/configurationstates.metallb.io");
  ASSERT_EQ(rc, 0) << out;
}

void cleanUp(Scenario& s) {
  cluster().remove(kStates, s.ns(), "controller");
  cluster().remove(kPods, s.ns(), "ironlb-controller-0");
}

// With the chart's RBAC only (so the chart grants what the writes need).
TEST(ControllerConfigurationStateIT, ReportsValid) {
  establish();
  Scenario s("cs-valid");
  std::string rendered, error;
  const std::string kubeconfig = chartIdentityKubeconfig(s, &rendered, &error);
  ASSERT_FALSE(kubeconfig.empty()) << error;
  const std::string uid = makePod(s, "ironlb-controller-0");
  ASSERT_FALSE(uid.empty());
  s.createPool("p", {"192.0.2.0/28"});
  s.createAdvertisement();
  ControllerOptions o = s.options("cs-it");
  o.kubeconfig = kubeconfig;
  o.leaderElect = true;
  o.extra.push_back("--pod-name=ironlb-controller-0");
  o.extra.push_back("--pod-uid=" + uid);
  Controller& c = s.startController(o);
  ASSERT_TRUE(c.waitReady()) << c.log();
  ASSERT_TRUE(waitResult(s, "Valid"));

  auto state = cluster().get(kStates, s.ns(), "controller");
  ASSERT_TRUE(state);
  const Json& meta = (*state)["metadata"];
  EXPECT_EQ(meta["labels"]["metallb.io/component-type"], "controller");
  EXPECT_FALSE(meta["labels"].contains("metallb.io/node-name"));
  ASSERT_EQ(meta["ownerReferences"].size(), 1u);
  EXPECT_EQ(meta["ownerReferences"][0]["kind"], "Pod");
  EXPECT_EQ(meta["ownerReferences"][0]["name"], "ironlb-controller-0");
  EXPECT_EQ(meta["ownerReferences"][0]["uid"], uid);
  EXPECT_FALSE((*state)["status"].contains("lastError"));
  EXPECT_EQ((*state)["status"]["conditions"][0]["type"], "ConfigurationValid");
  EXPECT_EQ((*state)["status"]["conditions"][0]["status"], "True");

  // What a user types, with the CRD's printer columns.
  auto [rc, table] = sh("'" + env().kubectl + "' get configurationstates -n " + s.ns());
  ASSERT_EQ(rc, 0) << table;
  EXPECT_NE(table.find("RESULT"), std::string::npos) << table;
  EXPECT_NE(table.find("COMPONENT"), std::string::npos) << table;
  EXPECT_NE(table.find("LAST ERROR"), std::string::npos) << table;
  EXPECT_EQ(rowOf(table, "controller"),
            (std::vector<std::string>{"controller", "Valid", "controller",
                                      rowOf(table, "controller").back()}))
      << table;

  const std::string log = c.log();
  EXPECT_EQ(log.find("Forbidden"), std::string::npos) << "the chart's RBAC covers the writes";
  EXPECT_EQ(log.find("cannot write the ConfigurationState"), std::string::npos) << log;
  c.stop();
  cleanUp(s);
  sh("'" + env().kubectl + "' delete -f '" + rendered + "' --wait=false");
}

TEST(ControllerConfigurationStateIT, ReportsInvalidWithError) {
  establish();
  Scenario s("cs-invalid");
  const std::string uid = makePod(s, "ironlb-controller-0");
  ASSERT_FALSE(uid.empty());
  s.createPool("p", {"192.0.2.0/28"});
  s.createAdvertisement();
  ControllerOptions o = s.options();
  o.extra.push_back("--pod-name=ironlb-controller-0");
  o.extra.push_back("--pod-uid=" + uid);
  Controller& c = s.startController(o);
  ASSERT_TRUE(c.waitReady()) << c.log();
  ASSERT_TRUE(waitResult(s, "Valid"));

  // Overlapping pools: valid objects each (the CRD schema admits them), an invalid
  // configuration together, which only the daemons can tell.
  s.createPool("q", {"192.0.2.8/29"});
  ASSERT_TRUE(waitResult(s, "Invalid"));
  auto state = cluster().get(kStates, s.ns(), "controller");
  ASSERT_TRUE(state);
  const Json status = (*state)["status"];
  const std::string lastError = status.value("lastError", "");
  EXPECT_NE(lastError.find("IPAddressPool " + s.ns() + "/"), std::string::npos) << lastError;
  EXPECT_NE(lastError.find("spec.addresses[0]"), std::string::npos) << lastError;
  EXPECT_NE(lastError.find("192.0.2."), std::string::npos) << lastError;
  EXPECT_NE(status.value("errorSummary", "").find("error"), std::string::npos) << status;
  EXPECT_EQ(status["conditions"][0]["status"], "False");
  EXPECT_EQ(status["conditions"][0]["reason"], "InvalidConfiguration");
  EXPECT_EQ(status["conditions"][0]["message"], lastError);
  auto [rc, table] = sh("'" + env().kubectl + "' get configurationstates -n " + s.ns());
  EXPECT_NE(table.find("Invalid"), std::string::npos) << table;

  // Fixed: Valid again, the error gone.
  ASSERT_TRUE(cluster().remove(k8s::resources::kIPAddressPools, s.ns(), "q"));
  ASSERT_TRUE(waitResult(s, "Valid"));
  state = cluster().get(kStates, s.ns(), "controller");
  ASSERT_TRUE(state);
  EXPECT_FALSE((*state)["status"].contains("lastError")) << (*state)["status"];
  EXPECT_FALSE((*state)["status"].contains("errorSummary")) << (*state)["status"];
  c.stop();
  cleanUp(s);
}

}  // namespace
}  // namespace ironlb::controller::it
