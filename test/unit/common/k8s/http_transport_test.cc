// The real HTTP transport against local cpp-httplib servers (plain and TLS) on loopback.
#include "common/k8s/http_transport.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/x509_vfy.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "temp_dir.h"
#include "test_pki.h"

namespace ironlb::k8s {
namespace {

using namespace std::chrono_literals;
using testing::makeCa;
using testing::makeLeaf;
using testing::TempDir;
using testing::TestCert;

TEST(ServerUrlTest, Parses) {
  struct Case {
    const char* url;
    bool tls;
    const char* host;
    int port;
    const char* base;
  };
  const Case cases[] = {
      {"https://127.0.0.1:6443", true, "127.0.0.1", 6443, ""},
      {"https://kubernetes.default.svc", true, "kubernetes.default.svc", 443, ""},
      {"http://localhost:8080/", false, "localhost", 8080, ""},
      {"https://[::1]:7443/k8s/clusters/c-1/", true, "::1", 7443, "/k8s/clusters/c-1"},
      {"https://[fd00::1]", true, "fd00::1", 443, ""},
  };
  for (const auto& c : cases) {
    auto u = parseServerUrl(c.url);
    ASSERT_TRUE(u.ok()) << c.url << ": " << u.error();
    EXPECT_EQ(u->tls, c.tls) << c.url;
    EXPECT_EQ(u->host, c.host) << c.url;
    EXPECT_EQ(u->port, c.port) << c.url;
    EXPECT_EQ(u->basePath, c.base) << c.url;
  }
  for (const char* bad : {"ftp://x", "127.0.0.1:6443", "https://", "https://[::1", "https://h:0",
                          "https://h:99999", "https://h:8a", "https://[::1]x"}) {
    EXPECT_FALSE(parseServerUrl(bad).ok()) << bad;
  }
}

// A local server on its own thread. Handlers can block until release() (teardown calls it).
class LocalServer {
 public:
  explicit LocalServer(std::unique_ptr<httplib::Server> server) : server_(std::move(server)) {
    // httplib writes response headers and body separately; Nagle would hold each body back
    // for the client's delayed ACK (40 ms). The API server (Go) sets TCP_NODELAY too.
    server_->set_tcp_nodelay(true);
  }
  ~LocalServer() { stop(); }
  httplib::Server& operator*() { return *server_; }
  void start(int port = 0) {
    if (port == 0) {
      port_ = server_->bind_to_any_port("127.0.0.1");
    } else if (server_->bind_to_port("127.0.0.1", port)) {
      port_ = port;
    }
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running())
      std::this_thread::yield();
  }
  void stop() {
    release();
    if (thread_.joinable()) {
      server_->stop();
      thread_.join();
    }
  }
  void release() { released_ = true; }
  bool released() const { return released_; }
  int port() const { return port_; }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> released_{false};
  int port_ = 0;
};

void addRoutes(LocalServer& s) {
  auto echo = [](const httplib::Request& req, httplib::Response& res) {
    nlohmann::json j = {{"method", req.method},
                        {"target", req.target},
                        {"authorization", req.get_header_value("Authorization")},
                        {"contentType", req.get_header_value("Content-Type")},
                        {"accept", req.get_header_value("Accept")},
                        {"body", req.body}};
    res.set_header("X-Mixed-Case", "yes");
    res.set_content(j.dump(), "application/json");
  };
  (*s).Get("/echo", echo);
  (*s).Post("/echo", echo);
  (*s).Put("/echo", echo);
  (*s).Patch("/echo", echo);
  (*s).Delete("/echo", echo);
  (*s).Get(R"(/status/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
    res.status = std::stoi(req.matches[1]);
    res.set_content(R"({"kind":"Status","code":)" + std::string(req.matches[1]) +
                        R"(,"reason":"Custom","message":"scripted"})",
                    "application/json");
  });
  (*s).Get("/lines", [](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("application/json", [](size_t, httplib::DataSink& sink) {
      for (const char* part : {"{\"n\":1}\n{\"n\"", ":2}", "\n{\"n\":3}\n"}) {
        sink.write(part, std::strlen(part));
      }
      sink.done();
      return true;
    });
  });
  // Sends one line, then keeps the stream open until released or the client goes away.
  (*s).Get("/hang", [&s](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("application/json",
                                     [&s](size_t offset, httplib::DataSink& sink) {
                                       if (offset == 0) {
                                         sink.write("{\"n\":1}\n", 8);
                                         return true;
                                       }
                                       while (!s.released() && sink.is_writable())
                                         std::this_thread::sleep_for(5ms);
                                       sink.done();
                                       return true;
                                     });
  });
  // Never answers (until released): for read timeouts.
  (*s).Get("/silent", [&s](const httplib::Request&, httplib::Response& res) {
    while (!s.released())
      std::this_thread::sleep_for(5ms);
    res.set_content("{}", "application/json");
  });
}

