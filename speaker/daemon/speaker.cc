// Speaker: inputs -> planner -> data plane and reports. Everything here runs on the loop thread.
#include "speaker/daemon/speaker.h"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <iterator>
#include <random>
#include <sstream>

#include "common/api/endpoint_slice_json.h"
#include "common/api/metallb_types_json.h"
#include "common/api/node_json.h"
#include "common/api/service_json.h"
#include "common/k8s/object_meta.h"
#include "common/k8s/resource.h"
#include "common/lbconfig/config_object_json.h"
#include "common/lbconfig/verdict.h"
#include "common/util/logging.h"
#include "speaker/daemon/host_probe.h"
#include "speaker/daemon/member_key_file.h"

namespace ironlb::speaker {

using k8s::Json;
namespace resources = k8s::resources;

namespace {

// A callback to give each of `calls` parties; `done` runs when the last has called it.
std::function<void()> afterAll(int calls, std::function<void()> done) {
  auto left = std::make_shared<int>(calls);
  auto finish = std::make_shared<std::function<void()>>(std::move(done));
  return [left, finish] {
    if (--*left == 0) (*finish)();
  };
}

// Nodes are the biggest objects the speaker watches (images, capacity, node info...) and
// there is one per node: keep only what the speaker reads (labels, conditions, addresses) and
// what Events need (name, uid).
void slimNode(Json& node) {
  k8s::dropManagedFields(node);
  if (auto m = node.find("metadata"); m != node.end() && m->is_object()) m->erase("annotations");
  node.erase("spec");
  if (auto st = node.find("status"); st != node.end() && st->is_object()) {
    Json slim = Json::object();
    for (const char* keep : {"conditions", "addresses"})
      if (auto it = st->find(keep); it != st->end()) slim[keep] = std::move(*it);
    if (auto c = slim.find("conditions"); c != slim.end() && c->is_array()) {
      for (auto& condition : *c) {
        if (!condition.is_object()) continue;
        for (const char* drop : {"lastHeartbeatTime", "lastTransitionTime", "message"})
          condition.erase(drop);
      }
    }
    *st = std::move(slim);
  }
}

}  // namespace

Result<std::unique_ptr<Speaker>> Speaker::create(boost::asio::io_context& io,
                                                 const util::Clock& clock, k8s::ApiClient& api,
                                                 k8s::K8sMetrics& k8sMetrics,
                                                 util::MetricsRegistry& registry,
                                                 io::PacketIo& packets, io::LinkWatcher& links,
                                                 SpeakerOptions options) {
  auto filter = announcer::InterfaceFilter::create(options.excludePatterns);
  if (!filter.ok()) return makeError("--exclude-interfaces: " + filter.error());
  if (!options.keyFile.empty()) {
    auto key = loadMemberKeyFile(options.keyFile);
    if (!key.ok()) return makeError(key.error());
    options.key = std::move(key).value();
  }
  if (Status s = checkMemberKey(options.key); !s.ok()) return makeError(s.error());
  std::unique_ptr<Speaker> s(new Speaker(io, clock, api, k8sMetrics, registry, links,
                                         std::move(options), std::move(filter).value()));
  io::DataplaneConfig config;
  config.announcer = s->options_.announcer;
  config.excludePatterns = s->options_.excludePatterns;
  auto dataplane = io::Dataplane::create(io, clock, packets, s->links_, config);
  if (!dataplane.ok()) return makeError(dataplane.error());
  s->dataplane_ = std::move(dataplane).value();
  return s;
}

Speaker::Speaker(boost::asio::io_context& io, const util::Clock& clock, k8s::ApiClient& api,
                 k8s::K8sMetrics& k8sMetrics, util::MetricsRegistry& registry,
                 io::LinkWatcher& links, SpeakerOptions options, announcer::InterfaceFilter filter)
    : io_(io),
      clock_(clock),
      api_(api),
      k8sMetrics_(k8sMetrics),
      options_(std::move(options)),
      log_(util::getLogger("speaker")),
      filter_(std::move(filter)),
      metrics_(registry),
      links_(links, [this](const std::vector<announcer::Link>& l) { onLinks(l); }),
      planner_(options_.nodeName),
      events_(api,
              {.component = "ironlb-speaker", .host = options_.nodeName, .metrics = &k8sMetrics}),
      status_(io, api, kL2StatusKind, options_.ns, options_.nodeName,
              {options_.podName, options_.podUid},
              [this](const std::string& e) { log_->warn("ServiceL2Status write failed: {}", e); }),
      reporter_(
          options_.nodeName, metrics_, [this](const ReportEvent& e) { serviceEvent(e); },
          [this](bool warning, const std::string& m) {
            if (warning) {
              log_->warn("{}", m);
            } else {
              log_->info("{}", m);
            }
          }),
      ready_("starting: waiting for the API server"),
      metricsTimer_(io),
      hostTimer_(io),
      keyTimer_(io),
      yieldTimer_(io) {
  if (!options_.keyFile.empty()) rotation_.emplace(options_.key, options_.keyGrace);
  if (!options_.frrSocketDir.empty()) makeBgp(registry);
}

Speaker::~Speaker() {
  *alive_ = false;
  membership::wipeBytes(options_.key);  // the membership core wipes its own copies
  for (auto& informer : informers_)
    informer->stop();
  if (l2status_) l2status_->stop();
  if (bgpStatusInformer_) bgpStatusInformer_->stop();
  bgp_.reset();  // joins its worker before the members it posts into go
  events_.stop();
}

Status Speaker::start() {
  dataplane_->setDuplicateOwnerHandler(
      [this](const io::DuplicateOwnerEvent& e) { onDuplicate(e); });
  dataplane_->setErrorHandler([this](const std::string& e) { log_->error("data plane: {}", e); });
  if (Status s = dataplane_->start(); !s.ok()) return makeError("link watcher: " + s.error());
  makeInformers();
  events_.start();
  for (auto& informer : informers_)
    informer->start();
  l2status_->start();
  if (bgpStatusInformer_) bgpStatusInformer_->start();
  syncMetrics();
  checkKernel();
  checkKey();
  log_->info("speaker {} started: membership on {}, namespace {}, BGP mode {}", options_.nodeName,
             membership::toString(options_.memberEndpoint), options_.ns,
             bgp_ ? "on (FRR at " + options_.frrSocketDir + ")" : std::string("off"));
  return {};
}

// ---------------------------------------------------------------------------------------------
// Kubernetes inputs

void Speaker::makeInformers() {
  auto add = [this](const k8s::ResourceType& type, std::string ns,
                    std::function<void(const Json&, bool)> on) {
    auto informer = std::make_unique<k8s::Informer>(
        api_, io_,
        k8s::InformerOptions{.type = type,
                             .ns = std::move(ns),
                             .transform = &type == &resources::kNodes
                                              ? std::function<void(Json&)>(slimNode)
                                              : std::function<void(Json&)>(k8s::dropManagedFields),
                             .metrics = &k8sMetrics_},
        k8s::InformerHandlers{.onAdd = [on](const Json& o) { on(o, false); },
                              .onUpdate = [on](const Json&, const Json& o) { on(o, false); },
                              .onDelete = [on](const Json& o) { on(o, true); },
                              .onSynced =
                                  [this] {
                                    updateReadiness();
                                    scheduleFlush();
                                  }});
    k8s::Informer* raw = informer.get();
    informers_.push_back(std::move(informer));
    return raw;
  };
  services_ = add(resources::kServices, "",
                  [this](const Json& o, bool deleted) { onServiceObject(o, deleted); });
  add(resources::kEndpointSlices, "",
      [this](const Json& o, bool deleted) { onSliceObject(o, deleted); });
  nodes_ =
      add(resources::kNodes, "", [this](const Json& o, bool deleted) { onNodeObject(o, deleted); });
  // The BGP kinds are read in layer 2 mode too: the configuration's verdict is the same on
  // every node, and BGPPeers with BGP mode off are pointed out.
  for (const auto* type :
       {&resources::kNamespaces, &resources::kIPAddressPools, &resources::kL2Advertisements,
        &resources::kBGPPeers, &resources::kBGPAdvertisements, &resources::kBFDProfiles,
        &resources::kCommunities}) {
    const std::string ns = type->namespaced ? options_.ns : "";
    k8s::Informer* informer = add(*type, ns, [this, type](const Json& o, bool deleted) {
      onConfigObject(*type, o, deleted);
    });
    if (type == &resources::kBGPPeers) bgpPeers_ = informer;
  }
  l2status_ = makeStatusInformer(status_);
}

std::unique_ptr<k8s::Informer> Speaker::makeStatusInformer(StatusSync& sync) {
  // Our own objects of the kind: label metallb.io/node=<this node>.
  return std::make_unique<k8s::Informer>(
      api_, io_,
      k8s::InformerOptions{
          .type = *sync.kind().type,
          .ns = options_.ns,
          .labelSelector = std::string(control::kL2StatusNodeLabel) + "=" + options_.nodeName,
          .metrics = &k8sMetrics_},
      k8s::InformerHandlers{.onAdd = [&sync](const Json& o) { sync.onObject(o); },
                            .onUpdate = [&sync](const Json&, const Json& o) { sync.onObject(o); },
                            .onDelete = [&sync](const Json& o) { sync.onDeleted(o); },
                            .onSynced = [&sync] { sync.setSynced(); }});
}

void Speaker::onServiceObject(const Json& object, bool deleted) {
  k8sMetrics_.updates().inc();  // metallb_k8s_client_updates_total
  if (deleted) {
    dirtyServices_.insert(cache_.removeService(k8s::namespaceOf(object), k8s::nameOf(object)));
  } else {
    auto svc = api::decodeService(object);
    if (!svc.ok()) {
      k8sMetrics_.updateErrors().inc();
      log_->warn("ignoring an update that does not decode: {}", svc.error());
      return;
    }
    dirtyServices_.insert(cache_.putService(std::move(svc).value()));
  }
  scheduleFlush();
}

void Speaker::onSliceObject(const Json& object, bool deleted) {
  k8sMetrics_.updates().inc();  // metallb_k8s_client_updates_total
  std::vector<std::string> affected;
  if (deleted) {
    affected = cache_.removeSlice(k8s::namespaceOf(object), k8s::nameOf(object));
  } else {
    auto slice = api::decodeEndpointSlice(object);
    if (!slice.ok()) {
      k8sMetrics_.updateErrors().inc();
      log_->warn("ignoring an update that does not decode: {}", slice.error());
      return;
    }
    affected = cache_.putSlice(*slice);
  }
  dirtyServices_.insert(affected.begin(), affected.end());
  if (!affected.empty()) scheduleFlush();
}

void Speaker::onNodeObject(const Json& object, bool deleted) {
  k8sMetrics_.updates().inc();  // metallb_k8s_client_updates_total
  NodeEffect effect;
  if (deleted) {
    effect = cache_.removeNode(k8s::nameOf(object));
  } else {
    auto node = api::decodeNode(object);
    if (!node.ok()) {
      k8sMetrics_.updateErrors().inc();
      log_->warn("ignoring an update that does not decode: {}", node.error());
      return;
    }
    effect = cache_.putNode(*node);
  }
  configDirty_ = configDirty_ || effect.config;
  membersDirty_ = membersDirty_ || effect.members;
  if (effect.config || effect.members) scheduleFlush();
}

void Speaker::onConfigObject(const k8s::ResourceType& type, const Json& object, bool deleted) {
  k8sMetrics_.updates().inc();  // metallb_k8s_client_updates_total
  const std::string ns = k8s::namespaceOf(object), name = k8s::nameOf(object);
  bool changed = false;
  std::string error;
  if (&type == &resources::kNamespaces) {
    if (deleted) {
      changed = cache_.removeNamespace(name);
    } else if (auto n = api::decodeNamespace(object); n.ok()) {
      changed = cache_.putNamespace(*n);
    } else {
      error = n.error();
    }
  } else if (deleted) {
    changed = cache_.removeConfig(type.kind, ns, name);
  } else if (auto decoded = lbconfig::decodeConfigObject(type.kind, object); decoded.ok()) {
    changed = cache_.putConfig(std::move(decoded).value());
  } else {
    error = decoded.error();
  }
  if (!error.empty()) {
    // An object the API server accepted but we cannot read: the configuration is stale until
    // it is fixed (MetalLB does the same).
    k8sMetrics_.updateErrors().inc();
    log_->error("configuration object does not decode, keeping the last configuration: {}", error);
    k8sMetrics_.configStale().set(1);
    return;
  }
  if (changed) {
    configDirty_ = true;
    scheduleFlush();
  }
}

bool Speaker::informersSynced() const {
  return std::all_of(informers_.begin(), informers_.end(),
                     [](const auto& informer) { return informer->synced(); });
}

void Speaker::scheduleFlush() {
  if (flushPosted_) return;
  flushPosted_ = true;
  boost::asio::post(io_, [this, alive = alive_] {
    if (!*alive) return;
    flushPosted_ = false;
    flush();
  });
}

void Speaker::flush() {
  if (stopping_ || !informersSynced()) return;
  std::vector<control::Change> changes;
  if (configDirty_) rebuildConfig(changes);
  if (!configLoaded_) return;
  if (membersDirty_) {
    membersDirty_ = false;
    if (Status s = updateMembers(); !s.ok()) log_->error("membership: {}", s.error());
  }
  for (const auto& key : dirtyServices_) {
    auto converted = cache_.serviceInput(key, options_.lbClass);
    for (const auto& bad : converted.invalidIps) {
      if (badIpsLogged_.insert(key + " " + bad).second)
        log_->warn("Service {}: status.loadBalancer.ingress ip \"{}\" is not an IP address", key,
                   bad);
    }
    auto c = converted.input ? planner_.upsertService(std::move(*converted.input))
                             : planner_.removeService(key);
    changes.insert(changes.end(), std::make_move_iterator(c.begin()),
                   std::make_move_iterator(c.end()));
  }
  bgpServicesDirty_ = bgpServicesDirty_ || !dirtyServices_.empty();
  dirtyServices_.clear();
  apply(changes);
  pushBgpServices();
  if (planner_.decisions().size() != vipCount_) {
    vipCount_ = planner_.decisions().size();
    checkKernel();
  }
  updateReadiness();
}

void Speaker::rebuildConfig(std::vector<control::Change>& changes) {
  configDirty_ = false;
  auto built = lbconfig::build(
      cache_.snapshot(),
      {.installNamespace = options_.ns, .ignoreExcludeLbLabel = options_.ignoreExcludeLb});
  const lbconfig::IssueReport issues = configIssues_.update(built);
  if (options_.configState) options_.configState->report(lbconfig::verdictOf(built));
  for (const auto& e : issues.newErrors)
    log_->error("configuration: {}", e.toString());
  for (const auto& w : issues.newWarnings)
    log_->warn("configuration: {}", w.toString());
  if (!built.ok()) {
    log_->error("configuration invalid ({} errors): keeping the last valid one",
                built.errors.size());
    k8sMetrics_.configStale().set(1);
    return;
  }
  if (!cache_.node(options_.nodeName))
    log_->warn("Node {} not found: this node cannot announce anything (check --node-name)",
               options_.nodeName);
  if (bgp_) {
    bgp_->setConfig(std::make_shared<const lbconfig::Config>(*built.config));
  } else if (cache_.hasBgpPeers() && !bgpOffWarned_) {
    bgpOffWarned_ = true;
    log_->warn(
        "BGPPeer objects exist but BGP mode is off on this speaker (no --frr-socket-dir; the "
        "chart's speaker.frr.enabled): nothing is announced over BGP");
  }
  auto c = planner_.setConfig(std::move(*built.config));
  changes.insert(changes.end(), std::make_move_iterator(c.begin()),
                 std::make_move_iterator(c.end()));
  configLoaded_ = true;
  k8sMetrics_.configLoaded().set(1);
  k8sMetrics_.configStale().set(0);
  judgeWithdrawal();
}

Status Speaker::updateMembers() {
  const auto plan =
      cache_.members(options_.memberEndpoint.address.family(), options_.memberEndpoint.port);
  std::string report;
  for (const auto& s : plan.skipped)
    report += s + "; ";
  if (report != lastMemberReport_) {
    lastMemberReport_ = report;
    for (const auto& s : plan.skipped)
      log_->warn("membership: skipping Node {}", s);
  }
  if (membership_) return membership_->setMembers(plan.members);

  membership::Config config;
  config.selfName = options_.nodeName;
  config.selfEndpoint = options_.memberEndpoint;
  config.startIncarnation = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.wallNow().time_since_epoch())
          .count());
  config.randomSeed = std::random_device{}();
  config.timers = options_.timers;
  config.requireSealed = options_.requireSealed;
  const std::vector<std::vector<uint8_t>> keys =
      rotation_ ? rotation_->keys() : std::vector<std::vector<uint8_t>>{options_.key};
  auto created = membership::UdpMembership::create(
      io_, clock_, config, plan.members, keys,
      {.onLiveSetChanged =
           [this](const std::vector<std::string>& live, util::MonoTime) {
             if (membershipSynced_ && !stopping_) onLive(live);
           },
       .onEvent = [this](const membership::Event& e) { onMembershipEvent(e); }});
  if (!created.ok()) return makeError(created.error());
  membership_ = std::move(created).value();
  pushLocalMacs();
  membership_->start();
  if (withdrawal_.withdraw) membership_->setWithdrawn(true);
  if (!memberLink_.up) membership_->setLinkUp(false);
  log_->info("membership started with {} expected members", plan.members.size());
  return {};
}

