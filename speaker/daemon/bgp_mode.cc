// BgpMode: BgpNode on a worker thread, fed from the logic thread.
#include "speaker/daemon/bgp_mode.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "common/k8s/base64.h"
#include "common/k8s/object_meta.h"
#include "common/k8s/resource.h"
#include "speaker/bgp/frr_applier.h"
#include "speaker/bgp/frr_config.h"

namespace ironlb::speaker {
namespace {

std::string markerPath(const std::string& dir) {
  return dir + "/" + kWithdrawnMarker;
}

// The password of one peer's Secret, or why there is none (never quoting the value).
Result<std::string> passwordOf(const k8s::Json& secret, const std::string& name) {
  const std::string where = "Secret \"" + name + "\"";
  if (auto type = secret.find("type");
      type != secret.end() && type->is_string() && *type != "kubernetes.io/basic-auth") {
    return makeError(where + ": type is \"" + type->get<std::string>() +
                     "\", want \"kubernetes.io/basic-auth\"");
  }
  const auto data = secret.find("data");
  if (data == secret.end() || !data->is_object() || !data->contains("password") ||
      !(*data)["password"].is_string()) {
    return makeError(where + ": no key \"password\" in data");
  }
  auto decoded = k8s::decodeBase64((*data)["password"].get<std::string>());
  if (!decoded) return makeError(where + ": data.password is not base64");
  if (auto bad = bgp::checkPassword(*decoded)) return makeError(where + ": password " + *bad);
  return std::move(*decoded);
}

}  // namespace

util::MonoTime passwordsDue(const lbconfig::BgpConfig& bgp, const std::vector<std::string>& peers,
                            const std::function<bool(const std::string&)>& established,
                            bool readFailed, util::MonoTime readAt, const BgpModeOptions& options) {
  const auto needsPassword = [&](const std::string& peer) {
    const auto it = bgp.peers.find(peer);
    return it != bgp.peers.end() && !it->second.passwordSecret.empty();
  };
  if (std::none_of(peers.begin(), peers.end(), needsPassword)) return util::MonoTime::max();
  const bool settled =
      !readFailed && std::all_of(peers.begin(), peers.end(), [&](const std::string& p) {
        return !needsPassword(p) || established(p);
      });
  return readAt + (settled ? options.passwordRefreshSettled : options.passwordRefresh);
}

control::AnnouncedServices announcedServices(const bgp::NodePlan& plan) {
  std::map<control::ServiceRef, std::set<std::string>> peers;
  for (const bgp::IpVerdict& v : plan.verdicts) {
    if (v.reason != bgp::Reason::kAnnounced) continue;
    auto ref = k8s::splitKey(v.service);
    if (ref.first.empty()) continue;  // not "namespace/name"
    peers[std::move(ref)].insert(v.peers.begin(), v.peers.end());
  }
  control::AnnouncedServices out;
  for (auto& [service, names] : peers)
    out.emplace(service, std::vector<std::string>(names.begin(), names.end()));
  return out;
}

BgpMode::BgpMode(boost::asio::io_context& io, const util::Clock& clock, k8s::ApiClient& api,
                 util::MetricsRegistry& registry, BgpModeOptions options, BgpModeOutputs outputs)
    : clock_(clock),
      api_(api),
      options_(std::move(options)),
      outputs_(std::move(outputs)),
      timer_(io),
      metrics_(std::make_unique<bgp::BgpMetrics>(registry)),
      frr_(std::make_unique<bgp::FrrApplier>(options_.socketDir)),
      node_(std::make_unique<bgp::BgpNode>(options_.nodeName, *frr_, clock_,
                                           util::makeRandomSource(), metrics_.get(),
                                           options_.node)),
      worker_(io, "bgp", 4) {
  // A marker from an earlier run of this speaker (FRR kept running) would let FRR stop before
  // the next withdrawal.
  ::unlink(markerPath(options_.socketDir).c_str());
}

BgpMode::~BgpMode() {
  *alive_ = false;
  worker_.stop();
}

void BgpMode::setConfig(std::shared_ptr<const lbconfig::Config> config) {
  pending_.config = std::move(config);
  dirty_ = true;
  kick();
}

void BgpMode::setServices(std::vector<control::ServiceInput> services) {
  pending_.services = std::move(services);
  dirty_ = true;
  kick();
}

void BgpMode::kick() {
  if (stopping_ || inflight_ || !dirty_) return;
  dirty_ = false;
  inflight_ = true;
  Inputs inputs = std::exchange(pending_, {});
  const bool queued = worker_.submit<Outcome>(
      [this, inputs = std::move(inputs)]() mutable { return run(std::move(inputs)); },
      [this, alive = alive_](Outcome outcome) {
        if (!*alive) return;
        inflight_ = false;
        if (outcome.announced && outputs_.announced) outputs_.announced(*outcome.announced);
        for (const auto& e : outcome.events)
          if (outputs_.session) outputs_.session(e);
        if (outcome.problems != problems_) {
          problems_ = outcome.problems;
          if (outputs_.problems) outputs_.problems(problems_);
        }
        arm(outcome.next);
        kick();
      });
  if (!queued) inflight_ = false;  // the worker is stopping
}

void BgpMode::arm(util::MonoTime at) {
  if (stopping_ || at == util::MonoTime{}) return;
  const auto now = clock_.now();
  timer_.expires_after(at > now ? at - now : util::Duration::zero());
  timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (!*alive || ec) return;
    dirty_ = true;  // due: step() again (polls FRR, retries)
    kick();
  });
}

