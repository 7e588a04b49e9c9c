#pragma once
// BoundedHttpServer: a small HTTP/1.1 server for the daemons' metrics and probe endpoints, built
// so that no client can exhaust the daemon (docs/metrics-endpoint.md):
//  - one thread, one poll() loop, non-blocking sockets; optional TLS (OpenSSL, non-blocking);
//  - the request head (request line + header fields) is read into a buffer of at most
//    maxHeadBytes (larger: 431); request bodies are never read (any announced body: 413) unless
//    HttpLimits::maxBodyBytes allows them, then only up to that size; nothing is ever
//    decompressed;
//  - a complete head must arrive within headerTimeout of the connection (TLS handshake
//    included) or of its first byte after an idle keep-alive pause; idle keep-alive connections
//    close after idleTimeout; a response must drain within writeTimeout;
//  - at most maxConnections connections; at the cap a new connection evicts the connection that
//    has been idle or waiting the longest, so a flood of idle connections cannot lock out a
//    kubelet probe;
//  - after an error response the connection reads and discards at most kDrainBytes for at most
//    a second (so the client sees the status) and closes.
// The handler runs on the server thread; it gets the parsed head and returns the reply.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "common/util/clock.h"
#include "common/util/http_request_head.h"
#include "common/util/result.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace ironlb::util {

struct HttpLimits {
  std::size_t maxHeadBytes = 8192;
  int maxConnections = 64;
  Duration headerTimeout = std::chrono::seconds(5);
  Duration idleTimeout = std::chrono::seconds(60);
  Duration writeTimeout = std::chrono::seconds(10);
  // Request bodies: 0 = refused (413), as on the metrics and probe listeners. Otherwise a body
  // announced with Content-Length of at most this many bytes is read (within the head's
  // deadline) into RequestHead::body; a larger one gets 413 and chunked bodies 411 (the
  // admission webhook, docs/webhook.md).
  std::size_t maxBodyBytes = 0;
};

struct HttpReply {
  int status = 200;
  std::string contentType = "text/plain; charset=utf-8";
  std::string body{};
  std::string extraHeaders{};  // complete "Name: value\r\n" lines
  bool close = false;          // close the connection after this reply
};

using HttpHandler = std::function<HttpReply(const RequestHead&)>;

class BoundedHttpServer {
 public:
  // `name` appears in error messages ("metrics", "probes").
  BoundedHttpServer(std::string name, HttpHandler handler, HttpLimits limits = {});
  ~BoundedHttpServer();
  BoundedHttpServer(const BoundedHttpServer&) = delete;
  BoundedHttpServer& operator=(const BoundedHttpServer&) = delete;

  // Binds `bindAddress`:`port` (0 = ephemeral) and serves on a new thread. `tls` (optional)
  // must outlive the server. Fails with the address in the message when it cannot bind.
  // Side effect with `tls`: SIGPIPE is ignored process-wide (OpenSSL writes with write(2)).
  Status start(const std::string& bindAddress, int port, SSL_CTX* tls = nullptr);
  // Stops serving, closes every connection, joins the thread. Idempotent.
  void stop();
  int port() const { return port_; }

 private:
  struct Loop;
  std::string name_;
  HttpHandler handler_;
  HttpLimits limits_;
  std::unique_ptr<Loop> loop_;
  std::thread thread_;
  int port_ = 0;
};

// "404 Not Found" style reason phrases for the statuses the servers use.
const char* reasonPhrase(int status);

}  // namespace ironlb::util
