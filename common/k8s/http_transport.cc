// Transport over cpp-httplib + OpenSSL. Kept to this one file so the rest of ironlb is
// independent of the HTTP library.
#include "common/k8s/http_transport.h"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <mutex>
#include <vector>

#include "common/k8s/line_buffer.h"
#include "common/k8s/token_source.h"
#include "common/k8s/watched_file.h"
#include "common/util/logging.h"

namespace ironlb::k8s {
namespace {

// A directory that never exists. Pointing httplib's CA *directory* at it (with our in-memory
// store installed) stops httplib from also loading the system trust store, so the kubeconfig
// CA is the only anchor. OpenSSL's directory lookup does not require the directory to exist.
constexpr const char* kNoSystemCaDir = "/nonexistent/ironlb-kubeconfig-ca-only";

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct PKeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using PKeyPtr = std::unique_ptr<EVP_PKEY, PKeyDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

std::string opensslError() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "no detail";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

BioPtr memBio(const std::string& data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

Result<std::vector<X509Ptr>> parseCertificates(const std::string& pem) {
  std::vector<X509Ptr> certs;
  BioPtr bio = memBio(pem);
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certs.emplace_back(x);
  }
  ERR_clear_error();  // the loop ends on a "no start line" error by design
  if (certs.empty()) return makeError("no PEM certificate found");
  return certs;
}

long long toSeconds(util::Duration d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d).count();
}
long long subMicros(util::Duration d) {
  return (std::chrono::duration_cast<std::chrono::microseconds>(d) % std::chrono::seconds(1))
      .count();
}

class HttpTransport final : public Transport {
 public:
  HttpTransport(ServerUrl url, std::string serverText, ClusterConfig config,
                TransportOptions options, std::shared_ptr<TokenSource> tokens,
                std::vector<X509Ptr> caCerts, X509Ptr clientCert, PKeyPtr clientKey,
                const util::Clock& clock)
      : url_(std::move(url)),
        serverText_(std::move(serverText)),
        config_(std::move(config)),
        options_(std::move(options)),
        tokens_(std::move(tokens)),
        caCerts_(std::make_shared<const std::vector<X509Ptr>>(std::move(caCerts))),
        clientCert_(std::move(clientCert)),
        clientKey_(std::move(clientKey)) {
    if (!config_.caFile.empty() && !config_.insecureSkipTlsVerify &&
        options_.caCheckInterval > util::Duration::zero()) {
      caFile_ = std::make_unique<WatchedFile>(config_.caFile, config_.caData, clock,
                                              options_.caCheckInterval);
    }
  }

  std::string server() const override { return serverText_; }

  Result<HttpResponse> send(const HttpRequest& request) override {
    std::unique_ptr<httplib::ClientImpl> pooled = takeIdle();
    const bool reused = pooled != nullptr;
    if (!pooled) {
      auto fresh = makeClient();
      if (!fresh) return makeError(fresh.error());
      pooled = std::move(*fresh);
    }
    bool tooLarge = false;
    auto result = execute(*pooled, request, nullptr, &tooLarge);
    // A kept-alive connection can die while idle (API server restart, idle timeout) in a way
    // the liveness check misses. Requests that are safe to repeat get one more try on a fresh
    // connection; POST and PATCH are not repeated (the first may have been applied).
    const bool idempotent =
        request.method == "GET" || request.method == "PUT" || request.method == "DELETE";
    if (!result.ok() && reused && idempotent && !tooLarge &&
        !(request.cancel && request.cancel->cancelled())) {
      auto fresh = makeClient();
      if (!fresh) return makeError(fresh.error());
      pooled = std::move(*fresh);
      result = execute(*pooled, request, nullptr, &tooLarge);
    }
    // A connection that failed may be half-dead; only healthy ones go back to the pool.
    if (result.ok()) release(std::move(pooled));
    return result;
  }

  Result<HttpResponse> stream(const HttpRequest& request, const LineHandler& onLine) override {
    auto client = makeClient();
    if (!client) return makeError(client.error());
    (*client)->set_keep_alive(false);
    return execute(**client, request, &onLine);
  }