// ---------------------------------------------------------------------------------------------
// Membership and links

void Speaker::onMembershipEvent(const membership::Event& e) {
  using membership::EventKind;
  using membership::MemberStatus;
  switch (e.kind) {
    case EventKind::kMemberChanged:
      log_->info("member {}: {} -> {} (incarnation {})", e.member, membership::statusName(e.from),
                 membership::statusName(e.to), e.incarnation);
      if (e.from == MemberStatus::kDead && e.to == MemberStatus::kAlive)
        returning_.insert(e.member);
      break;
    case EventKind::kSynced: {
      std::size_t unheard = 0;
      bool selfLive = false;
      for (const auto& m : membership_->members()) {
        unheard += m.status == MemberStatus::kUnknown;
        selfLive = selfLive || (m.self && m.live);
      }
      std::string why;
      if (unheard > 0) why += fmt::format("; {} not heard of within the start-up window", unheard);
      if (!selfLive) why += "; this node is not a candidate yet";
      log_->info("membership synced: {} live of {} expected{}", membership_->liveMembers().size(),
                 membership_->members().size(), why);
      membershipSynced_ = true;
      onLive(membership_->liveMembers());
      updateReadiness();
      break;
    }
    case EventKind::kIsolated:
      log_->warn("membership: no peer heard for a while; this node stepped out of the live set");
      break;
    case EventKind::kRecovered:
      log_->info("membership: hearing peers again");
      break;
    case EventKind::kSuspected:
    case EventKind::kSuspicionCleared:
      log_->debug("member {}: {}", e.member, membership::eventKindName(e.kind));
      break;
    case EventKind::kLiveSetChanged:
      // At once, not at the next 1 s mirror: tools wait on this gauge for convergence.
      metrics_.syncMembership(membership_->counters(), membership_->core().memberCount(),
                              membership_->liveMembers().size(), membership_->synced());
      break;
    default:
      break;
  }
}

