// BoundedHttpServer: the poll() loop (docs/metrics-endpoint.md).
#include "common/util/bounded_http_server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <list>
#include <mutex>
#include <optional>
#include <vector>

namespace ironlb::util {
namespace {

using Steady = std::chrono::steady_clock;

// After an error reply: at most this much is read and discarded before the close.
constexpr std::size_t kDrainBytes = 256 * 1024;
constexpr auto kDrainTime = std::chrono::seconds(1);
// Connections accepted per loop turn, so a connect flood cannot starve the open connections.
constexpr int kAcceptsPerTurn = 16;
// How long accepting pauses when the process is out of descriptors or memory.
constexpr auto kAcceptPause = std::chrono::milliseconds(100);

enum class Phase { kHandshake, kReading, kWriting, kDraining };

struct Conn {
  int fd = -1;
  SSL* ssl = nullptr;
  Phase phase = Phase::kReading;
  std::string in{};
  std::string out{};
  std::size_t outOff = 0;
  bool closeAfterWrite = false;
  bool requestStarted = false;        // bytes of the current request seen
  std::optional<RequestHead> head{};  // complete head whose body is still being read
  short wantEvents = POLLIN;  // what the current step waits for (TLS may want the other one)
  Steady::time_point deadline{};
  Steady::time_point lastActivity{};  // accept or end of the last response: eviction order
  std::size_t drained = 0;
  bool dead = false;
};

std::string serialize(const HttpReply& r, bool head, bool keepAlive) {
  std::string s = "HTTP/1.1 " + std::to_string(r.status) + " " + reasonPhrase(r.status) + "\r\n";
  s += "Content-Type: " + r.contentType + "\r\n";
  s += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  s += "X-Content-Type-Options: nosniff\r\n";
  s += r.extraHeaders;
  s += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  if (!head) s += r.body;
  return s;
}

HttpReply errorReply(int status, const std::string& why) {
  HttpReply r;
  r.status = status;
  r.body = why + "\n";
  r.close = true;
  return r;
}

}  // namespace

const char* reasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

struct BoundedHttpServer::Loop {
  const HttpHandler& handler;
  const HttpLimits& limits;
  int listenFd = -1;
  int wakeFd = -1;
  SSL_CTX* tls = nullptr;
  std::list<Conn> conns;
  Steady::time_point acceptPausedUntil{};

  Loop(const HttpHandler& h, const HttpLimits& l) : handler(h), limits(l) {}
  ~Loop() {
    for (Conn& c : conns)
      closeConn(c);
    if (listenFd >= 0) ::close(listenFd);
    if (wakeFd >= 0) ::close(wakeFd);
  }

  static void closeConn(Conn& c) {
    if (c.ssl) SSL_free(c.ssl);
    c.ssl = nullptr;
    if (c.fd >= 0) ::close(c.fd);
    c.fd = -1;
    c.dead = true;
  }