  // The CA certificates for a new connection. docs/kubernetes-client.md, "CA bundle reload":
  // when the CA file changed and parses, new connections trust the new bundle; connections
  // already open keep the trust they were verified with. A bundle that does not parse is
  // ignored (with a warning) and the last good one stays.
  std::shared_ptr<const std::vector<X509Ptr>> currentCa() const {
    std::lock_guard lock(caMu_);
    if (caFile_) {
      if (auto text = caFile_->changed()) {
        auto log = util::getLogger("k8s");
        if (auto parsed = parseCertificates(*text)) {
          caCerts_ = std::make_shared<const std::vector<X509Ptr>>(std::move(*parsed));
          util::logWith(*log, spdlog::level::info, "API server CA bundle reloaded",
                        {{"file", caFile_->path()},
                         {"certificates", static_cast<int64_t>(caCerts_->size())}});
        } else {
          util::logWith(*log, spdlog::level::warn,
                        "API server CA bundle changed but does not parse; keeping the last one",
                        {{"file", caFile_->path()}, {"error", parsed.error()}});
        }
      }
    }
    return caCerts_;
  }

  // Builds a client and checks that it is usable (the TLS context accepted the key pair).
  Result<std::unique_ptr<httplib::ClientImpl>> makeClient() const {
    std::unique_ptr<httplib::ClientImpl> client;
    if (url_.tls) {
      std::unique_ptr<httplib::SSLClient> ssl;
      if (clientCert_) {
        // SSL_CTX_use_certificate/PrivateKey take their own references; ours stay valid.
        ssl = std::make_unique<httplib::SSLClient>(url_.host, url_.port, clientCert_.get(),
                                                   clientKey_.get());
      } else {
        ssl = std::make_unique<httplib::SSLClient>(url_.host, url_.port);
      }
      if (!ssl->is_valid()) {
        return makeError(config_.source + ": cannot set up TLS: " + opensslError());
      }
      if (config_.insecureSkipTlsVerify) {
        ssl->enable_server_certificate_verification(false);
      } else if (auto ca = currentCa(); !ca->empty()) {
        X509_STORE* store = X509_STORE_new();
        for (const auto& cert : *ca)
          X509_STORE_add_cert(store, cert.get());
        ssl->set_ca_cert_store(store);  // the SSL_CTX takes ownership
        ssl->set_ca_cert_path("", kNoSystemCaDir);
      }
      client = std::move(ssl);
    } else {
      client = std::make_unique<httplib::ClientImpl>(url_.host, url_.port);
    }
    client->set_connection_timeout(toSeconds(options_.connectTimeout),
                                   subMicros(options_.connectTimeout));
    client->set_write_timeout(toSeconds(options_.writeTimeout), subMicros(options_.writeTimeout));
    client->set_keep_alive(true);
    // httplib writes the request headers and the body with separate send() calls. With Nagle's
    // algorithm the body waits for the server's (delayed, 40 ms) ACK of the headers, which adds
    // ~40 ms to every POST/PUT/PATCH on a kept-alive connection.
    client->set_tcp_nodelay(true);
    if (options_.keepAliveIdle > util::Duration::zero()) {
      // docs/kubernetes-client.md, "Dead connections": without keepalive a watch whose path
      // was black-holed waits for its read timeout; with it the kernel ends the connection.
      const int idle = std::max(1, static_cast<int>(toSeconds(options_.keepAliveIdle)));
      const int interval = std::max(1, static_cast<int>(toSeconds(options_.keepAliveInterval)));
      const int count = std::max(1, options_.keepAliveCount);
      client->set_socket_options([idle, interval, count](socket_t fd) {
        const int on = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
        ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
        ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
        ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
      });
    }
    client->set_follow_location(false);
    client->set_decompress(false);  // keeps watch chunks unbuffered; we never ask for gzip
    return client;
  }