BgpMode::Outcome BgpMode::run(Inputs inputs) {
  const util::MonoTime now = clock_.now();
  const bool configChanged = inputs.config != nullptr;
  if (inputs.config) config_ = std::move(inputs.config);
  if (inputs.services) node_->setServices(std::move(*inputs.services));
  if (!config_) return {};  // nothing to run before the first valid configuration
  const auto due = [this] {
    return passwordsDue(
        config_->bgp(), bgp::peersOfNode(*config_, config_->bgp(), options_.nodeName),
        [this](const std::string& peer) { return node_->established(peer); },
        !passwordProblems_.empty(), passwordsRead_, options_);
  };
  if (configChanged || now >= due()) {
    std::vector<std::string> problems;
    auto passwords = readPasswords(problems);
    passwordsRead_ = now;
    passwordProblems_ = std::move(problems);
    if (passwords != passwords_) {
      passwords_ = std::move(passwords);
      node_->setPasswords(passwords_);
    }
  }
  if (configChanged) node_->setConfig(config_, config_->bgp());

  Outcome out;
  out.next = node_->step();
  out.next = std::min(out.next, due());
  auto announced = announcedServices(node_->plan());
  if (announced != announced_) {
    announced_ = announced;
    out.announced = std::move(announced);
  }
  out.events = node_->takeEvents();
  out.problems = passwordProblems_;
  out.problems.insert(out.problems.end(), node_->problems().begin(), node_->problems().end());
  if (!node_->lastError().empty()) out.problems.push_back("FRR: " + node_->lastError());
  return out;
}

std::map<std::string, std::string> BgpMode::readPasswords(std::vector<std::string>& problems) {
  std::map<std::string, Result<std::string>> bySecret;  // one GET per Secret, however many peers
  std::map<std::string, std::string> out;
  // Only the Secrets of this node's own peers: API load per node, not per cluster.
  for (const std::string& name : bgp::peersOfNode(*config_, config_->bgp(), options_.nodeName)) {
    const lbconfig::BgpPeer& peer = config_->bgp().peers.at(name);
    if (peer.passwordSecret.empty()) continue;
    auto read = bySecret.find(peer.passwordSecret);
    if (read == bySecret.end()) {
      auto secret = api_.get(
          k8s::resources::kSecrets, options_.ns, peer.passwordSecret,
          k8s::CallOptions{.timeout = std::chrono::seconds(5), .cancel = &worker_.token()});
      read =
          bySecret
              .emplace(peer.passwordSecret,
                       secret ? passwordOf(*secret, peer.passwordSecret)
                              : Result<std::string>(makeError("Secret \"" + peer.passwordSecret +
                                                              "\": " + secret.error().describe())))
              .first;
    }
    const Result<std::string>& password = read->second;
    if (password) {
      out[name] = *password;
      continue;
    }
    // A Secret that cannot be read now (API server away, deleted by mistake, edited badly)
    // does not take a working session down: the password read before stays in use.
    const auto before = passwords_.find(name);
    const bool kept = before != passwords_.end();
    if (kept) out[name] = before->second;
    problems.push_back("BGPPeer \"" + name + "\": " + password.error() +
                       (kept ? " (keeping the password read before)" : ""));
  }
  return out;
}

void BgpMode::stop(std::function<void()> done) {
  if (stopping_) return;
  stopping_ = true;
  timer_.cancel();
  auto finish = [this, alive = alive_, done](std::string report) {
    if (!*alive) return;
    if (outputs_.problems && !report.empty()) outputs_.problems({report});
    done();
  };
  const bool queued = worker_.submit<std::string>(
      [this]() -> std::string {
        std::string report;
        if (Status s = node_->withdrawAll(); !s.ok()) report = "withdrawing: " + s.error();
        const std::string path = markerPath(options_.socketDir);
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) {
          report += (report.empty() ? "" : "; ") + std::string("cannot create ") + path + ": " +
                    std::strerror(errno);
        } else {
          ::close(fd);
        }
        return report;
      },
      finish);
  if (!queued) done();
}

}  // namespace ironlb::speaker