void Speaker::onLive(const std::vector<std::string>& live) {
  if (!configLoaded_) return;
  const std::vector<std::string> before = planner_.live();
  auto changes = planner_.setLive(live);
  if (before != planner_.live()) arbiter_.viewChanged();
  apply(changes);
  // Members back from the dead: the other side of a healed partition may have announced our
  // IPs meanwhile. Re-announce those they are eligible for, so clients return to us now.
  if (!returning_.empty()) {
    std::vector<net::IpAddress> again;
    for (const auto& [ip, ifs] : applied_) {
      const control::IpDecision* d = planner_.decision(ip);
      if (d == nullptr) continue;
      if (std::any_of(returning_.begin(), returning_.end(), [&](const std::string& m) {
            return std::binary_search(d->eligible.begin(), d->eligible.end(), m);
          }))
        again.push_back(ip);
    }
    returning_.clear();
    if (!again.empty()) {
      log_->info("re-announcing {} IPs after members came back", again.size());
      dataplane_->reannounce(again);
    }
  }
}

void Speaker::onLinks(const std::vector<announcer::Link>& links) {
  linkState_ = links;
  pushLocalMacs();
  judgeMemberLink();
  judgeWithdrawal();
  if (configLoaded_) reportDataplane();
}

void Speaker::pushLocalMacs() {
  // The MACs our responders may answer from: peers yield a contested IP only to these
  // (docs/duplicate-owner.md).
  if (!membership_) return;
  std::vector<membership::LinkMac> macs;
  for (const auto& l : linkState_) {
    if (filter_.check(l) == announcer::Ineligibility::kNone && !l.mac.isZero())
      macs.push_back(l.mac.bytes());
  }
  membership_->setLocalMacs(macs);
}