ClusterConfig plainConfig(int port) {
  ClusterConfig c;
  c.server = "http://127.0.0.1:" + std::to_string(port);
  c.source = "test config";
  return c;
}

class HttpTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    addRoutes(server_);
    server_.start();
  }
  std::unique_ptr<Transport> transport(ClusterConfig c, TransportOptions o = {}) {
    auto t = makeHttpTransport(c, o, clock_);
    EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error());
    return t.ok() ? std::move(*t) : nullptr;
  }
  util::ManualClock clock_;
  LocalServer server_{std::make_unique<httplib::Server>()};
};

TEST_F(HttpTransportTest, SendCarriesMethodBodyHeadersAndToken) {
  ClusterConfig c = plainConfig(server_.port());
  c.token = "s3cret";
  auto t = transport(c);
  for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
    HttpRequest req;
    req.method = method;
    req.path = "/echo?watch=false&x=%2F";
    if (std::string(method) != "GET") {
      req.body = R"({"a":1})";
      req.contentType = "application/merge-patch+json";
    }
    auto res = t->send(req);
    ASSERT_TRUE(res.ok()) << method << ": " << res.error();
    ASSERT_EQ(res->status, 200) << method;
    const auto j = nlohmann::json::parse(res->body);
    EXPECT_EQ(j["method"], method);
    EXPECT_EQ(j["target"], "/echo?watch=false&x=%2F");
    EXPECT_EQ(j["authorization"], "Bearer s3cret");
    EXPECT_EQ(j["accept"], "application/json");
    EXPECT_EQ(j["body"], req.body);
    if (!req.body.empty()) {
      EXPECT_EQ(j["contentType"], "application/merge-patch+json");
    }
    EXPECT_EQ(res->headers["x-mixed-case"], "yes") << "header names are lower-cased";
  }
}

TEST_F(HttpTransportTest, HttpErrorsAreResponsesNotFailures) {
  auto t = transport(plainConfig(server_.port()));
  auto res = t->send({.method = "GET", .path = "/status/409"});
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 409);
  EXPECT_NE(res->body.find("scripted"), std::string::npos);
}

TEST_F(HttpTransportTest, BasePathIsPrepended) {
  ClusterConfig c = plainConfig(server_.port());
  c.server += "/prefix";
  (*server_).Get("/prefix/echo", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{}", "application/json");
  });
  auto t = transport(c);
  auto res = t->send({.method = "GET", .path = "/echo"});
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 200);
}

TEST_F(HttpTransportTest, StreamDeliversLinesAcrossChunkBoundaries) {
  auto t = transport(plainConfig(server_.port()));
  std::vector<std::string> lines;
  auto res = t->stream({.method = "GET", .path = "/lines"}, [&](std::string_view l) {
    lines.emplace_back(l);
    return true;
  });
  ASSERT_TRUE(res.ok()) << res.error();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(lines, (std::vector<std::string>{"{\"n\":1}", "{\"n\":2}", "{\"n\":3}"}));
}

TEST_F(HttpTransportTest, StreamErrorStatusReturnsTheBody) {
  auto t = transport(plainConfig(server_.port()));
  int calls = 0;
  auto res = t->stream({.method = "GET", .path = "/status/410"}, [&](std::string_view) {
    ++calls;
    return true;
  });
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 410);
  EXPECT_NE(res->body.find("scripted"), std::string::npos);
  EXPECT_EQ(calls, 0);
}

