#pragma once
// ClusterConfig: where the API server is and how to authenticate, from a kubeconfig file or from
// the in-cluster service account. Everything is resolved at load time into in-memory values
// (file contents read, *-data decoded, relative paths resolved against the kubeconfig's
// directory) except bearer token files, which stay paths so the transport can re-read them
// when they rotate (projected service account tokens rotate hourly).
//
// Errors name the file and the field, e.g.
//   kubeconfig /home/u/.kube/config: users["admin"].user.client-key-data: not valid base64
//
// Supported kubeconfig fields: current-context; contexts[].context.{cluster,user,namespace};
// clusters[].cluster.{server,certificate-authority,certificate-authority-data,
// insecure-skip-tls-verify}; users[].user.{token,tokenFile,client-certificate,
// client-certificate-data,client-key,client-key-data}. exec/auth-provider/username+password
// users are rejected with a clear error rather than silently sending no credentials.

#include <functional>
#include <optional>
#include <string>

#include "common/util/result.h"

namespace ironlb::k8s {

struct ClusterConfig {
  std::string server{};  // https://host:port[/path]
  std::string caData{};  // PEM; empty = the system trust store
  // Where caData came from when it was a file (in-cluster ca.crt, kubeconfig
  // certificate-authority); the transport re-reads it when it changes.
  std::string caFile{};
  bool insecureSkipTlsVerify = false;
  std::string token{};           // static bearer token
  std::string tokenFile{};       // bearer token file, re-read on rotation; wins over `token`
  std::string clientCertData{};  // PEM
  std::string clientKeyData{};   // PEM
  std::string defaultNamespace = "default";
  std::string source{};  // human description: "kubeconfig /p (context c)", "in-cluster"
};

// Environment lookup, injectable for tests. Default: ::getenv.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup processEnv();

// Parses kubeconfig text. `path` is used in messages and to resolve relative file references;
// `context` empty = current-context.
Result<ClusterConfig> parseKubeconfig(const std::string& yaml, const std::string& path,
                                      const std::string& context = "");
Result<ClusterConfig> loadKubeconfig(const std::string& path, const std::string& context = "");

struct InClusterOptions {
  std::string rootDir = "/";  // tests point this at a temp tree
  EnvLookup env = processEnv();
};
// KUBERNETES_SERVICE_HOST/PORT and /var/run/secrets/kubernetes.io/serviceaccount/{token,ca.crt,
// namespace}. The token file must exist (it is re-read later, but a pod without one is
// misconfigured now).
Result<ClusterConfig> loadInClusterConfig(const InClusterOptions& options = {});

// The usual precedence: an explicit kubeconfig path; else in-cluster when
// KUBERNETES_SERVICE_HOST is set; else $KUBECONFIG (first existing entry); else ~/.kube/config.
Result<ClusterConfig> loadClusterConfig(const std::string& kubeconfigPath,
                                        const std::string& context,
                                        const InClusterOptions& inCluster = {});

// Whole-file read with an errno message naming the file.
Result<std::string> readFileText(const std::string& path);

}  // namespace ironlb::k8s