void Speaker::judgeMemberLink() {
  auto host = probeHostNetwork({});
  if (!host.ok()) {
    log_->debug("membership link check skipped: {}", host.error());
    return;
  }
  const auto link =
      control::judgeMemberLink(options_.memberEndpoint.address, host->addresses, linkState_);
  if (link == memberLink_) return;
  if (!link.up) {
    log_->warn(
        "membership link {} is down (no carrier): this node is cut off; it stops "
        "answering and declares no peer dead until the link is back",
        link.interface);
  } else if (!memberLink_.up) {
    log_->info(
        "membership link {} is up again: rejoining (answering again once every peer has "
        "heard of this node)",
        link.interface);
  }
  const bool flip = link.up != memberLink_.up;
  memberLink_ = link;
  if (flip && membership_) membership_->setLinkUp(link.up);
}

void Speaker::judgeWithdrawal() {
  if (!configLoaded_) return;
  const auto verdict = control::judgeWithdrawal(planner_.selfInterfaces(), linkState_, filter_);
  if (verdict == withdrawal_) return;
  if (verdict.withdraw) {
    log_->warn("withdrawing this node's candidacy: {}", verdict.reason);
  } else if (withdrawal_.withdraw) {
    log_->info("candidacy restored: an advertised interface is usable again");
  }
  const bool flip = verdict.withdraw != withdrawal_.withdraw;
  withdrawal_ = verdict;
  metrics_.withdrawn().set(verdict.withdraw ? 1 : 0);
  if (flip && membership_) membership_->setWithdrawn(verdict.withdraw);
}