TEST_F(HttpTransportTest, CancelInterruptsAStreamBlockedInARead) {
  auto t = transport(plainConfig(server_.port()));
  CancelToken cancel;
  std::atomic<bool> gotFirst{false};
  std::thread canceller([&] {
    while (!gotFirst)
      std::this_thread::yield();
    cancel.cancel();
  });
  const auto t0 = std::chrono::steady_clock::now();
  auto res = t->stream({.method = "GET", .path = "/hang", .timeout = 60s, .cancel = &cancel},
                       [&](std::string_view) {
                         gotFirst = true;
                         return true;
                       });
  canceller.join();
  EXPECT_FALSE(res.ok());
  EXPECT_NE(res.error().find("cancelled"), std::string::npos) << res.error();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 30s) << "returned long before the timeout";
}

TEST_F(HttpTransportTest, CancelBeforeTheRequestStartsIsHonoured) {
  auto t = transport(plainConfig(server_.port()));
  CancelToken cancel;
  cancel.cancel();
  auto res = t->stream({.method = "GET", .path = "/hang", .timeout = 60s, .cancel = &cancel},
                       [](std::string_view) { return true; });
  EXPECT_FALSE(res.ok());
}

TEST_F(HttpTransportTest, ReadTimeoutEndsASilentRequest) {
  auto t = transport(plainConfig(server_.port()));
  auto res = t->send({.method = "GET", .path = "/silent", .timeout = 300ms});
  ASSERT_FALSE(res.ok());
  EXPECT_NE(res.error().find("read timed out"), std::string::npos) << res.error();
}

TEST_F(HttpTransportTest, ConcurrentRequestsDoNotQueueBehindAStream) {
  auto t = transport(plainConfig(server_.port()));
  CancelToken cancel;
  std::atomic<bool> streaming{false};
  std::thread watcher([&] {
    (void)t->stream({.method = "GET", .path = "/hang", .timeout = 60s, .cancel = &cancel},
                    [&](std::string_view) {
                      streaming = true;
                      return true;
                    });
  });
  while (!streaming)
    std::this_thread::yield();
  for (int i = 0; i < 5; ++i) {
    auto res = t->send({.method = "GET", .path = "/echo"});
    ASSERT_TRUE(res.ok()) << res.error();
  }
  cancel.cancel();
  watcher.join();
}

TEST_F(HttpTransportTest, RotatedTokenFileIsPickedUpAfterA401) {
  TempDir dir;
  const std::string tokenPath = dir.write("token", "old-token");
  std::string current = "new-token";
  (*server_).Get("/auth", [&current](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Authorization") != "Bearer " + current) {
      res.status = 401;
      res.set_content(R"({"kind":"Status","code":401,"reason":"Unauthorized"})",
                      "application/json");
      return;
    }
    res.set_content("{}", "application/json");
  });
  ClusterConfig c = plainConfig(server_.port());
  c.tokenFile = tokenPath;
  auto t = transport(c);
  EXPECT_EQ(t->send({.method = "GET", .path = "/auth"})->status, 401);
  // The kubelet rewrites the file (same size, same second): only the 401 forces a re-read.
  dir.write("token", "new-token");
  std::filesystem::last_write_time(tokenPath, std::filesystem::last_write_time(tokenPath) - 10s);
  EXPECT_EQ(t->send({.method = "GET", .path = "/auth"})->status, 200);
}