  void run() {
    std::vector<pollfd> fds;
    std::vector<Conn*> order;
    for (;;) {
      fds.clear();
      order.clear();
      fds.push_back({wakeFd, POLLIN, 0});
      // Out of descriptors (EMFILE): accept() would fail at once again; wait a moment.
      const bool listening = Steady::now() >= acceptPausedUntil;
      fds.push_back({listenFd, static_cast<short>(listening ? POLLIN : 0), 0});
      auto next = Steady::now() + std::chrono::seconds(1);
      if (!listening) next = std::min(next, acceptPausedUntil);
      for (Conn& c : conns) {
        fds.push_back({c.fd, c.wantEvents, 0});
        order.push_back(&c);
        next = std::min(next, c.deadline);
      }
      const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - Steady::now()).count();
      const int n = ::poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(wait, 0)));
      if (n < 0 && errno != EINTR) return;
      if (fds[0].revents) return;  // stop()
      for (std::size_t i = 0; i < order.size(); ++i) {
        if (fds[i + 2].revents) progress(*order[i]);
      }
      if (fds[1].revents & POLLIN) acceptSome();
      const auto now = Steady::now();
      for (Conn& c : conns) {
        if (!c.dead && c.deadline <= now) closeConn(c);
      }
      conns.remove_if([](const Conn& c) { return c.dead; });
    }
  }

  void acceptSome() {
    for (int i = 0; i < kAcceptsPerTurn; ++i) {
      const int fd = ::accept4(listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          acceptPausedUntil = Steady::now() + kAcceptPause;
        }
        return;  // EAGAIN, or a transient error: try next turn
      }
      std::size_t live = 0;
      for (const Conn& c : conns)
        live += c.dead ? 0 : 1;
      if (live >= static_cast<std::size_t>(limits.maxConnections) && !evictOne()) {
        ::close(fd);
        continue;
      }
      // Each answer goes out in one write; Nagle would only hold back the TLS handshake's
      // small records for a delayed ACK (about 40 ms per connection).
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      Conn& c = conns.emplace_back();
      c.fd = fd;
      c.lastActivity = Steady::now();
      c.deadline = c.lastActivity + limits.headerTimeout;
      if (tls) {
        c.ssl = SSL_new(tls);
        if (!c.ssl || SSL_set_fd(c.ssl, fd) != 1) {
          ERR_clear_error();
          closeConn(c);
          continue;
        }
        c.phase = Phase::kHandshake;
      }
      progress(c);  // data may already be there
    }
  }

  // Closes the connection idle or waiting longest (not one whose reply is being written).
  bool evictOne() {
    Conn* victim = nullptr;
    for (Conn& c : conns) {
      if (c.dead || c.phase == Phase::kWriting) continue;
      if (!victim || c.lastActivity < victim->lastActivity) victim = &c;
    }
    if (!victim) return false;
    closeConn(*victim);
    return true;
  }

  // One step of the connection's state machine, as far as the socket allows.
  void progress(Conn& c) {
    if (c.dead) return;
    switch (c.phase) {
      case Phase::kHandshake:
        return handshake(c);
      case Phase::kReading:
        return readHead(c);
      case Phase::kWriting:
        return write(c);
      case Phase::kDraining:
        return drain(c);
    }
  }

  // TLS result codes -> what to wait for; false = the connection is finished.
  bool tlsWait(Conn& c, int rc) {
    switch (SSL_get_error(c.ssl, rc)) {
      case SSL_ERROR_WANT_READ:
        c.wantEvents = POLLIN;
        return true;
      case SSL_ERROR_WANT_WRITE:
        c.wantEvents = POLLOUT;
        return true;
      default:
        ERR_clear_error();
        closeConn(c);
        return false;
    }
  }

  void handshake(Conn& c) {
    const int rc = SSL_accept(c.ssl);
    if (rc != 1) {
      tlsWait(c, rc);
      return;
    }
    c.phase = Phase::kReading;
    c.wantEvents = POLLIN;
    readHead(c);
  }

  // Reads at most up to the head cap; >0 bytes read, 0 nothing now, -1 closed/failed.
  long readSome(Conn& c, char* buf, std::size_t len) {
    if (c.ssl) {
      const int rc = SSL_read(c.ssl, buf, static_cast<int>(len));
      if (rc > 0) return rc;
      return tlsWait(c, rc) ? 0 : -1;
    }
    const ssize_t rc = ::recv(c.fd, buf, len, 0);
    if (rc > 0) return rc;
    if (rc < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      c.wantEvents = POLLIN;
      return 0;
    }
    closeConn(c);
    return -1;
  }

  void readHead(Conn& c) {
    char buf[4096];
    for (;;) {
      if (!c.head && !c.in.empty()) {
        HeadParse parsed = parseRequestHead(c.in, limits.maxHeadBytes);
        if (parsed.state == HeadState::kError) {
          return reply(c, errorReply(parsed.status, parsed.error), false, false);
        }
        if (parsed.state == HeadState::kComplete) {
          c.in.erase(0, parsed.consumed);
          if (!bodyAllowed(c, parsed.head)) return;
          c.head = std::move(parsed.head);
        }
      }
      if (c.head && c.in.size() >= c.head->contentLength) {
        RequestHead head = std::move(*c.head);
        c.head.reset();
        head.body = c.in.substr(0, head.contentLength);
        c.in.erase(0, head.contentLength);
        return dispatch(c, head);
      }
      const std::size_t cap = c.head ? c.head->contentLength : limits.maxHeadBytes;
      const std::size_t room = cap - std::min(cap, c.in.size());
      const long n = readSome(c, buf, std::min(room, sizeof buf));
      if (n <= 0) return;
      if (!c.requestStarted) {
        c.requestStarted = true;
        c.deadline = std::min(c.deadline, Steady::now() + limits.headerTimeout);
      }
      c.in.append(buf, static_cast<std::size_t>(n));
    }
  }

  // A body this server may read (then its bytes follow the head), or an error reply.
  bool bodyAllowed(Conn& c, const RequestHead& head) {
    if (!head.hasBody) return true;
    if (limits.maxBodyBytes == 0) {
      dispatch(c, head);  // 413
      return false;
    }
    if (head.chunked) {
      reply(c, errorReply(411, "a Content-Length is required"), false, false);
      return false;
    }
    if (head.contentLength > limits.maxBodyBytes) {
      reply(c,
            errorReply(413, "request body over " + std::to_string(limits.maxBodyBytes) + " bytes"),
            false, false);
      return false;
    }
    return true;
  }

  void dispatch(Conn& c, const RequestHead& head) {
    if (head.hasBody && (limits.maxBodyBytes == 0 || head.chunked)) {
      return reply(c, errorReply(413, "request bodies are not accepted"), false, false);
    }
    HttpReply r;
    try {
      r = handler(head);
    } catch (const std::exception& e) {
      r = errorReply(500, "internal error");
    }
    reply(c, r, head.method == "HEAD", head.keepAlive);
  }

  void reply(Conn& c, const HttpReply& r, bool head, bool keepAlive) {
    keepAlive = keepAlive && !r.close;
    c.out = serialize(r, head, keepAlive);
    c.outOff = 0;
    c.closeAfterWrite = !keepAlive;
    c.phase = Phase::kWriting;
    c.deadline = Steady::now() + limits.writeTimeout;
    c.wantEvents = POLLOUT;
    write(c);
  }

  void write(Conn& c) {
    while (c.outOff < c.out.size()) {
      const std::size_t len = c.out.size() - c.outOff;
      if (c.ssl) {
        const int rc = SSL_write(c.ssl, c.out.data() + c.outOff,
                                 static_cast<int>(std::min<std::size_t>(len, 1 << 20)));
        if (rc <= 0) {
          tlsWait(c, rc);
          return;
        }
        c.outOff += static_cast<std::size_t>(rc);
      } else {
        const ssize_t rc = ::send(c.fd, c.out.data() + c.outOff, len, MSG_NOSIGNAL);
        if (rc < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
          c.wantEvents = POLLOUT;
          return;
        }
        if (rc <= 0) return closeConn(c);
        c.outOff += static_cast<std::size_t>(rc);
      }
    }
    std::string().swap(c.out);
    c.outOff = 0;
    const auto now = Steady::now();
    c.lastActivity = now;
    if (c.closeAfterWrite) {
      if (c.ssl) {
        SSL_shutdown(c.ssl);
        ERR_clear_error();
      }
      ::shutdown(c.fd, SHUT_WR);
      c.phase = Phase::kDraining;
      c.deadline = now + kDrainTime;
      c.wantEvents = POLLIN;
      return drain(c);
    }
    c.phase = Phase::kReading;
    c.requestStarted = !c.in.empty();
    c.deadline = now + (c.requestStarted ? limits.headerTimeout : limits.idleTimeout);
    c.wantEvents = POLLIN;
    readHead(c);  // a pipelined request may already be buffered
  }

  // Discards what the client still sends so it reads the error reply instead of a reset.
  void drain(Conn& c) {
    char buf[16384];
    for (;;) {
      const ssize_t rc = ::recv(c.fd, buf, sizeof buf, 0);
      if (rc < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
      if (rc <= 0) return closeConn(c);
      c.drained += static_cast<std::size_t>(rc);
      if (c.drained >= kDrainBytes) return closeConn(c);
    }
  }
};