 private:
  // An idle pooled connection, or null. Connections the server has closed (or that carry
  // unexpected bytes) are dropped: an idle HTTP/1.1 connection should have nothing to read.
  std::unique_ptr<httplib::ClientImpl> takeIdle() {
    std::lock_guard lock(poolMu_);
    while (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      const int fd = static_cast<int>(c->socket());
      if (fd < 0) continue;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 0) == 0) return c;
    }
    return nullptr;
  }

  void release(std::unique_ptr<httplib::ClientImpl> client) {
    std::lock_guard lock(poolMu_);
    if (idle_.size() < options_.maxIdleConnections) idle_.push_back(std::move(client));
  }

  std::string describeFailure(httplib::ClientImpl& client, httplib::Error err) const {
    std::string what;
    switch (err) {
      case httplib::Error::Connection:
        what = "cannot connect (refused, unreachable or DNS failure)";
        break;
      case httplib::Error::ConnectionTimeout:
        what = "connect timed out";
        break;
      case httplib::Error::Read:
        what = "connection closed or read timed out";
        break;
      case httplib::Error::Write:
        what = "write failed or timed out";
        break;
      case httplib::Error::SSLConnection:
        what = "TLS handshake failed (" + opensslError() + ")";
        break;
      case httplib::Error::SSLLoadingCerts:
        what = "cannot load CA certificates";
        break;
      case httplib::Error::SSLServerVerification: {
        long v = 0;
        if (auto* ssl = dynamic_cast<httplib::SSLClient*>(&client)) {
          v = ssl->get_openssl_verify_result();
        }
        what = "server certificate not trusted";
        if (v != X509_V_OK) {
          what += std::string(" (") + X509_verify_cert_error_string(v) + ")";
        } else {
          what += " (host name/IP not in the certificate)";
        }
        what += "; check certificate-authority in " + config_.source;
        break;
      }
      case httplib::Error::Canceled:
        what = "cancelled";
        break;
      default:
        what = httplib::to_string(err);
    }
    return "API server " + serverText_ + ": " + what;
  }

  Result<HttpResponse> execute(httplib::ClientImpl& client, const HttpRequest& request,
                               const LineHandler* onLine, bool* tooLarge = nullptr) {
    httplib::Request req;
    req.method = request.method;
    req.path = url_.basePath + request.path;
    req.headers.emplace("Accept", "application/json");
    req.headers.emplace("User-Agent", options_.userAgent);
    if (tokens_) {
      auto token = tokens_->token();
      if (!token) return makeError(config_.source + ": " + token.error());
      if (!token->empty()) req.headers.emplace("Authorization", "Bearer " + *token);
    }
    if (!request.body.empty() || !request.contentType.empty()) {
      req.body = request.body;
      req.headers.emplace("Content-Type",
                          request.contentType.empty() ? "application/json" : request.contentType);
    }
    const util::Duration readTimeout =
        request.timeout > util::Duration::zero() ? request.timeout : options_.readTimeout;
    client.set_read_timeout(toSeconds(readTimeout), subMicros(readTimeout));

    CancelToken* cancel = request.cancel;
    // Checked once response headers arrive: a cancel() that raced with connection set-up (when
    // httplib's stop() has no socket to shut down yet) is caught here.
    int status = 0;
    req.response_handler = [&](const httplib::Response& res) {
      status = res.status;
      return !(cancel && cancel->cancelled());
    };
    // docs/kubernetes-client.md, "Limits": the body (or, for a stream, each record) is capped;
    // reading stops at the cap, so a runaway response cannot exhaust memory.
    const size_t limit = request.maxBodyBytes > 0
                             ? request.maxBodyBytes
                             : (onLine ? options_.maxStreamRecordBytes : options_.maxResponseBytes);
    LineBuffer lines(limit);
    std::string body;
    bool lineTooLong = false;
    bool bodyTooLarge = false;
    if (onLine) {
      req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
        if (cancel && cancel->cancelled()) return false;
        if (status < 200 || status >= 300) {
          if (body.size() < (1u << 20)) body.append(data, n);
          return true;
        }
        const auto r = lines.feed(std::string_view(data, n), *onLine);
        if (r == LineBuffer::FeedResult::kLineTooLong) lineTooLong = true;
        return r == LineBuffer::FeedResult::kOk;
      };
    } else {
      req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
        if (body.size() + n > limit) {
          bodyTooLarge = true;
          return false;
        }
        body.append(data, n);
        return true;
      };
    }
    if (cancel) cancel->setHook([&client] { client.stop(); });
    httplib::Result res = client.send(req);
    if (cancel) cancel->clearHook();

    if (cancel && cancel->cancelled()) {
      return makeError("API server " + serverText_ + ": request cancelled");
    }
    if (lineTooLong) {
      return makeError("API server " + serverText_ + ": a stream record exceeds the limit of " +
                       std::to_string(limit) + " bytes");
    }
    if (bodyTooLarge) {
      if (tooLarge) *tooLarge = true;
      return makeError("API server " + serverText_ + ": response body exceeds the limit of " +
                       std::to_string(limit) + " bytes (list with a smaller page size)");
    }
    HttpResponse out;
    if (!res) {
      // A stream that onLine stopped ends as "Canceled" with the status already known.
      if (onLine && res.error() == httplib::Error::Canceled && status != 0) {
        out.status = status;
        return out;
      }
      return makeError(describeFailure(client, res.error()));
    }
    out.status = res->status;
    for (const auto& [k, v] : res->headers) {
      std::string key = k;
      std::transform(key.begin(), key.end(), key.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      out.headers.emplace(std::move(key), v);
    }
    out.body = std::move(body);
    if (out.status == 401 && tokens_) tokens_->invalidate();
    return out;
  }

  const ServerUrl url_;
  const std::string serverText_;
  const ClusterConfig config_;
  const TransportOptions options_;
  const std::shared_ptr<TokenSource> tokens_;
  mutable std::mutex caMu_;
  mutable std::shared_ptr<const std::vector<X509Ptr>> caCerts_;
  std::unique_ptr<WatchedFile> caFile_;
  const X509Ptr clientCert_;
  const PKeyPtr clientKey_;
  std::mutex poolMu_;
  std::vector<std::unique_ptr<httplib::ClientImpl>> idle_;
};

}  // namespace