// A pooled connection that dies after the request went out (here the server drops it halfway
// through the response, so the request was applied) is retried on a fresh connection only for
// methods that are safe to repeat: a POST or PATCH is never sent twice.
TEST_F(HttpTransportTest, OnlyIdempotentRequestsAreRepeatedWhenAPooledConnectionDies) {
  std::mutex mu;
  std::map<std::string, int> arrivals;
  auto dropFirst = [&](const httplib::Request& req, httplib::Response& res) {
    int n = 0;
    {
      std::lock_guard lock(mu);
      n = ++arrivals[req.method];
    }
    if (n > 1) {
      res.set_content("{}", "application/json");
      return;
    }
    // The headers go out, then the connection closes before the promised 2-byte body.
    res.set_content_provider(2, "application/json",
                             [](size_t, size_t, httplib::DataSink&) { return false; });
  };
  (*server_).Get("/drop", dropFirst);
  (*server_).Put("/drop", dropFirst);
  (*server_).Delete("/drop", dropFirst);
  (*server_).Post("/drop", dropFirst);
  (*server_).Patch("/drop", dropFirst);
  auto t = transport(plainConfig(server_.port()));
  const std::pair<const char*, bool> cases[] = {
      {"GET", true}, {"PUT", true}, {"DELETE", true}, {"POST", false}, {"PATCH", false}};
  for (const auto& [method, repeated] : cases) {
    ASSERT_TRUE(t->send({.method = "GET", .path = "/echo"}).ok());  // pools a connection
    const bool hasBody = std::string(method) != "GET" && std::string(method) != "DELETE";
    auto res = t->send({.method = method, .path = "/drop", .body = hasBody ? "{}" : ""});
    std::lock_guard lock(mu);
    if (repeated) {
      ASSERT_TRUE(res.ok()) << method << ": " << res.error();
      EXPECT_EQ(res->status, 200) << method;
      EXPECT_EQ(arrivals[method], 2) << method;
    } else {
      EXPECT_FALSE(res.ok()) << method;
      EXPECT_EQ(arrivals[method], 1) << method << " must not be sent twice";
    }
  }
}

// This process's established TCP connections with one end on 127.0.0.1:port: their server ends
// (local port == port) or their client ends (peer port == port). The tests hold both ends.
std::vector<int> connectionsOn(int port, bool serverEnds) {
  std::vector<int> fds;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    const int fd = std::stoi(entry.path().filename().string());
    sockaddr_in local{};
    sockaddr_in peer{};
    socklen_t localLen = sizeof local;
    socklen_t peerLen = sizeof peer;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &localLen) != 0 ||
        local.sin_family != AF_INET ||
        ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peerLen) != 0) {
      continue;  // not a socket, not IPv4, or not connected (a listener)
    }
    if (ntohs((serverEnds ? local : peer).sin_port) == port) fds.push_back(fd);
  }
  return fds;
}

// httplib sends the headers and the body of a request in two writes; with Nagle's algorithm the
// body would wait for the server's delayed ACK (40 ms on Linux) on every kept-alive request.
TEST(HttpTransportStandaloneTest, ConnectionsDisableNagle) {
  LocalServer server(std::make_unique<httplib::Server>());
  addRoutes(server);
  server.start();
  util::ManualClock clock;
  auto t = makeHttpTransport(plainConfig(server.port()), {}, clock);
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE((*t)->send({.method = "PUT", .path = "/echo", .body = "{}"}).ok());  // pooled
  const std::vector<int> fds = connectionsOn(server.port(), /*serverEnds=*/false);
  ASSERT_EQ(fds.size(), 1u);
  int on = 0;
  socklen_t len = sizeof on;
  ASSERT_EQ(::getsockopt(fds[0], IPPROTO_TCP, TCP_NODELAY, &on, &len), 0);
  EXPECT_NE(on, 0);
}

// docs/kubernetes-client.md, "Dead connections": keepalive with the configured timing.
TEST(HttpTransportStandaloneTest, ConnectionsHaveTcpKeepalive) {
  LocalServer server(std::make_unique<httplib::Server>());
  addRoutes(server);
  server.start();
  util::ManualClock clock;
  auto t =
      makeHttpTransport(plainConfig(server.port()),
                        {.keepAliveIdle = 7s, .keepAliveInterval = 3s, .keepAliveCount = 4}, clock);
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE((*t)->send({.method = "GET", .path = "/echo"}).ok());  // pooled
  const std::vector<int> fds = connectionsOn(server.port(), /*serverEnds=*/false);
  ASSERT_EQ(fds.size(), 1u);
  auto opt = [&](int level, int name) {
    int v = -1;
    socklen_t len = sizeof v;
    EXPECT_EQ(::getsockopt(fds[0], level, name, &v, &len), 0);
    return v;
  };
  EXPECT_NE(opt(SOL_SOCKET, SO_KEEPALIVE), 0);
  EXPECT_EQ(opt(IPPROTO_TCP, TCP_KEEPIDLE), 7);
  EXPECT_EQ(opt(IPPROTO_TCP, TCP_KEEPINTVL), 3);
  EXPECT_EQ(opt(IPPROTO_TCP, TCP_KEEPCNT), 4);
}

