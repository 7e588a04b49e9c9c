// Kubeconfig (yaml-cpp) and in-cluster configuration loading.
#include "common/k8s/cluster_config.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/k8s/base64.h"
#include "common/util/strings.h"

namespace ironlb::k8s {
namespace {

namespace fs = std::filesystem;

constexpr const char* kServiceAccountDir = "var/run/secrets/kubernetes.io/serviceaccount";

class KubeconfigParser {
 public:
  KubeconfigParser(std::string path) : path_(std::move(path)) {
    baseDir_ = fs::path(path_).parent_path();
  }

  Error error(const std::string& field, const std::string& what) const {
    return makeError("kubeconfig " + path_ + ": " + field + ": " + what);
  }

  // Finds the entry called `name` in the list `listKey` (clusters/users/contexts) and returns
  // its `innerKey` map.
  Result<YAML::Node> findNamed(const YAML::Node& root, const std::string& listKey,
                               const std::string& innerKey, const std::string& name) const {
    const YAML::Node list = root[listKey];
    if (!list || list.IsNull()) {
      return error(listKey, "missing (looking for \"" + name + "\")");
    }
    if (!list.IsSequence()) return error(listKey, "must be a list");
    for (size_t i = 0; i < list.size(); ++i) {
      const YAML::Node entry = list[i];
      if (!entry.IsMap()) continue;
      const YAML::Node n = entry["name"];
      if (n && n.IsScalar() && n.Scalar() == name) {
        const YAML::Node inner = entry[innerKey];
        const std::string field = listKey + "[\"" + name + "\"]." + innerKey;
        if (!inner || inner.IsNull()) return YAML::Node(YAML::NodeType::Map);
        if (!inner.IsMap()) return error(field, "must be a map");
        return inner;
      }
    }
    return error(listKey, "no entry named \"" + name + "\"");
  }

  Result<std::string> scalar(const YAML::Node& map, const std::string& key,
                             const std::string& field) const {
    const YAML::Node n = map[key];
    if (!n || n.IsNull()) return std::string();
    if (!n.IsScalar()) return error(field.empty() ? key : field + "." + key, "must be a string");
    return n.Scalar();
  }

  std::string resolve(const std::string& p) const {
    if (p.empty() || fs::path(p).is_absolute()) return p;
    return (baseDir_ / p).lexically_normal().string();
  }

  // A "<key>-data" (base64) or "<key>" (file path) pair; data wins, as in kubectl.
  Result<std::string> dataOrFile(const YAML::Node& map, const std::string& key,
                                 const std::string& field, std::string* path = nullptr) const {
    auto data = scalar(map, key + "-data", field);
    if (!data) return makeError(data.error());
    if (!data->empty()) {
      auto decoded = decodeBase64(*data);
      if (!decoded) return error(field + "." + key + "-data", "not valid base64");
      return *decoded;
    }
    auto file = scalar(map, key, field);
    if (!file) return makeError(file.error());
    if (file->empty()) return std::string();
    const std::string resolved = resolve(*file);
    auto text = readFileText(resolved);
    if (!text) return error(field + "." + key, text.error());
    if (path) *path = resolved;
    return *text;
  }

