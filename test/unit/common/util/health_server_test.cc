#include "common/util/health_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

namespace ironlb::util {
namespace {

class HealthServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.gauge("metallb_k8s_client_config_loaded_bool", "Loaded.").get().set(1);
    ASSERT_TRUE(server_.start({.bindAddress = "127.0.0.1", .port = 0}).ok());
    ASSERT_GT(server_.port(), 0);
  }
  httplib::Result get(const std::string& path) {
    httplib::Client client("127.0.0.1", server_.port());
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(5, 0);
    return client.Get(path);
  }

  MetricsRegistry registry_;
  ReadinessFlag ready_{"informers not synced"};
  HealthServer server_{registry_, [this] { return ready_.get(); }};
};

TEST_F(HealthServerTest, MetricsServesTheRegistry) {
  auto res = get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, registry_.render());
  EXPECT_NE(res->get_header_value("Content-Type").find("version=0.0.4"), std::string::npos);
}

TEST_F(HealthServerTest, ReadyzFollowsTheFlagAndExplainsWhyNot) {
  auto res = get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(res->body, "not ready: informers not synced\n");
  ready_.setReady();
  res = get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  ready_.setNotReady("lost API server");
  res = get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(res->body, "not ready: lost API server\n");
}

TEST_F(HealthServerTest, HealthzIsOkByDefault) {
  auto res = get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(HealthServerTest, UnknownPathIs404) {
  auto res = get("/nope");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
}

TEST(HealthServerStandaloneTest, LivenessCallbackAndStopIsIdempotent) {
  MetricsRegistry reg;
  HealthServer server(reg, nullptr, [] { return HealthState{false, "logic loop stalled"}; });
  ASSERT_TRUE(server.start({.bindAddress = "127.0.0.1", .port = 0}).ok());
  httplib::Client client("127.0.0.1", server.port());
  auto res = client.Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(res->body, "not healthy: logic loop stalled\n");
  server.stop();
  server.stop();
}

TEST(HealthServerStandaloneTest, BindFailureNamesTheAddress) {
  MetricsRegistry reg;
  HealthServer first(reg, nullptr);
  ASSERT_TRUE(first.start({.bindAddress = "127.0.0.1", .port = 0}).ok());
  HealthServer second(reg, nullptr);
  const Status st = second.start({.bindAddress = "127.0.0.1", .port = first.port()});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().find("127.0.0.1:" + std::to_string(first.port())), std::string::npos)
      << st.error();
}

TEST(HealthServerStandaloneTest, StopRightAfterStartDoesNotHang) {
  MetricsRegistry reg;
  for (int i = 0; i < 20; ++i) {
    HealthServer server(reg, nullptr);
    ASSERT_TRUE(server.start({.bindAddress = "127.0.0.1", .port = 0}).ok());
    server.stop();
  }
}

}  // namespace
}  // namespace ironlb::util