BoundedHttpServer::BoundedHttpServer(std::string name, HttpHandler handler, HttpLimits limits)
    : name_(std::move(name)), handler_(std::move(handler)), limits_(limits) {}

BoundedHttpServer::~BoundedHttpServer() {
  stop();
}

Status BoundedHttpServer::start(const std::string& bindAddress, int port, SSL_CTX* tls) {
  if (thread_.joinable()) return makeError(name_ + " server already started");
  const std::string where = bindAddress + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(bindAddress.c_str(), std::to_string(port).c_str(), &hints, &res);
      rc != 0) {
    return makeError(name_ + " server: cannot resolve " + where + ": " + ::gai_strerror(rc));
  }
  if (tls) {
    // OpenSSL writes with write(2), not send(MSG_NOSIGNAL): a client that closes while its
    // answer is being written could kill the process with SIGPIPE. Network daemons ignore it
    // (the Kubernetes transport does the same, common/k8s/http_transport.h).
    static std::once_flag ignoreSigpipe;
    std::call_once(ignoreSigpipe, [] { std::signal(SIGPIPE, SIG_IGN); });
  }
  auto loop = std::make_unique<Loop>(handler_, limits_);
  loop->tls = tls;
  std::string why = "no address";
  for (addrinfo* ai = res; ai && loop->listenFd < 0; ai = ai->ai_next) {
    const int fd = ::socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    // SO_REUSEADDR for fast restarts; not SO_REUSEPORT, so a second daemon on the port fails.
    int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, 128) == 0) {
      loop->listenFd = fd;
    } else {
      why = std::strerror(errno);
      ::close(fd);
    }
  }
  ::freeaddrinfo(res);
  if (loop->listenFd < 0)
    return makeError(name_ + " server: cannot listen on " + where + ": " + why);
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(loop->listenFd, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  loop->wakeFd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (loop->wakeFd < 0) return makeError(name_ + " server: eventfd: " + std::strerror(errno));
  loop_ = std::move(loop);
  thread_ = std::thread([l = loop_.get()] { l->run(); });
  return {};
}

void BoundedHttpServer::stop() {
  if (!thread_.joinable()) return;
  const uint64_t one = 1;
  [[maybe_unused]] auto w = ::write(loop_->wakeFd, &one, sizeof one);
  thread_.join();
  loop_.reset();
}

}  // namespace ironlb::util