// ---------------------------------------------------------------------------------------------
// Outputs

void Speaker::apply(const std::vector<control::Change>& changes) {
  pushDesired();  // the data plane first: this is the failover path
  if (!changes.empty()) reporter_.onChanges(changes, planner_);
  reportDataplane();
}

void Speaker::pushDesired() {
  announcer::Desired desired;
  if (!stopping_ && membershipSynced_) {
    desired = planner_.desired();
    std::set<net::IpAddress> planned;
    for (const auto& [ip, interfaces] : desired) {
      if (!planned_.contains(ip)) arbiter_.ownershipTaken(ip);
      planned.insert(ip);
    }
    planned_ = std::move(planned);
    for (const auto& ip : arbiter_.yielded(clock_.now()))
      desired.erase(ip);
  }
  if (desired == applied_) return;
  applied_ = std::move(desired);
  dataplane_->setDesired(applied_);
  armYieldTimer();
}

void Speaker::reportDataplane() {
  auto owed = reporter_.onDataplane(planner_, applied_, dataplane_->announcements(),
                                    dataplane_->refusals(), [this](int index) {
                                      const announcer::Link* l = dataplane_->link(index);
                                      return l ? l->name : std::to_string(index);
                                    });
  if (!stopping_) status_.setDesired(std::move(owed));
}

