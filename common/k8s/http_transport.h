#pragma once
// The real Transport: HTTP/1.1 over TLS (OpenSSL) to the API server, built on cpp-httplib. This
// header exposes no httplib or OpenSSL types; http_transport.cc is the only file that uses them.
//
// TLS: the kubeconfig's CA data is loaded into an in-memory X509_STORE (no temp files) and is
// the only trust anchor (the system store is not consulted when a CA is given); client
// certificates and keys are parsed from PEM in memory and handed to OpenSSL directly.
// insecureSkipTlsVerify disables verification (local tests only).
//
// Connections: ordinary requests borrow a keep-alive connection from a small idle pool, so
// concurrent callers never queue behind each other (httplib clients are one-request-at-a-time);
// streams get a dedicated connection that is closed afterwards. A request that fails on a
// reused connection (it may have died while idle) is repeated once on a fresh one only if it is
// GET, PUT or DELETE; POST and PATCH are never sent twice.
//
// Timeouts: every request has connect, read and write timeouts; a request may lower/raise the
// read timeout (watches pass their idle bound). The read timeout is an idle timeout: it bounds
// the wait for the next bytes, not the whole response. Every connection has TCP keepalive, so
// a peer that vanished without closing (a black-holed path) is noticed while idle too
// (docs/kubernetes-client.md, "Dead connections"). Cancellation through
// HttpRequest::cancel shuts the socket down from the cancelling thread, which unblocks a read
// at once.
//
// CA bundle: when the CA came from a file (ClusterConfig::caFile), a changed file is re-read
// and new connections trust the new bundle (docs/kubernetes-client.md, "CA bundle reload").
//
// Auth: Authorization: Bearer <token> from a TokenSource (re-read on rotation; invalidated on
// a 401 so the next request re-reads the file), or the client certificate, or nothing.
//
// Side effect: the first makeHttpTransport() sets SIGPIPE to SIG_IGN for the process (OpenSSL
// writes to a closed connection would otherwise kill it).

#include <memory>
#include <string>

#include "common/k8s/cluster_config.h"
#include "common/k8s/transport.h"
#include "common/util/clock.h"

namespace ironlb::k8s {

struct TransportOptions {
  util::Duration connectTimeout = std::chrono::seconds(10);
  util::Duration readTimeout = std::chrono::seconds(30);
  util::Duration writeTimeout = std::chrono::seconds(30);
  size_t maxIdleConnections = 4;
  // TCP keepalive on every connection: first probe after keepAliveIdle without traffic, then
  // every keepAliveInterval; keepAliveCount unanswered probes end the connection. Defaults
  // notice a dead peer within 60 s. keepAliveIdle zero = no keepalive.
  util::Duration keepAliveIdle = std::chrono::seconds(30);
  util::Duration keepAliveInterval = std::chrono::seconds(10);
  int keepAliveCount = 3;
  std::string userAgent = "ironlb/0.1";
  // docs/kubernetes-client.md, "Limits": the most body bytes one response may have (a list
  // page; HttpRequest::maxBodyBytes overrides), and the longest record of a watch stream
  // (one event: an object is at most ~1.5 MiB in etcd).
  size_t maxResponseBytes = 64u << 20;
  size_t maxStreamRecordBytes = 16u << 20;
  // How often (at most) a new connection checks ClusterConfig::caFile for a changed CA bundle;
  // zero = never re-read (docs/kubernetes-client.md, "CA bundle reload").
  util::Duration caCheckInterval = std::chrono::seconds(10);
};

struct ServerUrl {
  bool tls = true;
  std::string host{};  // without IPv6 brackets
  int port = 443;
  std::string basePath{};  // "" or "/prefix" (no trailing slash)
};
// Parses "https://host[:port][/path]"; the error names the URL and what is wrong.
Result<ServerUrl> parseServerUrl(const std::string& url);

// Validates the TLS material (CA parses, certificate matches key) up front, so a bad kubeconfig
// fails at start-up with a message naming the config source, not at the first request.
Result<std::unique_ptr<Transport>> makeHttpTransport(
    const ClusterConfig& config, const TransportOptions& options = {},
    const util::Clock& clock = util::SystemClock::instance());

}  // namespace ironlb::k8s
