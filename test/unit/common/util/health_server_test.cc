#include "common/util/health_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <vector>

#include "test/unit/common/k8s/temp_dir.h"
#include "test/unit/common/k8s/test_pki.h"

namespace ironlb::util {
namespace {

class HealthServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.gauge("metallb_k8s_client_config_loaded_bool", "Loaded.").get().set(1);
    ASSERT_TRUE(server_.start({.bindAddress = "127.0.0.1", .port = 0, .insecure = true}).ok());
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
  ASSERT_TRUE(server.start({.bindAddress = "127.0.0.1", .port = 0, .insecure = true}).ok());
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
  ASSERT_TRUE(first.start({.bindAddress = "127.0.0.1", .port = 0, .insecure = true}).ok());
  HealthServer second(reg, nullptr);
  const Status st =
      second.start({.bindAddress = "127.0.0.1", .port = first.port(), .insecure = true});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().find("127.0.0.1:" + std::to_string(first.port())), std::string::npos)
      << st.error();
}

TEST(HealthServerStandaloneTest, StopRightAfterStartDoesNotHang) {
  MetricsRegistry reg;
  for (int i = 0; i < 20; ++i) {
    HealthServer server(reg, nullptr);
    ASSERT_TRUE(server.start({.bindAddress = "127.0.0.1", .port = 0, .insecure = true}).ok());
    server.stop();
  }
}

// ---- docs/metrics-endpoint.md: bounds and authorisation -------------------------------------

// A raw loopback client, for what HTTP libraries will not send.
int connectTo(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends `request`, reads until the server closes or `timeout`; returns what arrived.
std::string exchange(int fd, const std::string& request,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
  if (!request.empty()) (void)::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.find("\r\n\r\n") != std::string::npos &&
        out.find("Connection: close") == std::string::npos) {
      const auto cl = out.find("Content-Length: ");
      const auto end = out.find("\r\n\r\n");
      if (cl != std::string::npos && out.size() >= end + 4 + std::stoul(out.substr(cl + 16))) break;
    }
  }
  return out;
}

std::string statusLine(const std::string& response) {
  return response.substr(0, response.find("\r\n"));
}

class AllowToken final : public RequestAuthorizer {
 public:
  AuthDecision authorize(const std::string& token, const std::string& path,
                         const std::string& verb) override {
    ++calls;
    seen = token + " " + verb + " " + path;
    if (token == "good") return {AuthVerdict::kAllowed, ""};
    if (token == "nobody")
      return {AuthVerdict::kForbidden, "user \"x\" cannot get path \"/metrics\""};
    if (token == "down") return {AuthVerdict::kUnavailable, "API server unreachable"};
    return {AuthVerdict::kUnauthenticated, "invalid bearer token"};
  }
  int calls = 0;
  std::string seen;
};

class SecureMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.gauge("ironlb_test_gauge", "A gauge.").get().set(1);
    ASSERT_TRUE(server_
                    .start({.bindAddress = "127.0.0.1",
                            .port = 0,
                            .probeBindAddress = "127.0.0.1",
                            .probePort = 0,
                            .authorizer = &authz_})
                    .ok());
  }
  httplib::Result get(const std::string& path, const std::string& token) {
    httplib::SSLClient client("127.0.0.1", server_.port());
    client.enable_server_certificate_verification(false);
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(5, 0);
    if (!token.empty()) client.set_bearer_token_auth(token);
    return client.Get(path);
  }
  MetricsRegistry registry_;
  AllowToken authz_;
  HealthServer server_{registry_, [] { return HealthState{}; }};
};

TEST_F(SecureMetricsTest, NoTokenIs401WithoutAskingTheAuthorizer) {
  auto res = get("/metrics", "");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(res->get_header_value("WWW-Authenticate"), "Bearer realm=\"ironlb\"");
  EXPECT_EQ(authz_.calls, 0);
}

TEST_F(SecureMetricsTest, VerdictsMapTo200_401_403_503) {
  auto ok = get("/metrics", "good");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, registry_.render());
  EXPECT_EQ(authz_.seen, "good get /metrics");
  auto bad = get("/metrics", "forged");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);
  auto denied = get("/metrics", "nobody");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 403);
  EXPECT_NE(denied->body.find("cannot get path"), std::string::npos) << denied->body;
  auto down = get("/metrics", "down");
  ASSERT_TRUE(down);
  EXPECT_EQ(down->status, 503);
}

TEST_F(SecureMetricsTest, ProbesNeedNoTokenOnEitherListener) {
  auto res = get("/healthz", "");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  httplib::Client plain("127.0.0.1", server_.probePort());
  auto ready = plain.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  auto metrics = plain.Get("/metrics");  // the probe listener serves probes only
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 404);
}