void Speaker::serviceEvent(const ReportEvent& e) {
  const Json* object = services_ ? services_->get(e.service) : nullptr;
  if (object == nullptr) return;
  events_.record(k8s::referenceTo(resources::kServices, *object), e.type, e.reason, e.message);
}

void Speaker::onDuplicate(const io::DuplicateOwnerEvent& e) {
  // Packet path: the arbiter's decision is a map lookup; anything more is posted.
  // Our own other interface on the same segment announcing the same IP is no conflict.
  for (const auto& link : linkState_)
    if (link.mac == e.otherMac) return;
  const bool dad = e.source == io::DuplicateOwnerEvent::Source::kDadProbe;
  // A peer speaker is recognised only by a MAC it told us over authenticated membership; any
  // other claimant is fought, never obeyed (docs/duplicate-owner.md).
  const std::string* peer = membership_ ? membership_->memberOfMac(e.otherMac.bytes()) : nullptr;
  const auto verdict =
      arbiter_.onReport({e.ip, e.ourMac, e.otherMac, dad, peer != nullptr}, clock_.now());
  if (verdict.action == control::DuplicateVerdict::Action::kIgnore) return;
  boost::asio::post(
      io_, [this, alive = alive_, e, verdict, peerName = peer ? *peer : std::string()] {
        if (!*alive) return;
        using Action = control::DuplicateVerdict::Action;
        const std::string ip = e.ip.toString();
        const announcer::Link* link = dataplane_->link(e.ifindex);
        const std::string where = link ? link->name : std::to_string(e.ifindex);
        if (!planned_.contains(e.ip)) {
          // The IP is no longer ours since the packet path saw the other claim: it was the next
          // owner taking over a moment before we learnt of it, not a conflict. (Yielded IPs stay
          // planned: a yield does not end the conflict's reporting.)
          log_->debug("{} claimed {} on {} as this node handed it over", e.otherMac.toString(), ip,
                      where);
          return;
        }
        if (verdict.foreign && verdict.action == Action::kReannounce) {
          constexpr std::size_t kMaxForeignLabels = 64;
          std::pair<std::string, std::string> labels{ip, e.otherMac.toString()};
          if (!foreignLabels_.contains(labels)) {
            if (foreignLabels_.size() < kMaxForeignLabels) {
              foreignLabels_.insert(labels);
            } else {
              labels.second = "other";
            }
          }
          metrics_.duplicateForeign().withLabels({labels.first, labels.second}).inc();
        }
        switch (verdict.action) {
          case Action::kReportDad:
            break;
          case Action::kReannounce:
            dataplane_->reannounce({e.ip});
            if (!verdict.alarm) {
              // One window: a hand-over's overlap looks like this (the other node learns of the
              // change a moment later, or its last announcement was still on the wire).
              log_->debug("{} claimed {} on {}, which node {} owns: re-announcing",
                          e.otherMac.toString(), ip, where, options_.nodeName);
              return;
            }
            break;
          case Action::kYield:
            metrics_.duplicateYields().withLabels({ip}).inc();
            pushDesired();
            reportDataplane();
            break;
          case Action::kIgnore:
            return;
        }
        const std::string message =
            control::describe(verdict, {.ip = ip,
                                        .interface = where,
                                        .otherMac = e.otherMac.toString(),
                                        .node = options_.nodeName,
                                        .peer = peerName,
                                        .memberPort = options_.memberEndpoint.port});
        log_->warn("duplicate owner: {}", message);
        if (verdict.alarm) {
          for (const auto* s : planner_.servicesOf(e.ip))
            serviceEvent({s->key, k8s::EventType::kWarning, "duplicateOwner", message});
        }
      });
}