// docs/kubernetes-client.md, "Limits".
TEST(HttpTransportStandaloneTest, ResponseBodyOverTheCapFailsNamingTheLimit) {
  LocalServer server(std::make_unique<httplib::Server>());
  (*server).Get("/big", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(300000, 'x'), "application/json");
  });
  server.start();
  util::ManualClock clock;
  auto t = makeHttpTransport(plainConfig(server.port()), {.maxResponseBytes = 100000}, clock);
  ASSERT_TRUE(t.ok());
  auto res = (*t)->send({.method = "GET", .path = "/big"});
  ASSERT_FALSE(res.ok());
  EXPECT_NE(res.error().find("exceeds the limit of 100000 bytes"), std::string::npos)
      << res.error();
  auto larger = (*t)->send({.method = "GET", .path = "/big", .maxBodyBytes = 400000});
  ASSERT_TRUE(larger.ok()) << larger.error();
  EXPECT_EQ(larger->body.size(), 300000u) << "a per-request limit overrides the default";
}

TEST(HttpTransportStandaloneTest, StreamRecordOverTheCapFailsNamingTheLimit) {
  LocalServer server(std::make_unique<httplib::Server>());
  (*server).Get("/stream", [](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("application/json", [](size_t, httplib::DataSink& sink) {
      const std::string small = "{\"n\":1}\n";
      const std::string big = std::string(5000, 'x') + "\n";
      sink.write(small.data(), small.size());
      sink.write(big.data(), big.size());
      sink.done();
      return true;
    });
  });
  server.start();
  util::ManualClock clock;
  auto t = makeHttpTransport(plainConfig(server.port()), {.maxStreamRecordBytes = 1000}, clock);
  ASSERT_TRUE(t.ok());
  int lines = 0;
  auto res = (*t)->stream({.method = "GET", .path = "/stream"}, [&](std::string_view) {
    ++lines;
    return true;
  });
  ASSERT_FALSE(res.ok());
  EXPECT_NE(res.error().find("record exceeds the limit of 1000 bytes"), std::string::npos)
      << res.error();
  EXPECT_EQ(lines, 1);
}

// The "API server" dies: the server ends of its connections get shut down, so the clients see a
// FIN at once, as when a process exits. (httplib's Server::stop() closes only the listener and
// then waits out each kept-alive connection's idle timeout, whole seconds, before closing it.)
void dropServerConnections(int port) {
  for (const int fd : connectionsOn(port, /*serverEnds=*/true))
    ::shutdown(fd, SHUT_RDWR);
}

TEST(HttpTransportRestartTest, KeptAliveConnectionsSurviveAServerRestart) {
  util::ManualClock clock;
  auto first = std::make_unique<LocalServer>(std::make_unique<httplib::Server>());
  addRoutes(*first);
  first->start();
  const int port = first->port();
  // Declared before the transport so the transport (and its pooled connection) goes first;
  // otherwise stopping this server waits out the 5 s keep-alive timeout of that connection.
  LocalServer second(std::make_unique<httplib::Server>());
  addRoutes(second);
  auto t = makeHttpTransport(plainConfig(port), {}, clock);
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE((*t)->send({.method = "GET", .path = "/echo"}).ok());  // pools a connection
  dropServerConnections(port);                                       // the "API server" dies
  first.reset();
  second.start(port);
  ASSERT_EQ(second.port(), port);
  // No body on the GET: the API server never gets one, and httplib 0.11's server ignores a GET
  // body; when the body arrives after the headers were read it prefixes the next request on the
  // connection, which then fails with 400.
  for (const char* method : {"GET", "POST", "PUT"}) {
    const std::string body = std::string(method) == "GET" ? "" : "{}";
    auto res = (*t)->send({.method = method, .path = "/echo", .body = body});
    ASSERT_TRUE(res.ok()) << method << ": " << res.error();
    ASSERT_EQ(res->status, 200) << method;
    EXPECT_EQ(nlohmann::json::parse(res->body)["body"], body) << method;
  }
}

