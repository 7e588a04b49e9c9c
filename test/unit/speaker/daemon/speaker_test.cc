// Speaker driven end to end on fakes: the Kubernetes API is a FakeTransport (lists scripted per
// resource, one watch stream per resource), packets go through FakePacketIo on a fake link,
// time is a ManualClock, and the test steps the io_context. Membership is the real UDP driver
// on loopback with this node as the only member.

#include "speaker/daemon/speaker.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <boost/asio/ip/udp.hpp>

#include <map>
#include <sstream>

#include "common/k8s/testing/fake_configuration_state_reporter.h"
#include "common/k8s/testing/fake_transport.h"
#include "common/k8s/testing/run_until.h"
#include "common/util/logging.h"
#include "speaker/wire/arp.h"
#include "speaker/wire/frame.h"
#include "test/support/links.h"
#include "test/unit/common/k8s/temp_dir.h"
#include "test/unit/speaker/io/fakes.h"

namespace ironlb::speaker {
namespace {

using k8s::Json;
using k8s::testing::FakeStream;
using k8s::testing::FakeTransport;
using k8s::testing::runUntil;
using k8s::testing::watchLine;

constexpr const char* kNode = "n0";
constexpr const char* kVip = "192.0.2.1";
constexpr int kIfindex = 7;  // the fake link; no such interface on the host
const std::string kMetallb = "/apis/metallb.io/v1beta1/namespaces/metallb-system/";
const std::string kPools = kMetallb + "ipaddresspools";
const std::string kAdvertisements = kMetallb + "l2advertisements";
const std::vector<std::string> kListed = {"/api/v1/services",
                                          "/apis/discovery.k8s.io/v1/endpointslices",
                                          "/api/v1/nodes",
                                          "/api/v1/namespaces",
                                          kPools,
                                          kAdvertisements,
                                          kMetallb + "servicel2statuses"};

net::IpAddress ip(const char* text) {
  return net::IpAddress::parse(text).value();
}

Json meta(const std::string& name, const std::string& ns = "") {
  Json m = {{"name", name}, {"uid", "uid-" + name}, {"resourceVersion", "1"}};
  if (!ns.empty()) m["namespace"] = ns;
  return m;
}

Json node() {
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", meta(kNode)},
          {"status",
           {{"addresses", {{{"type", "InternalIP"}, {"address", "127.0.0.1"}}}},
            {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
}

Json pool(const std::string& name, const std::string& addresses) {
  return {{"apiVersion", "metallb.io/v1beta1"},
          {"kind", "IPAddressPool"},
          {"metadata", meta(name, "metallb-system")},
          {"spec", {{"addresses", {addresses}}}}};
}

Json advertisement() {
  return {{"apiVersion", "metallb.io/v1beta1"},
          {"kind", "L2Advertisement"},
          {"metadata", meta("l2", "metallb-system")},
          {"spec", {{"ipAddressPools", {"pool"}}}}};
}

Json service() {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", meta("web", "app")},
          {"spec",
           {{"type", "LoadBalancer"},
            {"externalTrafficPolicy", "Cluster"},
            {"ports", {{{"port", 80}, {"protocol", "TCP"}}}}}},
          {"status", {{"loadBalancer", {{"ingress", {{{"ip", kVip}}}}}}}}};
}

Json slice() {
  return {
      {"apiVersion", "discovery.k8s.io/v1"},
      {"kind", "EndpointSlice"},
      {"metadata",
       {{"name", "web-1"},
        {"namespace", "app"},
        {"resourceVersion", "1"},
        {"labels", {{"kubernetes.io/service-name", "web"}}}}},
      {"addressType", "IPv4"},
      {"endpoints",
       {{{"addresses", {"10.0.0.1"}}, {"conditions", {{"ready", true}}}, {"nodeName", kNode}}}}};
}

// A UDP port free on loopback right now (the membership socket binds it next).
uint16_t freeLoopbackPort() {
  boost::asio::io_context io;
  boost::asio::ip::udp::socket s(io, {boost::asio::ip::make_address_v4("127.0.0.1"), 0});
  return s.local_endpoint().port();
}

class SpeakerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    util::setupLogging({.level = spdlog::level::info},
                       std::make_shared<spdlog::sinks::ostream_sink_mt>(log_));
    links_.links = {testsupport::makeLink(kIfindex, "ironlb-fake0")};
    lists_["/api/v1/nodes"] = {node()};
    transport_.setFallback([this](const k8s::HttpRequest& r) { return answer(r); });
    options_.nodeName = kNode;
    options_.memberEndpoint = {ip("127.0.0.1"), freeLoopbackPort()};
    options_.key.assign(32, 'k');
  }
  void TearDown() override {
    speaker_.reset();
    util::setupLogging({});
  }

  // Lists answer from lists_; writes (Events, ServiceL2Status) succeed.
  Result<k8s::HttpResponse> answer(const k8s::HttpRequest& r) {
    const std::string path = r.path.substr(0, r.path.find('?'));
    if (r.method == "GET") {
      Json items = Json::array();
      for (const auto& o : lists_[path])
        items.push_back(o);
      return k8s::HttpResponse{
          200, {}, Json{{"metadata", {{"resourceVersion", "1"}}}, {"items", items}}.dump()};
    }
    Json body = r.body.empty() ? Json::object() : Json::parse(r.body);
    if (body.is_object() && body.contains("metadata")) {
      body["metadata"]["name"] = body["metadata"].value("name", "generated");
      body["metadata"]["resourceVersion"] = "2";
      body["metadata"]["uid"] = "uid-generated";
    }
    return k8s::HttpResponse{r.method == "POST" ? 201 : 200, {}, body.dump()};
  }

  // A pool, an advertisement selecting it, and a Service with a ready endpoint using its IP.
  void listOneAnnouncedService() {
    lists_[kPools] = {pool("pool", "192.0.2.0/28")};
    lists_[kAdvertisements] = {advertisement()};
    lists_["/api/v1/services"] = {service()};
    lists_["/apis/discovery.k8s.io/v1/endpointslices"] = {slice()};
  }

  Status start() {
    for (const auto& path : kListed)
      watches_[path] = transport_.queueStreamFor(path);
    auto created =
        Speaker::create(io_, clock_, api_, k8sMetrics_, registry_, packets_, links_, options_);
    if (!created.ok()) return makeError(created.error());
    speaker_ = std::move(created).value();
    return speaker_->start();
  }

  // Every frame the speaker sent on the fake link that is an ARP packet about `vip`.
  std::size_t arpAbout(const char* vip) {
    auto it = packets_.channels.find(kIfindex);
    if (it == packets_.channels.end()) return 0;
    std::size_t n = 0;
    for (const auto& f : it->second->sent) {
      auto frame = wire::parseFrame(f);
      n += frame.ok() && frame->kind == wire::Frame::Kind::kArp && frame->arp.senderIp == ip(vip);
    }
    return n;
  }

  // A client asks who has `vip`; returns whether the speaker answered.
  bool answersArp(const char* vip) {
    auto& channel = *packets_.channels.at(kIfindex);
    std::vector<uint8_t> req(wire::kArpFrameSize);
    const auto client = net::MacAddress({2, 0, 0, 0, 0, 0x99});
    wire::buildArpFrame(req, net::MacAddress::broadcast(), client,
                        {wire::ArpOp::kRequest, client, ip("192.0.2.200"), {}, ip(vip)});
    const std::size_t before = channel.sent.size();
    channel.handler->onFrame(req);
    for (std::size_t i = before; i < channel.sent.size(); ++i) {
      auto frame = wire::parseFrame(channel.sent[i]);
      if (frame.ok() && frame->kind == wire::Frame::Kind::kArp &&
          frame->arp.op == wire::ArpOp::kReply && frame->arp.senderIp == ip(vip))
        return true;
    }
    return false;
  }

  // Delivers one watch event and steps the loop until the speaker has handled it (and run the
  // flush it scheduled).
  void push(const std::string& path, const std::string& type, const Json& object) {
    const double before = k8sMetrics_.updates().value();
    Json versioned = object;  // a new resourceVersion, as the API server gives every write
    versioned["metadata"]["resourceVersion"] = std::to_string(++version_);
    watches_.at(path)->push(watchLine(type, versioned.dump()));
    ASSERT_TRUE(runUntil(io_, [&] { return k8sMetrics_.updates().value() > before; }));
    k8s::testing::drain(io_);
  }

  std::size_t logged(const std::string& text) const {
    const std::string all = log_.str();
    std::size_t n = 0;
    for (auto at = all.find(text); at != std::string::npos; at = all.find(text, at + 1))
      ++n;
    return n;
  }

  std::ostringstream log_;
  FakeTransport transport_;
  k8s::ApiClient api_{transport_};
  util::MetricsRegistry registry_;
  k8s::K8sMetrics k8sMetrics_{registry_};
  io::testing::FakePacketIo packets_;
  io::testing::FakeLinkWatcher links_;
  util::ManualClock clock_;
  boost::asio::io_context io_;
  SpeakerOptions options_;
  k8s::testing::FakeConfigurationStateReporter configState_;  // outlives speaker_
  std::map<std::string, std::vector<Json>> lists_;
  std::map<std::string, std::shared_ptr<FakeStream>> watches_;
  std::unique_ptr<Speaker> speaker_;
  int version_ = 1;
};

TEST_F(SpeakerTest, PoolAndAdvertisementLeadToAnnouncingAnOwnedIp) {
  listOneAnnouncedService();
  ASSERT_TRUE(start().ok());
  ASSERT_TRUE(runUntil(io_, [&] { return arpAbout(kVip) > 0; }))
      << "no gratuitous ARP for " << kVip << "; log:\n"
      << log_.str();
  EXPECT_TRUE(answersArp(kVip));
  EXPECT_FALSE(answersArp("192.0.2.2")) << "an IP of the pool no Service uses";
  EXPECT_TRUE(speaker_->readiness().ok) << speaker_->readiness().reason;
}

TEST_F(SpeakerTest, LosingOwnershipStopsAnswering) {
  listOneAnnouncedService();
  ASSERT_TRUE(start().ok());
  ASSERT_TRUE(runUntil(io_, [&] { return arpAbout(kVip) > 0; })) << log_.str();
  ASSERT_TRUE(answersArp(kVip));
  // No advertisement selects the pool any more: this node is no candidate for the IP.
  const std::size_t announced = arpAbout(kVip);
  push(kAdvertisements, "DELETED", advertisement());
  EXPECT_FALSE(answersArp(kVip));
  // And it stays so: a later event for the Service (handled, then flushed) does not bring it
  // back, and nothing more is announced for the IP.
  push("/api/v1/services", "MODIFIED", service());
  EXPECT_FALSE(answersArp(kVip));
  EXPECT_EQ(arpAbout(kVip), announced);
}

TEST_F(SpeakerTest, ConfigIssueIsReportedOncePerChange) {
  // A pool no advertisement selects: a warning (the configuration stays valid).
  lists_[kPools] = {pool("pool", "192.0.2.0/28"), pool("lonely", "198.51.100.0/28")};
  lists_[kAdvertisements] = {advertisement()};
  ASSERT_TRUE(start().ok());
  const std::string warning = "IPAddressPool metallb-system/lonely";
  ASSERT_TRUE(runUntil(io_, [&] { return logged(warning) == 1; })) << log_.str();
  // Another pool changes: the configuration is rebuilt, the warning is not news.
  push(kPools, "ADDED", pool("other", "203.0.113.0/28"));
  EXPECT_EQ(logged("IPAddressPool metallb-system/other"), 1u) << log_.str();
  EXPECT_EQ(logged(warning), 1u) << log_.str();
  // Gone (the advertisement selects it too), then back: reported again.
  Json both = advertisement();
  both["spec"]["ipAddressPools"] = {"pool", "lonely", "other"};
  push(kAdvertisements, "MODIFIED", both);
  EXPECT_EQ(logged(warning), 1u) << log_.str();
  Json one = advertisement();
  one["spec"]["ipAddressPools"] = {"pool", "other"};
  push(kAdvertisements, "MODIFIED", one);
  EXPECT_EQ(logged(warning), 2u) << log_.str();
}

TEST_F(SpeakerTest, ConfigurationVerdictReportedForEveryBuild) {
  auto& configState = configState_;
  options_.configState = &configState_;
  lists_[kPools] = {pool("pool", "192.0.2.0/28")};
  lists_[kAdvertisements] = {advertisement()};
  ASSERT_TRUE(start().ok());
  ASSERT_TRUE(runUntil(io_, [&] { return !configState.reports.empty(); }));
  EXPECT_EQ(configState.reports.back().result, "Valid");
  // An overlapping pool: Invalid, with the first error as the daemons log it.
  push(kPools, "ADDED", pool("overlap", "192.0.2.8/29"));
  ASSERT_TRUE(runUntil(io_, [&] { return configState.reports.back().result == "Invalid"; }));
  EXPECT_EQ(configState.reports.back().lastError.rfind("IPAddressPool metallb-system/", 0), 0u)
      << configState.reports.back().lastError;
  EXPECT_NE(configState.reports.back().lastError.find("spec.addresses[0]"), std::string::npos);
  push(kPools, "DELETED", pool("overlap", "192.0.2.8/29"));
  ASSERT_TRUE(runUntil(io_, [&] { return configState.reports.back().result == "Valid"; }));
  EXPECT_EQ(configState.reports.back().lastError, "");
}

TEST_F(SpeakerTest, KeyFileErrorIsReportedClearly) {
  k8s::testing::TempDir dir;
  options_.key.clear();
  options_.keyFile = dir.write("memberlist", "short\n");
  Status s = start();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error(), "membership key file " + options_.keyFile +
                           " holds 5 bytes; the key must be at least 16 bytes");
  options_.keyFile = dir.file("missing");
  s = start();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error(),
            "cannot read membership key file " + options_.keyFile + ": No such file or directory");
}