TEST_F(SecureMetricsTest, PlainHttpOnTheTlsPortGetsNoMetrics) {
  const int fd = connectTo(server_.port());
  ASSERT_GE(fd, 0);
  const std::string out = exchange(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  ::close(fd);
  EXPECT_EQ(out.find("ironlb_test_gauge"), std::string::npos);
}

TEST(HealthServerBoundsTest, MissingAuthorizerIsAnError) {
  MetricsRegistry reg;
  HealthServer server(reg, nullptr);
  const Status st = server.start({.bindAddress = "127.0.0.1", .port = 0});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().find("authorizer"), std::string::npos) << st.error();
}

TEST(HealthServerBoundsTest, TlsFlagsMustComeInPairs) {
  MetricsRegistry reg;
  AllowToken authz;
  HealthServer server(reg, nullptr);
  const Status st = server.start(
      {.bindAddress = "127.0.0.1", .port = 0, .tlsCertFile = "/x.pem", .authorizer = &authz});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().find("--tls-key-file"), std::string::npos) << st.error();
}

TEST(HealthServerTlsFilesTest, ServesTheGivenCertificate) {
  k8s::testing::TempDir dir;
  const auto ca = k8s::testing::makeCa("test-ca");
  const auto leaf = k8s::testing::makeLeaf(ca, "metrics", "IP:127.0.0.1", true);
  const std::string caFile = dir.write("ca.pem", ca.certPem);
  const std::string certFile = dir.write("tls.crt", leaf.certPem);
  const std::string keyFile = dir.write("tls.key", leaf.keyPem);
  MetricsRegistry reg;
  AllowToken authz;
  HealthServer server(reg, nullptr);
  ASSERT_TRUE(server
                  .start({.bindAddress = "127.0.0.1",
                          .port = 0,
                          .tlsCertFile = certFile,
                          .tlsKeyFile = keyFile,
                          .authorizer = &authz})
                  .ok());
  httplib::SSLClient client("127.0.0.1", server.port());
  client.set_ca_cert_path(caFile);
  client.enable_server_certificate_verification(true);
  client.set_bearer_token_auth("good");
  auto res = client.Get("/metrics");  // verified against the CA: the given certificate is served
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
}

TEST(HealthServerTlsFilesTest, UnreadableOrMismatchedFilesNameTheFlag) {
  k8s::testing::TempDir dir;
  const auto ca = k8s::testing::makeCa("test-ca");
  const auto a = k8s::testing::makeLeaf(ca, "a", "", true);
  const auto b = k8s::testing::makeLeaf(ca, "b", "", true);
  const std::string certFile = dir.write("a.crt", a.certPem);
  const std::string otherKey = dir.write("b.key", b.keyPem);
  MetricsRegistry reg;
  AllowToken authz;
  HealthServer missing(reg, nullptr);
  Status st = missing.start({.bindAddress = "127.0.0.1",
                             .port = 0,
                             .tlsCertFile = dir.file("none.crt"),
                             .tlsKeyFile = otherKey,
                             .authorizer = &authz});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().find("--tls-cert-file=" + dir.file("none.crt")), std::string::npos)
      << st.error();
  HealthServer mismatched(reg, nullptr);
  st = mismatched.start({.bindAddress = "127.0.0.1",
                         .port = 0,
                         .tlsCertFile = certFile,
                         .tlsKeyFile = otherKey,
                         .authorizer = &authz});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().find("--tls-key-file=" + otherKey), std::string::npos) << st.error();
}

class BoundsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpLimits limits;
    limits.maxConnections = 4;
    limits.headerTimeout = std::chrono::milliseconds(300);
    ASSERT_TRUE(server_
                    .start({.bindAddress = "127.0.0.1",
                            .port = 0,
                            .probeBindAddress = "127.0.0.1",
                            .probePort = 0,
                            .insecure = true,
                            .limits = limits})
                    .ok());
  }
  std::string ask(int port, const std::string& request) {
    const int fd = connectTo(port);
    if (fd < 0) return "connect failed";
    std::string out = exchange(fd, request);
    ::close(fd);
    return out;
  }
  MetricsRegistry registry_;
  HealthServer server_{registry_, [] { return HealthState{}; }};
};