TEST(HttpTransportStandaloneTest, ConnectionRefusedSaysSo) {
  // Bind and close a socket to get a port that is (almost certainly) closed.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  const int port = ntohs(addr.sin_port);
  util::ManualClock clock;
  auto t = makeHttpTransport(plainConfig(port), {}, clock);
  ASSERT_TRUE(t.ok());
  auto res = (*t)->send({.method = "GET", .path = "/"});
  ASSERT_FALSE(res.ok());
  EXPECT_NE(res.error().find("cannot connect"), std::string::npos) << res.error();
  EXPECT_NE(res.error().find("127.0.0.1:" + std::to_string(port)), std::string::npos);
}

TEST(HttpTransportStandaloneTest, BadTlsMaterialFailsAtCreationNamingTheSource) {
  util::ManualClock clock;
  ClusterConfig c;
  c.server = "https://127.0.0.1:6443";
  c.source = "kubeconfig /k (context x)";
  c.caData = "not a pem";
  auto t = makeHttpTransport(c, {}, clock);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error(),
            "kubeconfig /k (context x): certificate authority: no PEM certificate found");

  const TestCert ca = makeCa("ca");
  const TestCert one = makeLeaf(ca, "one", "", false);
  const TestCert two = makeLeaf(ca, "two", "", false);
  c.caData = ca.certPem;
  c.clientCertData = one.certPem;
  c.clientKeyData = two.keyPem;
  t = makeHttpTransport(c, {}, clock);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error(),
            "kubeconfig /k (context x): client key does not match the client certificate");
  c.clientKeyData = "garbage";
  t = makeHttpTransport(c, {}, clock);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().find("client key: not a PEM private key"), std::string::npos);
  c.server = "ftp://x";
  t = makeHttpTransport(c, {}, clock);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().find("must start with https://"), std::string::npos);
}

// TLS: the transport trusts exactly the configured CA and presents client certificates.
class TlsTransportTest : public ::testing::Test {
 protected:
  TlsTransportTest()
      : ca_(makeCa("test-ca")),
        serverCert_(makeLeaf(ca_, "apiserver", "IP:127.0.0.1,DNS:localhost", true)),
        clientCert_(makeLeaf(ca_, "admin", "", false)) {}

  void startServer(bool requireClientCert) {
    X509_STORE* clientCas = nullptr;
    if (requireClientCert) {
      clientCas = X509_STORE_new();
      X509_STORE_add_cert(clientCas, ca_.cert.get());
    }
    server_ = std::make_unique<LocalServer>(std::make_unique<httplib::SSLServer>(
        serverCert_.cert.get(), serverCert_.key.get(), clientCas));
    (**server_).Get("/who", [](const httplib::Request& req, httplib::Response& res) {
      std::string subject = "anonymous";
      if (req.ssl) {
        if (X509* peer = SSL_get1_peer_certificate(req.ssl)) {
          char buf[256];
          X509_NAME_oneline(X509_get_subject_name(peer), buf, sizeof buf);
          subject = buf;
          X509_free(peer);
        }
      }
      res.set_content(subject, "text/plain");
    });
    server_->start();
  }
  ClusterConfig config() const {
    ClusterConfig c;
    c.server = "https://127.0.0.1:" + std::to_string(server_->port());
    c.source = "tls test";
    c.caData = ca_.certPem;
    return c;
  }
  Result<HttpResponse> who(const ClusterConfig& c) {
    auto t = makeHttpTransport(c, {.connectTimeout = 5s, .readTimeout = 5s}, clock_);
    if (!t.ok()) return makeError(t.error());
    return (*t)->send({.method = "GET", .path = "/who"});
  }