void Speaker::armYieldTimer() {
  const auto next = arbiter_.nextExpiry();
  if (!next) return;
  yieldTimer_.expires_after(*next - clock_.now());
  yieldTimer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (!*alive || ec) return;
    pushDesired();
    reportDataplane();
  });
}

void Speaker::checkKernel() {
  hostTimer_.cancel();
  std::set<net::IpAddress> vips;
  for (const auto& [ip, d] : planner_.decisions())
    vips.insert(ip);
  std::vector<std::string> announcing;
  for (const auto& l : linkState_)
    if (filter_.check(l) == announcer::Ineligibility::kNone) announcing.push_back(l.name);
  std::set<control::KernelAnswer> now;
  if (!vips.empty() && !announcing.empty()) {
    auto host = probeHostNetwork(announcing);
    if (!host.ok()) {
      log_->debug("kernel ARP check skipped: {}", host.error());
    } else {
      for (auto& a : control::kernelAnswers(vips, announcing, *host))
        now.insert(std::move(a));
    }
  }
  for (const auto& a : kernelAnswers_) {
    if (now.count(a)) continue;
    metrics_.kernelAnswers().remove({a.ip.toString(), a.interface});
    log_->info("kernel no longer answers for {} on {}", a.ip.toString(), a.interface);
  }
  for (const auto& a : now) {
    if (kernelAnswers_.count(a)) continue;
    metrics_.kernelAnswers().withLabels({a.ip.toString(), a.interface}).set(1);
    const std::string text = "node " + options_.nodeName + ": " + control::describe(a);
    log_->error("misconfiguration: {}", text);
    if (const Json* node = nodes_ ? nodes_->get(options_.nodeName) : nullptr)
      events_.record(k8s::referenceTo(resources::kNodes, *node), k8s::EventType::kWarning,
                     "kernelAnswersARP", text);
    for (const auto* s : planner_.servicesOf(a.ip))
      serviceEvent({s->key, k8s::EventType::kWarning, "kernelAnswersARP", text});
  }
  kernelAnswers_ = std::move(now);
  hostTimer_.expires_after(options_.hostCheckInterval);
  hostTimer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (!*alive || ec) return;
    checkKernel();
  });
}

void Speaker::checkKey() {
  if (!rotation_) return;
  const auto now = clock_.now();
  auto content = loadMemberKeyFile(options_.keyFile);
  bool changed = false;
  if (!content.ok()) {
    log_->warn("{} (keeping the current key)", content.error());
    changed = rotation_->tick(now);
  } else {
    changed = rotation_->observe(*content, now);
    membership::wipeBytes(*content);
  }
  if (changed) {
    log_->info("membership keys changed ({} in use)", rotation_->keys().size());
    if (membership_) {
      if (Status s = membership_->setKeys(rotation_->keys()); !s.ok())
        log_->error("membership keys: {}", s.error());
    }
  }
  auto next = now + options_.keyCheckInterval;
  if (auto phase = rotation_->nextChange(); phase && *phase < next) next = *phase;
  keyTimer_.expires_after(next - now);
  keyTimer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (!*alive || ec) return;
    checkKey();
  });
}

void Speaker::syncMetrics() {
  metrics_.syncLayer2(dataplane_->counters());
  if (membership_) {
    metrics_.syncMembership(membership_->counters(), membership_->core().memberCount(),
                            membership_->liveMembers().size(), membership_->synced());
  }
  metrics_.syncPlanner(planner_.stats());
  metricsTimer_.expires_after(options_.metricsInterval);
  metricsTimer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (!*alive || ec) return;
    syncMetrics();
  });
}