TEST_F(BoundsTest, OtherMethodsAre405) {
  const std::string out = ask(server_.port(), "DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(statusLine(out), "HTTP/1.1 405 Method Not Allowed");
  EXPECT_NE(out.find("Allow: GET, HEAD"), std::string::npos);
}

TEST_F(BoundsTest, AnyBodyIs413AndNeverRead) {
  EXPECT_EQ(
      statusLine(ask(server_.port(), "POST /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello")),
      "HTTP/1.1 413 Content Too Large");
  EXPECT_EQ(statusLine(ask(server_.probePort(),
                           "GET /healthz HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")),
            "HTTP/1.1 413 Content Too Large");
}

TEST_F(BoundsTest, OversizedHeadIs431) {
  const std::string big = "GET /healthz HTTP/1.1\r\nX-Pad: " + std::string(9000, 'a') + "\r\n\r\n";
  EXPECT_EQ(statusLine(ask(server_.probePort(), big)),
            "HTTP/1.1 431 Request Header Fields Too Large");
}

TEST_F(BoundsTest, HeadGetsHeadersOnlyAndKeepAliveServesTwo) {
  const int fd = connectTo(server_.port());
  ASSERT_GE(fd, 0);
  const std::string head =
      exchange(fd, "HEAD /metrics HTTP/1.1\r\n\r\n", std::chrono::milliseconds(300));
  EXPECT_EQ(statusLine(head), "HTTP/1.1 200 OK");
  EXPECT_EQ(head.substr(head.find("\r\n\r\n") + 4), "");
  const std::string get = exchange(fd, "GET /healthz HTTP/1.1\r\n\r\n");
  EXPECT_EQ(statusLine(get), "HTTP/1.1 200 OK");
  ::close(fd);
}

TEST_F(BoundsTest, AnIncompleteHeadIsCutOffAtTheHeaderTimeout) {
  const int fd = connectTo(server_.probePort());
  ASSERT_GE(fd, 0);
  const auto start = std::chrono::steady_clock::now();
  // Never finished: the server must close the connection, well before our 3 s read limit.
  (void)exchange(fd, "GET /healthz HTTP/1.1\r\nX-Slow: ");
  const auto took = std::chrono::steady_clock::now() - start;
  ::close(fd);
  EXPECT_LT(took, std::chrono::milliseconds(2000));
}

TEST_F(BoundsTest, IdleConnectionsAtTheCapDoNotLockOutAProbe) {
  std::vector<int> idle;
  for (int i = 0; i < 20; ++i) {  // 5x the cap of 4
    const int fd = connectTo(server_.probePort());
    ASSERT_GE(fd, 0);
    idle.push_back(fd);
  }
  const std::string out = ask(server_.probePort(), "GET /healthz HTTP/1.1\r\n\r\n");
  EXPECT_EQ(statusLine(out), "HTTP/1.1 200 OK");
  for (int fd : idle)
    ::close(fd);
}

// ---- bodies, when a server allows them (the admission webhook, docs/webhook.md) -------------

class BodyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpLimits limits;
    limits.maxBodyBytes = 64;
    limits.headerTimeout = std::chrono::milliseconds(300);
    server_ = std::make_unique<BoundedHttpServer>(
        "body",
        [](const RequestHead& head) {
          HttpReply r;
          r.body = "got " + std::to_string(head.body.size()) + ": " + head.body;
          return r;
        },
        limits);
    ASSERT_TRUE(server_->start("127.0.0.1", 0).ok());
  }
  std::string ask(const std::string& request) {
    const int fd = connectTo(server_->port());
    if (fd < 0) return "connect failed";
    std::string out = exchange(fd, request);
    ::close(fd);
    return out;
  }
  std::unique_ptr<BoundedHttpServer> server_;
};

TEST_F(BodyTest, ABodyWithinTheCapReachesTheHandlerWhole) {
  const std::string out =
      ask("POST /x HTTP/1.1\r\nContent-Length: 11\r\nConnection: close\r\n\r\nhello world");
  EXPECT_EQ(statusLine(out), "HTTP/1.1 200 OK");
  EXPECT_NE(out.find("got 11: hello world"), std::string::npos) << out;
}

TEST_F(BodyTest, ABodyOverTheCapIs413BeforeItIsRead) {
  EXPECT_EQ(statusLine(ask("POST /x HTTP/1.1\r\nContent-Length: 65\r\n\r\n")),
            "HTTP/1.1 413 Content Too Large");
  EXPECT_EQ(statusLine(ask("POST /x HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n")),
            "HTTP/1.1 413 Content Too Large");
}

TEST_F(BodyTest, AChunkedBodyIs411) {
  EXPECT_EQ(statusLine(ask("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")),
            "HTTP/1.1 411 Length Required");
}

TEST_F(BodyTest, AShortBodyIsCutOffAtTheHeaderTimeout) {
  const int fd = connectTo(server_->port());
  ASSERT_GE(fd, 0);
  const auto start = std::chrono::steady_clock::now();
  const std::string out = exchange(fd, "POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
  const auto took = std::chrono::steady_clock::now() - start;
  ::close(fd);
  EXPECT_EQ(out, "");  // closed without an answer: the handler never saw a partial body
  EXPECT_LT(took, std::chrono::milliseconds(2000));
}

TEST_F(BodyTest, TwoPipelinedRequestsWithBodiesAreAnsweredInOrder) {
  const int fd = connectTo(server_->port());
  ASSERT_GE(fd, 0);
  std::string out = exchange(fd,
                             "POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nonePOST /x "
                             "HTTP/1.1\r\nContent-Length: 3\r\nConnection: close\r\n\r\ntwo");
  // exchange() stops after one complete reply; the second may come in a later segment.
  for (std::string more = out; !more.empty() && out.find("got 3: two") == std::string::npos;) {
    more = exchange(fd, "");
    out += more;
  }
  ::close(fd);
  const auto first = out.find("got 3: one");
  const auto second = out.find("got 3: two");
  ASSERT_NE(first, std::string::npos) << out;
  ASSERT_NE(second, std::string::npos) << out;
  EXPECT_LT(first, second);
}

}  // namespace
}  // namespace ironlb::util