TEST_F(SpeakerTest, KeyFileBrokenLaterKeepsTheKeyAndSaysWhy) {
  k8s::testing::TempDir dir;
  options_.key.clear();
  options_.keyFile = dir.write("memberlist", "0123456789abcdef0123\n");
  options_.keyCheckInterval = std::chrono::milliseconds(20);
  ASSERT_TRUE(start().ok());
  dir.write("memberlist", "\n");
  const std::string expected =
      "membership key file " + options_.keyFile + " is empty (keeping the current key)";
  ASSERT_TRUE(runUntil(io_, [&] { return logged(expected) >= 1; })) << log_.str();
}

// Key rotation phases follow the injected clock: two grace periods pass in no real time.
TEST_F(SpeakerTest, KeyRotationFollowsTheInjectedClock) {
  k8s::testing::TempDir dir;
  options_.key.clear();
  options_.keyFile = dir.write("memberlist", "0123456789abcdef-old\n");
  options_.keyCheckInterval = std::chrono::milliseconds(20);
  options_.keyGrace = std::chrono::seconds(120);
  ASSERT_TRUE(start().ok());
  dir.write("memberlist", "0123456789abcdef-new\n");
  // Accept the new key while signing with the old.
  ASSERT_TRUE(runUntil(io_, [&] { return logged("membership keys changed (2 in use)") == 1; }))
      << log_.str();
  clock_.advance(options_.keyGrace);  // sign with the new key, still accept the old
  ASSERT_TRUE(runUntil(io_, [&] { return logged("membership keys changed (2 in use)") == 2; }))
      << log_.str();
  EXPECT_EQ(logged("membership keys changed (1 in use)"), 0u);
  clock_.advance(options_.keyGrace);  // the old key is dropped
  ASSERT_TRUE(runUntil(io_, [&] { return logged("membership keys changed (1 in use)") == 1; }))
      << log_.str();
}

}  // namespace
}  // namespace ironlb::speaker