void Speaker::updateReadiness() {
  if (stopping_) {
    ready_.setNotReady("stopping");
  } else if (!informersSynced()) {
    ready_.setNotReady("waiting for the first list of every watched resource");
  } else if (!configLoaded_) {
    ready_.setNotReady("the configuration is invalid (see the log)");
  } else if (!membershipSynced_) {
    ready_.setNotReady("membership is joining");
  } else {
    ready_.setReady();
  }
}

// ---------------------------------------------------------------------------------------------
// Graceful stop

void Speaker::stop(std::function<void()> done) {
  if (stopping_) return;
  stopping_ = true;
  updateReadiness();
  log_->info("stopping: {}leaving the membership, then releasing {} IPs",
             bgp_ ? "withdrawing BGP routes, " : "", applied_.size());
  auto step = afterAll(1 + (membership_ ? 1 : 0) + (bgp_ ? 1 : 0), std::move(done));
  // BGP first: the routers move traffic away while the rest goes on (the withdrawal runs on
  // BGP mode's own thread).
  if (bgp_) {
    bgp_->stop([this, step] {
      log_->info("BGP routes withdrawn");
      step();
    });
  }
  // leave() sends the first goodbye before it returns: peers take over while we release.
  if (membership_) {
    membership_->leave([this, alive = alive_, step] {
      if (!*alive) return;
      log_->info("membership left");
      step();
    });
  }
  release(step);
}

void Speaker::release(std::function<void()> done) {
  applied_.clear();
  dataplane_->setDesired(applied_);
  reportDataplane();
  auto drained = afterAll(bgpStatus_ ? 2 : 1, [this, done = std::move(done)] {
    if (!status_.inSync() || (bgpStatus_ && !bgpStatus_->inSync()))
      log_->warn("stopping before every ServiceL2Status / ServiceBGPStatus was deleted");
    events_.flush(std::chrono::seconds(1));
    done();
  });
  status_.drain(options_.stopDeadline, drained);
  if (bgpStatus_) bgpStatus_->drain(options_.stopDeadline, drained);
}

// ---------------------------------------------------------------------------------------------
// BGP mode

void Speaker::makeBgp(util::MetricsRegistry& registry) {
  bgpStatus_ = std::make_unique<StatusSync>(
      io_, api_, kBgpStatusKind, options_.ns, options_.nodeName,
      StatusSync::Owner{options_.podName, options_.podUid},
      [this](const std::string& e) { log_->warn("ServiceBGPStatus write failed: {}", e); });
  bgpStatusInformer_ = makeStatusInformer(*bgpStatus_);
  bgp_ = std::make_unique<BgpMode>(
      io_, clock_, api_, registry,
      BgpModeOptions{
          .nodeName = options_.nodeName, .ns = options_.ns, .socketDir = options_.frrSocketDir},
      BgpModeOutputs{.announced =
                         [this](control::AnnouncedServices a) {
                           if (!stopping_) bgpStatus_->setDesired(std::move(a));
                         },
                     .session = [this](const bgp::SessionEvent& e) { bgpSessionEvent(e); },
                     .problems =
                         [this](const std::vector<std::string>& problems) {
                           if (problems.empty()) log_->info("BGP: no problem left");
                           for (const auto& p : problems)
                             log_->warn("BGP: {}", p);
                         }});
}

void Speaker::pushBgpServices() {
  if (!bgp_ || !bgpServicesDirty_ || stopping_) return;
  bgpServicesDirty_ = false;
  std::vector<control::ServiceInput> services;
  services.reserve(planner_.services().size());
  for (const auto& [key, s] : planner_.services())
    services.push_back(s);
  bgp_->setServices(std::move(services));
}

void Speaker::bgpSessionEvent(const bgp::SessionEvent& e) {
  const std::string message = "node " + options_.nodeName + ": BGP session " +
                              (e.established ? "established" : "down") +
                              (e.detail.empty() ? "" : " (" + e.detail + ")");
  if (e.established) {
    log_->info("BGPPeer {}: {}", e.peer, message);
  } else {
    log_->warn("BGPPeer {}: {}", e.peer, message);
  }
  const Json* peer = bgpPeers_ ? bgpPeers_->get(options_.ns + "/" + e.peer) : nullptr;
  if (peer == nullptr) return;
  events_.record(k8s::referenceTo(resources::kBGPPeers, *peer),
                 e.established ? k8s::EventType::kNormal : k8s::EventType::kWarning,
                 e.established ? "bgpSessionEstablished" : "bgpSessionDown", message);
}

}  // namespace ironlb::speaker