  Result<ClusterConfig> parse(const std::string& yaml, const std::string& wantedContext) {
    YAML::Node root;
    try {
      root = YAML::Load(yaml);
    } catch (const YAML::Exception& e) {
      return makeError("kubeconfig " + path_ + ": not valid YAML: line " +
                       std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    if (!root.IsMap()) return makeError("kubeconfig " + path_ + ": must be a YAML map");

    try {
      return parseRoot(root, wantedContext);
    } catch (const YAML::Exception& e) {
      // yaml-cpp throws on unexpected node shapes that the checks above did not anticipate.
      return makeError("kubeconfig " + path_ + ": line " + std::to_string(e.mark.line + 1) + ": " +
                       e.msg);
    }
  }

 private:
  // The names a context refers to.
  struct ContextRef {
    std::string cluster;
    std::string user;  // "" = anonymous
  };

  Result<ClusterConfig> parseRoot(const YAML::Node& root, const std::string& wantedContext) {
    auto contextName = chooseContext(root, wantedContext);
    if (!contextName) return makeError(contextName.error());
    ClusterConfig cfg;
    cfg.source = "kubeconfig " + path_ + " (context " + *contextName + ")";
    auto ref = readContext(root, *contextName, cfg);
    if (!ref) return makeError(ref.error());
    if (auto st = readCluster(root, ref->cluster, cfg); !st) return makeError(st.error());
    if (ref->user.empty()) return cfg;
    if (auto st = readUser(root, ref->user, cfg); !st) return makeError(st.error());
    return cfg;
  }

  // `wanted`, else the kubeconfig's current-context.
  Result<std::string> chooseContext(const YAML::Node& root, const std::string& wanted) const {
    if (!wanted.empty()) return wanted;
    auto current = scalar(root, "current-context", "");
    if (!current) return makeError(current.error());
    if (current->empty())
      return error("current-context", "not set; pass a context name explicitly");
    return *current;
  }

  // contexts[name]: the cluster and user it names, and its default namespace (into `cfg`).
  Result<ContextRef> readContext(const YAML::Node& root, const std::string& name,
                                 ClusterConfig& cfg) const {
    auto ctx = findNamed(root, "contexts", "context", name);
    if (!ctx) return makeError(ctx.error());
    const std::string field = "contexts[\"" + name + "\"].context";
    auto cluster = scalar(*ctx, "cluster", field);
    if (!cluster) return makeError(cluster.error());
    if (cluster->empty()) return error(field + ".cluster", "missing");
    auto user = scalar(*ctx, "user", field);
    if (!user) return makeError(user.error());
    auto ns = scalar(*ctx, "namespace", field);
    if (!ns) return makeError(ns.error());
    if (!ns->empty()) cfg.defaultNamespace = *ns;
    return ContextRef{*cluster, *user};
  }

  // clusters[name]: server, CA and insecure-skip-tls-verify.
  Status readCluster(const YAML::Node& root, const std::string& name, ClusterConfig& cfg) const {
    auto cluster = findNamed(root, "clusters", "cluster", name);
    if (!cluster) return makeError(cluster.error());
    const std::string field = "clusters[\"" + name + "\"].cluster";
    auto server = scalar(*cluster, "server", field);
    if (!server) return makeError(server.error());
    if (server->empty()) return error(field + ".server", "missing");
    if (server->rfind("https://", 0) != 0 && server->rfind("http://", 0) != 0) {
      return error(field + ".server", "\"" + *server + "\" must start with https:// (or http://)");
    }
    cfg.server = *server;
    auto ca = dataOrFile(*cluster, "certificate-authority", field, &cfg.caFile);
    if (!ca) return makeError(ca.error());
    cfg.caData = *ca;
    if (const YAML::Node insecure = (*cluster)["insecure-skip-tls-verify"]; insecure) {
      bool value = false;
      if (!insecure.IsScalar() || !YAML::convert<bool>::decode(insecure, value)) {
        return error(field + ".insecure-skip-tls-verify", "must be true or false");
      }
      cfg.insecureSkipTlsVerify = value;
    }
    return {};
  }

  // users[name]: a token, a token file or a client certificate and key (nothing else).
  Status readUser(const YAML::Node& root, const std::string& name, ClusterConfig& cfg) const {
    auto user = findNamed(root, "users", "user", name);
    if (!user) return makeError(user.error());
    const std::string field = "users[\"" + name + "\"].user";
    for (const char* unsupported : {"exec", "auth-provider", "username", "password"}) {
      if ((*user)[unsupported]) {
        return error(field + "." + unsupported,
                     "not supported by ironlb; use a token, tokenFile or client certificate");
      }
    }
    auto token = scalar(*user, "token", field);
    if (!token) return makeError(token.error());
    cfg.token = *token;
    auto tokenFile = scalar(*user, "tokenFile", field);
    if (!tokenFile) return makeError(tokenFile.error());
    if (!tokenFile->empty()) {
      cfg.tokenFile = resolve(*tokenFile);
      auto probe = readFileText(cfg.tokenFile);
      if (!probe) return error(field + ".tokenFile", probe.error());
    }
    auto cert = dataOrFile(*user, "client-certificate", field);
    if (!cert) return makeError(cert.error());
    auto key = dataOrFile(*user, "client-key", field);
    if (!key) return makeError(key.error());
    if (cert->empty() != key->empty()) {
      return error(field, cert->empty() ? "client-key given without client-certificate"
                                        : "client-certificate given without client-key");
    }
    cfg.clientCertData = *cert;
    cfg.clientKeyData = *key;
    return {};
  }

  std::string path_;
  fs::path baseDir_;
};

std::string trimmed(const std::string& s) {
  return std::string(util::trim(s, util::kWhitespace));
}

}  // namespace

EnvLookup processEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<std::string> readFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return makeError("cannot read " + path + ": " + std::strerror(errno));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return makeError("cannot read " + path + ": read error");
  return ss.str();
}

Result<ClusterConfig> parseKubeconfig(const std::string& yaml, const std::string& path,
                                      const std::string& context) {
  return KubeconfigParser(path).parse(yaml, context);
}

Result<ClusterConfig> loadKubeconfig(const std::string& path, const std::string& context) {
  auto text = readFileText(path);
  if (!text) return makeError("kubeconfig: " + text.error());
  return parseKubeconfig(*text, path, context);
}

Result<ClusterConfig> loadInClusterConfig(const InClusterOptions& options) {
  const auto host = options.env("KUBERNETES_SERVICE_HOST");
  const auto port = options.env("KUBERNETES_SERVICE_PORT");
  if (!host || host->empty() || !port || port->empty()) {
    return makeError(
        "in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set "
        "(not running in a pod? pass --kubeconfig)");
  }
  ClusterConfig cfg;
  cfg.source = "in-cluster service account";
  const bool v6 = host->find(':') != std::string::npos;
  cfg.server = "https://" + (v6 ? "[" + *host + "]" : *host) + ":" + *port;
  const fs::path dir = fs::path(options.rootDir) / kServiceAccountDir;
  cfg.tokenFile = (dir / "token").string();
  auto token = readFileText(cfg.tokenFile);
  if (!token) return makeError("in-cluster config: service account token: " + token.error());
  if (trimmed(*token).empty()) {
    return makeError("in-cluster config: service account token " + cfg.tokenFile + " is empty");
  }
  cfg.caFile = (dir / "ca.crt").string();
  auto ca = readFileText(cfg.caFile);
  if (!ca) return makeError("in-cluster config: service account CA: " + ca.error());
  cfg.caData = *ca;
  if (auto ns = readFileText((dir / "namespace").string()); ns && !trimmed(*ns).empty()) {
    cfg.defaultNamespace = trimmed(*ns);
  }
  return cfg;
}

Result<ClusterConfig> loadClusterConfig(const std::string& kubeconfigPath,
                                        const std::string& context,
                                        const InClusterOptions& inCluster) {
  if (!kubeconfigPath.empty()) return loadKubeconfig(kubeconfigPath, context);
  if (auto host = inCluster.env("KUBERNETES_SERVICE_HOST"); host && !host->empty()) {
    return loadInClusterConfig(inCluster);
  }
  if (auto list = inCluster.env("KUBECONFIG"); list && !list->empty()) {
    std::stringstream ss(*list);
    for (std::string entry; std::getline(ss, entry, ':');) {
      std::error_code ec;
      if (!entry.empty() && fs::exists(entry, ec)) return loadKubeconfig(entry, context);
    }
    return makeError("KUBECONFIG=" + *list + ": none of the listed files exists");
  }
  if (auto home = inCluster.env("HOME"); home && !home->empty()) {
    const std::string path = (fs::path(*home) / ".kube" / "config").string();
    std::error_code ec;
    if (fs::exists(path, ec)) return loadKubeconfig(path, context);
  }
  return makeError(
      "no Kubernetes configuration found: pass --kubeconfig, set KUBECONFIG, or run in a pod "
      "with a service account");
}

}  // namespace ironlb::k8s
