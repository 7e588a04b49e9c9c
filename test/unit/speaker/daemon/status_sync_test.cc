#include "speaker/daemon/status_sync.h"

#include <gtest/gtest.h>

#include "common/k8s/testing/fake_transport.h"
#include "common/k8s/testing/run_until.h"

namespace ironlb::speaker {
namespace {

using k8s::Json;
using k8s::testing::FakeTransport;
using k8s::testing::runUntil;

const std::string kPath = "/apis/metallb.io/v1beta1/namespaces/lb/servicel2statuses";

Json object(const std::string& name, const std::string& rv, bool withStatus) {
  Json o = {{"apiVersion", "metallb.io/v1beta1"},
            {"kind", "ServiceL2Status"},
            {"metadata",
             {{"name", name},
              {"namespace", "lb"},
              {"uid", "uid-" + name},
              {"resourceVersion", rv},
              {"labels",
               {{"metallb.io/node", "n0"},
                {"metallb.io/service-name", "web"},
                {"metallb.io/service-namespace", "app"}}}}},
            {"spec", Json::object()}};
  if (withStatus)
    o["status"] = {{"node", "n0"},
                   {"serviceName", "web"},
                   {"serviceNamespace", "app"},
                   {"interfaces", {{{"name", "eth0"}}}}};
  return o;
}

class StatusSyncTest : public ::testing::Test {
 protected:
  FakeTransport transport_;
  k8s::ApiClient api_{transport_};
  boost::asio::io_context io_;
  std::vector<std::string> errors_;
  StatusSync sync_{io_,
                   api_,
                   kL2StatusKind,
                   "lb",
                   "n0",
                   {"speaker-x1", "pod-uid-1"},
                   [this](const std::string& e) { errors_.push_back(e); }};
  const control::AnnouncedServices web_ = {{{"app", "web"}, {"eth0"}}};
};

TEST_F(StatusSyncTest, CreatesWithStatusThenDeletesWhenNoLongerAnnounced) {
  transport_.respond("POST", kPath, 201, object("l2-abc", "1", false).dump());
  transport_.respond("PUT", kPath + "/l2-abc/status", 200, object("l2-abc", "2", true).dump());
  sync_.setDesired(web_);
  sync_.setSynced();  // nothing is written before the first list
  ASSERT_TRUE(runUntil(io_, [&] { return sync_.inSync() && sync_.owned() == 1; }));
  const auto requests = transport_.requests();
  ASSERT_EQ(requests.size(), 2u);
  const Json created = Json::parse(requests[0].body);
  EXPECT_EQ(created["metadata"]["generateName"], "l2-");
  EXPECT_EQ(created["metadata"]["labels"]["metallb.io/node"], "n0");
  EXPECT_EQ(created["metadata"]["labels"]["metallb.io/service-name"], "web");
  EXPECT_EQ(created["metadata"]["labels"]["metallb.io/service-namespace"], "app");
  // Owned by the speaker's Pod, so the object goes with it even if the speaker cannot drain.
  EXPECT_EQ(created["metadata"]["ownerReferences"],
            Json::parse(R"([{"apiVersion":"v1","kind":"Pod","name":"speaker-x1",)"
                        R"("uid":"pod-uid-1"}])"));
  const Json status = Json::parse(requests[1].body)["status"];
  EXPECT_EQ(status, object("l2-abc", "2", true)["status"]);

  // The informer then reports the object: no further write (steady state writes nothing).
  sync_.onObject(object("l2-abc", "2", true));
  k8s::testing::drain(io_);
  EXPECT_EQ(transport_.requests().size(), 2u);

  transport_.respond("DELETE", kPath + "/l2-abc", 200, "{}");
  sync_.setDesired({});
  ASSERT_TRUE(runUntil(io_, [&] { return sync_.inSync() && sync_.owned() == 0; }));
  EXPECT_EQ(transport_.requests().back().method, "DELETE");
  EXPECT_NE(transport_.requests().back().body.find("uid-l2-abc"), std::string::npos);
  EXPECT_TRUE(errors_.empty());
}

TEST_F(StatusSyncTest, WithoutAPodTheObjectsHaveNoOwner) {
  StatusSync bare{io_, api_, kL2StatusKind, "lb", "n0", {}, [](const std::string&) {}};
  transport_.respond("POST", kPath, 201, object("l2-abc", "1", false).dump());
  transport_.respond("PUT", kPath + "/l2-abc/status", 200, object("l2-abc", "2", true).dump());
  bare.setDesired(web_);
  bare.setSynced();
  ASSERT_TRUE(runUntil(io_, [&] { return bare.inSync() && bare.owned() == 1; }));
  EXPECT_FALSE(Json::parse(transport_.requests()[0].body)["metadata"].contains("ownerReferences"));
}

TEST_F(StatusSyncTest, ObjectsLeftByAnEarlierRunAreCleanedUp) {
  sync_.onObject(object("l2-old", "5", true));
  transport_.respond("DELETE", kPath + "/l2-old", 404, "{}");  // already gone: fine
  sync_.setSynced();
  ASSERT_TRUE(runUntil(io_, [&] { return sync_.owned() == 0 && sync_.inSync(); }));
  EXPECT_TRUE(errors_.empty());
}

TEST_F(StatusSyncTest, AnObjectThatDoesNotDecodeIsReportedAndLeftOut) {
  Json bad = object("l2-bad", "3", true);
  bad["status"]["interfaces"] = "eth0";  // not a list: api::decodeServiceL2Status refuses it
  sync_.onObject(bad);
  sync_.onObject(object("l2-good", "4", true));
  EXPECT_EQ(sync_.owned(), 1u);
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_NE(errors_[0].find("ServiceL2Status lb/l2-bad"), std::string::npos) << errors_[0];
  EXPECT_NE(errors_[0].find("status.interfaces"), std::string::npos) << errors_[0];
}

TEST_F(StatusSyncTest, RetriesAfterAnApiFailure) {
  transport_.respond("POST", kPath, 503,
                     R"({"kind":"Status","code":503,"reason":"ServiceUnavailable"})");
  transport_.respond("POST", kPath, 201, object("l2-abc", "1", false).dump());
  transport_.respond("PUT", kPath + "/l2-abc/status", 200, object("l2-abc", "2", true).dump());
  sync_.setSynced();
  sync_.setDesired(web_);
  ASSERT_TRUE(runUntil(
      io_, [&] { return sync_.inSync() && sync_.owned() == 1; }, std::chrono::seconds(5)));
  EXPECT_EQ(transport_.count("POST", kPath), 2u);
  EXPECT_EQ(errors_.size(), 1u);
}

TEST_F(StatusSyncTest, DrainGivesUpAtTheDeadlineWhenTheApiIsDown) {
  sync_.onObject(object("l2-abc", "2", true));
  transport_.setFallback([](const k8s::HttpRequest&) -> Result<k8s::HttpResponse> {
    return makeError("connection refused");
  });
  sync_.setSynced();
  bool done = false;
  const auto t0 = std::chrono::steady_clock::now();
  sync_.drain(std::chrono::milliseconds(300), [&] { done = true; });
  ASSERT_TRUE(runUntil(
      io_, [&] { return done; }, std::chrono::seconds(5)));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(300));
  EXPECT_FALSE(sync_.inSync());
}

TEST(StatusSyncBgpTest, WritesServiceBgpStatusWithPeers) {
  FakeTransport transport;
  k8s::ApiClient api{transport};
  boost::asio::io_context io;
  StatusSync sync{io, api, kBgpStatusKind, "lb", "n0", {}, [](const std::string&) {}};
  const std::string path = "/apis/metallb.io/v1beta1/namespaces/lb/servicebgpstatuses";
  Json created = object("bgp-abc", "1", false);
  created["kind"] = "ServiceBGPStatus";
  Json written = created;
  written["status"] = {{"node", "n0"},
                       {"serviceName", "web"},
                       {"serviceNamespace", "app"},
                       {"peers", {"tor-a", "tor-b"}}};
  transport.respond("POST", path, 201, created.dump());
  transport.respond("PUT", path + "/bgp-abc/status", 200, written.dump());
  sync.setDesired({{{"app", "web"}, {"tor-a", "tor-b"}}});
  sync.setSynced();
  ASSERT_TRUE(runUntil(io, [&] { return sync.inSync() && sync.owned() == 1; }));
  const auto requests = transport.requests();
  ASSERT_EQ(requests.size(), 2u);
  const Json body = Json::parse(requests[0].body);
  EXPECT_EQ(body["kind"], "ServiceBGPStatus");
  EXPECT_EQ(body["metadata"]["generateName"], "bgp-");
  EXPECT_EQ(body["metadata"]["labels"]["metallb.io/node"], "n0");
  EXPECT_EQ(Json::parse(requests[1].body)["status"], written["status"]);

  // The peers change: one status update, nothing else.
  Json updated = written;
  updated["status"]["peers"] = {"tor-a"};
  transport.respond("PUT", path + "/bgp-abc/status", 200, updated.dump());
  sync.setDesired({{{"app", "web"}, {"tor-a"}}});
  ASSERT_TRUE(runUntil(io, [&] { return sync.inSync() && sync.writes() == 2; }));
  ASSERT_EQ(transport.requests().size(), 3u);
  EXPECT_EQ(Json::parse(transport.requests()[2].body)["status"]["peers"],
            Json::parse(R"(["tor-a"])"));
}

}  // namespace
}  // namespace ironlb::speaker
