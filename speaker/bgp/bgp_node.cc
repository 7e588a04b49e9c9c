#include "speaker/bgp/bgp_node.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "speaker/bgp/frr_config.h"

namespace ironlb::bgp {
namespace {

std::string vrfLabel(const std::string& vrf) {
  return vrf.empty() ? "default" : vrf;
}

// What a session that never comes up usually means; FRR cannot tell them apart (a TCP MD5
// mismatch drops the segments without an answer, like an unreachable router).
std::string notEstablishedHint(const lbconfig::BgpPeer& peer) {
  std::string hint = "not established: check the router's address, ASN and reachability";
  if (!peer.passwordSecret.empty()) {
    hint += ", and that the password in Secret \"" + peer.passwordSecret +
            "\" matches the router's (a wrong TCP MD5 password gets no answer at all)";
  }
  return hint;
}

}  // namespace

BgpNode::BgpNode(std::string node, FrrPort& frr, const util::Clock& clock,
                 util::RandomSource random, BgpMetrics* metrics, BgpNodeOptions options)
    : node_(std::move(node)),
      frr_(frr),
      clock_(clock),
      metrics_(metrics),
      options_(options),
      backoff_(options.retry, std::move(random)) {}

void BgpNode::setConfig(std::shared_ptr<const lbconfig::Config> config, lbconfig::BgpConfig bgp) {
  config_ = std::move(config);
  bgp_ = std::move(bgp);
  replan();
}

void BgpNode::setServices(std::vector<control::ServiceInput> services) {
  services_ = std::move(services);
  replan();
}

void BgpNode::setPasswords(std::map<std::string, std::string> passwords) {
  passwords_ = std::move(passwords);
  replan();
}

lbconfig::BgpConfig BgpNode::usableConfig(std::vector<std::string>* problems) const {
  // A peer whose password is not at hand would only fail authentication: leave it out.
  lbconfig::BgpConfig usable = bgp_;
  for (auto it = usable.peers.begin(); it != usable.peers.end();) {
    const lbconfig::BgpPeer& p = it->second;
    if (p.passwordSecret.empty() || passwords_.count(p.name) != 0) {
      ++it;
      continue;
    }
    if (problems != nullptr) {
      problems->push_back("BGPPeer \"" + p.name +
                          "\" is left out: no usable password in Secret \"" + p.passwordSecret +
                          "\" yet");
    }
    it = usable.peers.erase(it);
  }
  return usable;
}

void BgpNode::replan() {
  if (!config_) return;
  problems_.clear();
  const lbconfig::BgpConfig usable = usableConfig(&problems_);
  plan_ = planBgp(*config_, usable, node_, services_);
  FrrRendering r = renderFrrConfig(usable, plan_, {node_, passwords_});
  problems_.insert(problems_.end(), r.problems.begin(), r.problems.end());
  if (metrics_ != nullptr) metrics_->setVerdicts(plan_.verdicts);
  if (r.text != rendering_) {
    rendering_ = std::move(r.text);
    dirty_ = true;
    nextApply_ = clock_.now();
  }
}

void BgpNode::applyDue(util::MonoTime now) {
  if (!dirty_ || now < nextApply_ || rendering_.empty()) return;
  auto applied = frr_.apply(rendering_);
  if (applied.ok()) {
    dirty_ = false;
    appliedAt_ = now;
    lastError_.clear();
    backoff_.reset();
    return;
  }
  lastError_ = applied.error();
  nextApply_ = now + backoff_.next();
}

void BgpNode::pollDue(util::MonoTime now) {
  if (now < nextPoll_ || rendering_.empty()) return;
  nextPoll_ = now + options_.pollInterval;
  // Applying the unchanged rendering costs nothing when FRR is as left, and converges it when
  // FRR restarted in between (the applier notices and reads its state back).
  if (!dirty_ && now - appliedAt_ >= options_.pollInterval) {
    dirty_ = true;
    nextApply_ = now;
  }
  applyDue(now);

  // Sessions no longer planned are forgotten (a peer coming back starts afresh).
  const std::set<std::string> planned(plan_.sessions.begin(), plan_.sessions.end());
  std::erase_if(established_, [&](const auto& e) { return !planned.contains(e.first); });
  std::erase_if(downSince_, [&](const auto& e) { return !planned.contains(e.first); });
  std::erase_if(downReported_, [&](const auto& e) { return !planned.contains(e); });

  std::map<std::string, const lbconfig::BgpPeer*> byNeighbor;  // "<vrf>|<neighbor>" -> peer
  std::set<std::string> vrfs;
  for (const std::string& name : plan_.sessions) {
    const auto it = bgp_.peers.find(name);
    if (it == bgp_.peers.end()) continue;
    byNeighbor[it->second.vrf + "|" + it->second.neighbor()] = &it->second;
    vrfs.insert(it->second.vrf);
  }
  std::vector<SessionSample> samples;
  for (const std::string& vrf : vrfs) {
    auto json =
        frr_.show(FrrDaemon::kBgpd, vrf.empty() ? "show bgp neighbors json"
                                                : "show bgp vrf " + vrf + " neighbors json");
    if (!json.ok()) continue;
    auto sessions = parseBgpNeighbors(*json);
    if (!sessions.ok()) continue;
    for (const BgpSessionState& s : *sessions) {
      const auto peer = byNeighbor.find(vrf + "|" + s.neighbor);
      if (peer == byNeighbor.end()) continue;
      const lbconfig::BgpPeer& p = *peer->second;
      samples.push_back({s.neighbor + ":" + std::to_string(p.port), vrfLabel(vrf), s});
      const std::string detail = s.state + (s.lastResetReason.empty() || s.established
                                                ? ""
                                                : " (last reset: " + s.lastResetReason + ")");
      const auto [seen, first] = established_.emplace(p.name, s.established);
      if (first ? s.established : seen->second != s.established) {
        seen->second = s.established;
        events_.push_back({p.name, s.established, detail});
      }
      if (s.established) {
        downSince_.erase(p.name);
        downReported_.erase(p.name);
      } else if (const auto since = downSince_.emplace(p.name, now).first;
                 now - since->second >= options_.downReportAfter &&
                 downReported_.insert(p.name).second) {
        events_.push_back({p.name, false, detail + "; " + notEstablishedHint(p)});
      }
    }
  }
  if (metrics_ != nullptr) {
    metrics_->setSessions(samples);
    auto bfdJson = frr_.show(FrrDaemon::kBfdd, "show bfd peers json");
    if (bfdJson.ok()) {
      if (auto bfd = parseBfdPeers(*bfdJson); bfd.ok()) {
        std::vector<BfdSample> out;
        for (const BfdSessionState& b : *bfd)
          out.push_back({b.peer, vrfLabel(b.vrf), b.up});
        metrics_->setBfd(out);
      }
    }
  }
}

util::MonoTime BgpNode::step() {
  const util::MonoTime now = clock_.now();
  applyDue(now);
  pollDue(now);
  util::MonoTime next = nextPoll_;
  if (dirty_) next = std::min(next, std::max(nextApply_, now));
  return next;
}

Status BgpNode::withdrawAll() {
  if (rendering_.empty()) return {};
  // Only the `network` lines go: the diff is then one `no network` per prefix and nothing else
  // (the route maps stay, ready for the routes to come back), which is what FRR's container
  // waits for before it stops.
  std::string withdrawn;
  std::istringstream in(rendering_);
  for (std::string line; std::getline(in, line);) {
    if (line.find_first_not_of(' ') != std::string::npos &&
        line.compare(line.find_first_not_of(' '), 8, "network ") == 0) {
      continue;
    }
    withdrawn += line + "\n";
  }
  auto applied = frr_.apply(withdrawn);
  if (!applied.ok()) return makeError(applied.error());
  rendering_ = std::move(withdrawn);
  return {};
}

std::vector<SessionEvent> BgpNode::takeEvents() {
  return std::exchange(events_, {});
}

}  // namespace ironlb::bgp