  util::ManualClock clock_;
  TestCert ca_;
  TestCert serverCert_;
  TestCert clientCert_;
  std::unique_ptr<LocalServer> server_;
};

TEST_F(TlsTransportTest, VerifiesTheServerWithTheInMemoryCa) {
  startServer(false);
  auto res = who(config());
  ASSERT_TRUE(res.ok()) << res.error();
  EXPECT_EQ(res->body, "anonymous");
}

TEST_F(TlsTransportTest, RejectsAServerSignedByAnotherCa) {
  startServer(false);
  ClusterConfig c = config();
  c.caData = makeCa("someone-else").certPem;
  auto res = who(c);
  ASSERT_FALSE(res.ok());
  EXPECT_NE(res.error().find("server certificate not trusted"), std::string::npos) << res.error();
  EXPECT_NE(res.error().find("tls test"), std::string::npos) << "names the config to fix";
}

TEST_F(TlsTransportTest, RejectsAServerWhoseCertificateDoesNotNameTheHost) {
  serverCert_ = makeLeaf(ca_, "apiserver", "DNS:elsewhere.example", true);
  startServer(false);
  auto res = who(config());
  ASSERT_FALSE(res.ok());
  EXPECT_NE(res.error().find("not trusted"), std::string::npos) << res.error();
}

TEST_F(TlsTransportTest, InsecureSkipsVerification) {
  startServer(false);
  ClusterConfig c = config();
  c.caData = makeCa("someone-else").certPem;
  c.insecureSkipTlsVerify = true;
  auto res = who(c);
  ASSERT_TRUE(res.ok()) << res.error();
}

TEST_F(TlsTransportTest, PresentsTheClientCertificateFromMemory) {
  startServer(true);
  ClusterConfig c = config();
  c.clientCertData = clientCert_.certPem;
  c.clientKeyData = clientCert_.keyPem;
  auto res = who(c);
  ASSERT_TRUE(res.ok()) << res.error();
  EXPECT_EQ(res->body, "/CN=admin");
}

// docs/kubernetes-client.md, "CA bundle reload": the API server's CA is rotated; once the CA
// file has the new bundle, new connections trust it, without a restart.
TEST_F(TlsTransportTest, ChangedCaFileIsTrustedByNewConnections) {
  const TestCert newCa = makeCa("rotated-ca");
  serverCert_ = makeLeaf(newCa, "apiserver", "IP:127.0.0.1", true);
  startServer(false);
  TempDir dir;
  ClusterConfig c = config();  // trusts the old CA
  c.caFile = dir.write("ca.crt", c.caData);
  auto t = makeHttpTransport(c, {.connectTimeout = 5s, .readTimeout = 5s, .caCheckInterval = 10s},
                             clock_);
  ASSERT_TRUE(t.ok()) << t.error();
  auto before = (*t)->send({.method = "GET", .path = "/who"});
  ASSERT_FALSE(before.ok());
  EXPECT_NE(before.error().find("not trusted"), std::string::npos) << before.error();

  dir.write("ca.crt", "not a certificate");  // a broken bundle is ignored
  clock_.advance(10s);
  EXPECT_FALSE((*t)->send({.method = "GET", .path = "/who"}).ok());

  dir.write("ca.crt", ca_.certPem + newCa.certPem);
  clock_.advance(5s);
  EXPECT_FALSE((*t)->send({.method = "GET", .path = "/who"}).ok())
      << "the file is checked at most every caCheckInterval";
  clock_.advance(5s);
  auto after = (*t)->send({.method = "GET", .path = "/who"});
  ASSERT_TRUE(after.ok()) << after.error();
  EXPECT_EQ(after->status, 200);
}

TEST_F(TlsTransportTest, ServerRequiringACertificateRefusesAnonymousClients) {
  startServer(true);
  auto res = who(config());
  EXPECT_FALSE(res.ok() && res->status == 200);
}

}  // namespace
}  // namespace ironlb::k8s