Result<ServerUrl> parseServerUrl(const std::string& url) {
  ServerUrl out;
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    out.tls = false;
    out.port = 80;
    rest = url.substr(7);
  } else {
    return makeError("server URL \"" + url + "\": must start with https:// or http://");
  }
  const size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) {
    out.basePath = rest.substr(slash);
    while (!out.basePath.empty() && out.basePath.back() == '/')
      out.basePath.pop_back();
  }
  std::string portText;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string::npos) {
      return makeError("server URL \"" + url + "\": unterminated IPv6 address");
    }
    out.host = authority.substr(1, close - 1);
    const std::string after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return makeError("server URL \"" + url + "\": junk after ']'");
      portText = after.substr(1);
    }
  } else {
    const size_t colon = authority.rfind(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos) portText = authority.substr(colon + 1);
  }
  if (out.host.empty()) return makeError("server URL \"" + url + "\": no host");
  if (!portText.empty()) {
    int port = 0;
    for (char c : portText) {
      if (c < '0' || c > '9' || port > 65535) {
        return makeError("server URL \"" + url + "\": bad port \"" + portText + "\"");
      }
      port = port * 10 + (c - '0');
    }
    if (port < 1 || port > 65535) {
      return makeError("server URL \"" + url + "\": bad port \"" + portText + "\"");
    }
    out.port = port;
  }
  return out;
}

Result<std::unique_ptr<Transport>> makeHttpTransport(const ClusterConfig& config,
                                                     const TransportOptions& options,
                                                     const util::Clock& clock) {
  // OpenSSL writes (SSL_write, and the close_notify of SSL_shutdown after a cancelled stream)
  // go through write(2) without MSG_NOSIGNAL: a peer that already closed the connection would
  // kill the process with SIGPIPE. Every network daemon ignores SIGPIPE; the client does it
  // here so no daemon can forget.
  static std::once_flag ignoreSigpipe;
  std::call_once(ignoreSigpipe, [] { std::signal(SIGPIPE, SIG_IGN); });
  auto url = parseServerUrl(config.server);
  if (!url) return makeError(config.source + ": " + url.error());
  std::vector<X509Ptr> caCerts;
  if (!config.caData.empty() && !config.insecureSkipTlsVerify) {
    auto parsed = parseCertificates(config.caData);
    if (!parsed) return makeError(config.source + ": certificate authority: " + parsed.error());
    caCerts = std::move(*parsed);
  }
  X509Ptr cert;
  PKeyPtr key;
  if (!config.clientCertData.empty()) {
    auto certs = parseCertificates(config.clientCertData);
    if (!certs) return makeError(config.source + ": client certificate: " + certs.error());
    cert = std::move((*certs)[0]);
    BioPtr bio = memBio(config.clientKeyData);
    key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key) {
      return makeError(config.source + ": client key: not a PEM private key (" + opensslError() +
                       ")");
    }
    if (X509_check_private_key(cert.get(), key.get()) != 1) {
      ERR_clear_error();
      return makeError(config.source + ": client key does not match the client certificate");
    }
  }
  std::shared_ptr<TokenSource> tokens;
  if (!config.tokenFile.empty()) {
    tokens = TokenSource::fromFile(config.tokenFile, clock);
  } else if (!config.token.empty()) {
    tokens = TokenSource::fixed(config.token);
  }
  auto transport =
      std::make_unique<HttpTransport>(*url, config.server, config, options, std::move(tokens),
                                      std::move(caCerts), std::move(cert), std::move(key), clock);
  auto probe = transport->makeClient();
  if (!probe) return makeError(probe.error());
  return std::unique_ptr<Transport>(std::move(transport));
}

}  // namespace ironlb::k8s
