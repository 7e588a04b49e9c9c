// docs/webhook.md: one request end to end without the network: body -> verdict -> answer.
#include "controller/webhook/admission_handler.h"

#include <gtest/gtest.h>

namespace ironlb::controller::webhook {
namespace {

using nlohmann::json;

const std::string kNs = "metallb-system";

util::RequestHead post(const std::string& body) {
  util::RequestHead h;
  h.method = "POST";
  h.path = std::string(kValidatePath);
  h.body = body;
  return h;
}

json poolJson(const std::string& name, const std::string& range) {
  return {{"apiVersion", "metallb.io/v1beta1"},
          {"kind", "IPAddressPool"},
          {"metadata", {{"name", name}, {"namespace", kNs}}},
          {"spec", {{"addresses", {range}}}}};
}

// The request's kind and version are the object's own.
std::string reviewOf(const json& object) {
  const std::string apiVersion = object["apiVersion"];
  return json{{"apiVersion", "admission.k8s.io/v1"},
              {"kind", "AdmissionReview"},
              {"request",
               {{"uid", "u-7"},
                {"kind",
                 {{"group", "metallb.io"},
                  {"version", apiVersion.substr(apiVersion.find('/') + 1)},
                  {"kind", object["kind"]}}},
                {"operation", "CREATE"},
                {"namespace", kNs},
                {"name", object["metadata"]["name"]},
                {"object", object}}}}
      .dump();
}

StoredObjects storedWithFirst() {
  return [] {
    DecodedObjects d;
    api::IPAddressPool p;
    p.meta.name = "first";
    p.meta.ns = kNs;
    p.meta.creationTimestamp = "2026-01-01T00:00:00Z";
    p.spec.addresses = {"192.0.2.0/28"};
    d.snapshot.pools.push_back(p);
    return Result<DecodedObjects>(d);
  };
}

TEST(WebhookAdmissionHandler, RefusesAnOverlapWithTheRequestUid) {
  const util::HttpReply r =
      handleAdmission(post(reviewOf(poolJson("second", "192.0.2.8/29"))), storedWithFirst(), kNs);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.contentType, "application/json");
  const json answer = json::parse(r.body);
  EXPECT_EQ(answer["response"]["uid"], "u-7");
  EXPECT_EQ(answer["response"]["allowed"], false);
  const std::string message = answer["response"]["status"]["message"];
  EXPECT_NE(message.find("IPAddressPool metallb-system/second"), std::string::npos) << message;
  EXPECT_NE(message.find("IPAddressPool metallb-system/first"), std::string::npos) << message;
  EXPECT_NE(message.find("192.0.2.8/29"), std::string::npos) << message;
}

TEST(WebhookAdmissionHandler, AnObjectWithoutNamespaceIsJudgedInTheRequestsNamespace) {
  json object = poolJson("second", "192.0.2.8/29");
  object["metadata"].erase("namespace");
  const util::HttpReply r = handleAdmission(post(reviewOf(object)), storedWithFirst(), kNs);
  EXPECT_EQ(json::parse(r.body)["response"]["allowed"], false) << r.body;
}

TEST(WebhookAdmissionHandler, APoolBeingDeletedIsOutOfTheConfiguration) {
  // docs/allocation.md: a renamed pool took over the addresses of `second`, which the
  // pool-protection finalizer keeps while Services hold them; the controller's update that
  // removes the finalizer must not be refused for the overlap.
  json object = poolJson("second", "192.0.2.0/28");
  object["metadata"]["deletionTimestamp"] = "2026-01-02T00:00:00Z";
  object["metadata"]["finalizers"] = {"ironlb.io/pool-protection"};
  json review = json::parse(reviewOf(object));
  review["request"]["operation"] = "UPDATE";
  review["request"]["oldObject"] = object;
  const util::HttpReply r = handleAdmission(post(review.dump()), storedWithFirst(), kNs);
  EXPECT_EQ(json::parse(r.body)["response"]["allowed"], true) << r.body;
}

TEST(WebhookAdmissionHandler, AdmitsADisjointPool) {
  const util::HttpReply r =
      handleAdmission(post(reviewOf(poolJson("second", "192.0.2.16/28"))), storedWithFirst(), kNs);
  EXPECT_EQ(json::parse(r.body)["response"]["allowed"], true) << r.body;
}

TEST(WebhookAdmissionHandler, AnObjectThatDoesNotDecodeIsRefusedNamingTheField) {
  json bad = poolJson("odd", "192.0.2.16/28");
  bad["spec"]["addresses"] = 7;
  const util::HttpReply r = handleAdmission(post(reviewOf(bad)), storedWithFirst(), kNs);
  const json answer = json::parse(r.body);
  EXPECT_EQ(answer["response"]["allowed"], false);
  EXPECT_NE(answer["response"]["status"]["message"].get<std::string>().find("spec.addresses"),
            std::string::npos)
      << r.body;
}

TEST(WebhookAdmissionHandler, BgpKindsAreJudgedInBothBgpPeerVersions) {
  const StoredObjects stored = [] {
    DecodedObjects d;
    api::BGPPeer p;
    p.meta.name = "first";
    p.meta.ns = kNs;
    p.spec.myAsn = 64512;
    p.spec.peerAsn = 64513;
    p.spec.peerAddress = "192.0.2.1";
    d.snapshot.bgp.peers.push_back(p);
    return Result<DecodedObjects>(d);
  };
  json peer = {{"apiVersion", "metallb.io/v1beta2"},
               {"kind", "BGPPeer"},
               {"metadata", {{"name", "second"}, {"namespace", kNs}}},
               {"spec", {{"myASN", 64512}, {"peerASN", 64513}, {"peerAddress", "192.0.2.1"}}}};
  for (const char* version : {"metallb.io/v1beta2", "metallb.io/v1beta1"}) {
    peer["apiVersion"] = version;
    const json answer = json::parse(handleAdmission(post(reviewOf(peer)), stored, kNs).body);
    EXPECT_EQ(answer["response"]["allowed"], false) << version;
    EXPECT_NE(answer["response"]["status"]["message"].get<std::string>().find(
                  "BGPPeer metallb-system/second: spec.peerAddress: BGPPeer \"first\" already"),
              std::string::npos)
        << answer.dump();
  }
  json community = {{"apiVersion", "metallb.io/v1beta1"},
                    {"kind", "Community"},
                    {"metadata", {{"name", "c"}, {"namespace", kNs}}},
                    {"spec", {{"communities", 7}}}};
  const json answer = json::parse(handleAdmission(post(reviewOf(community)), stored, kNs).body);
  EXPECT_EQ(answer["response"]["allowed"], false) << "does not decode: " << answer.dump();
  // A metallb.io kind the configuration is not made of passes unread.
  json status = {{"apiVersion", "metallb.io/v1beta1"},
                 {"kind", "ServiceL2Status"},
                 {"metadata", {{"name", "l2-x"}, {"namespace", kNs}}},
                 {"status", 7}};
  EXPECT_EQ(
      json::parse(handleAdmission(post(reviewOf(status)), stored, kNs).body)["response"]["allowed"],
      true);
}

TEST(WebhookAdmissionHandler, GarbageIs400WrongPathIs404AndAnUnreadableStoreIs500) {
  const util::HttpReply garbage = handleAdmission(post("{not json"), storedWithFirst(), kNs);
  EXPECT_EQ(garbage.status, 400);
  EXPECT_NE(garbage.body.find("not valid JSON"), std::string::npos);
  util::RequestHead other = post("");
  other.path = "/other";
  EXPECT_EQ(handleAdmission(other, storedWithFirst(), kNs).status, 404);
  const util::HttpReply down = handleAdmission(
      post(reviewOf(poolJson("second", "192.0.2.16/28"))),
      [] { return Result<DecodedObjects>(makeError("connection refused")); }, kNs);
  EXPECT_EQ(down.status, 500);
  EXPECT_NE(down.body.find("connection refused"), std::string::npos);
}

}  // namespace
}  // namespace ironlb::controller::webhook
