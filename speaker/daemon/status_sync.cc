// StatusSync: executes ServiceL2Status / ServiceBGPStatus writes one at a time.
#include "speaker/daemon/status_sync.h"

#include <algorithm>

#include "common/k8s/object_meta.h"
#include "common/k8s/resource.h"

namespace ironlb::speaker {

using control::StatusOp;
using k8s::Json;

StatusSync::StatusSync(boost::asio::io_context& io, k8s::ApiClient& api, const StatusKind& kind,
                       std::string ns, std::string node, Owner owner, Logger onError)
    : io_(io),
      api_(api),
      kind_(kind),
      ns_(std::move(ns)),
      node_(std::move(node)),
      owner_(std::move(owner)),
      onError_(std::move(onError)),
      worker_(io, kind.workerName, 16),
      retry_(io),
      backoff_(util::BackoffPolicy{.initial = std::chrono::milliseconds(500),
                                   .max = std::chrono::seconds(30)},
               util::makeRandomSource()) {}

StatusSync::~StatusSync() {
  *alive_ = false;
  worker_.stop();
}

Result<std::optional<StatusSync::Entry>> StatusSync::parse(const Json& object) const {
  auto decoded = kind_.decode(object);
  if (!decoded) return Error{decoded.error()};
  if (decoded->meta.name.empty()) return std::optional<Entry>();
  const auto label = [&](const char* key) -> std::string {
    const auto it = decoded->meta.labels.find(key);
    return it == decoded->meta.labels.end() ? std::string() : it->second;
  };
  Entry e;
  e.object = object;
  e.status.name = decoded->meta.name;
  e.status.uid = decoded->meta.uid;
  e.status.service = {label(control::kL2StatusServiceNamespaceLabel),
                      label(control::kL2StatusServiceNameLabel)};
  e.status.statusNode = decoded->node;
  e.status.hasStatus = !e.status.statusNode.empty();
  e.status.items = std::move(decoded->items);
  std::sort(e.status.items.begin(), e.status.items.end());
  return std::optional<Entry>(std::move(e));
}

void StatusSync::track(const Json& object) {
  auto parsed = parse(object);
  if (!parsed) {
    if (onError_) onError_("ignored: " + parsed.error());
    return;
  }
  if (*parsed) owned_[(*parsed)->status.name] = std::move(**parsed);
}

void StatusSync::onObject(const Json& object) {
  track(object);
  kick();
}

void StatusSync::onDeleted(const Json& object) {
  owned_.erase(k8s::nameOf(object));
  kick();
}

void StatusSync::setSynced() {
  synced_ = true;
  kick();
}

void StatusSync::setDesired(control::AnnouncedServices desired) {
  if (drained_) return;  // draining: nothing new is announced
  desired_ = std::move(desired);
  kick();
}

void StatusSync::drain(std::chrono::steady_clock::duration deadline, std::function<void()> done) {
  desired_.clear();
  drained_ = std::move(done);
  drainTimer_ = std::make_unique<boost::asio::steady_timer>(io_, deadline);
  drainTimer_->async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (!*alive || ec) return;
    if (drained_) {
      auto callback = std::move(drained_);
      drained_ = nullptr;
      callback();
    }
  });
  kick();
  checkDrained();
}

void StatusSync::checkDrained() {
  if (!drained_ || !inSync()) return;
  auto done = std::move(drained_);
  drained_ = nullptr;
  if (drainTimer_) drainTimer_->cancel();
  done();
}

bool StatusSync::inSync() const {
  std::vector<control::OwnedStatus> owned;
  for (const auto& [name, e] : owned_)
    owned.push_back(e.status);
  return !inflight_ && !control::nextStatusOp(node_, desired_, owned).has_value();
}

void StatusSync::kick() {
  if (!synced_ || inflight_ || waiting_) return;
  std::vector<control::OwnedStatus> owned;
  owned.reserve(owned_.size());
  for (const auto& [name, e] : owned_)
    owned.push_back(e.status);
  const auto op = control::nextStatusOp(node_, desired_, owned);
  if (!op) {
    checkDrained();
    return;
  }
  execute(*op);
}

void StatusSync::execute(const StatusOp& op) {
  inflight_ = true;
  ++writes_;
  Write write{.api = &api_,
              .kind = &kind_,
              .ns = ns_,
              .node = node_,
              .owner = owner_,
              .op = op,
              .cached = Json(),
              .call = k8s::CallOptions{std::chrono::seconds(10), &worker_.token()}};
  if (auto it = owned_.find(op.name); it != owned_.end()) write.cached = it->second.object;
  const bool queued =
      worker_.submit<Outcome>([write = std::move(write)] { return perform(write); },
                              [this, op](Outcome outcome) { finish(op, std::move(outcome)); });
  if (!queued) {
    inflight_ = false;
    --writes_;
  }
}

StatusSync::Outcome StatusSync::perform(const Write& w) {
  switch (w.op.kind) {
    case StatusOp::Kind::kCreate:
      return create(w);
    case StatusOp::Kind::kUpdateStatus:
      return updateStatus(w);
    case StatusOp::Kind::kDelete:
      return remove(w);
  }
  return {};
}

StatusSync::Outcome StatusSync::create(const Write& w) {
  const auto& type = *w.kind->type;
  Outcome out;
  Json object = w.kind->encode(w.ns, w.node, w.op);
  object.erase("status");  // a subresource: the create would ignore it
  if (!w.owner.podUid.empty()) {
    // Garbage-collected with our Pod: a speaker that goes away without draining (uninstall
    // removing our RBAC first, a node deleted) leaves nothing behind.
    object["metadata"]["ownerReferences"] =
        k8s::podOwnerReferences(w.owner.podName, w.owner.podUid);
  }
  auto created = w.api->create(type, w.ns, object, w.call);
  if (!created) {
    out.error = created.error().describe();
    return out;
  }
  // status is a subresource: the create ignored it, write it now.
  Json withStatus = *created;
  withStatus["status"] = w.kind->encode(w.ns, w.node, w.op)["status"];
  auto written = w.api->updateStatus(type, withStatus, w.call);
  out.ok = true;
  out.object = written ? *written : *created;
  if (!written) out.error = written.error().describe();
  return out;
}

StatusSync::Outcome StatusSync::updateStatus(const Write& w) {
  const auto& type = *w.kind->type;
  Outcome out;
  Json object = w.cached;
  object["status"] = w.kind->encode(w.ns, w.node, w.op)["status"];
  auto written = w.api->updateStatus(type, object, w.call);
  if (written) {
    out.ok = true;
    out.object = *written;
  } else if (written.error().isNotFound()) {
    out.ok = out.gone = true;
  } else if (written.error().isConflict()) {
    // Our copy is stale: read it again and let the next pass decide.
    auto fresh = w.api->get(type, w.ns, w.op.name, w.call);
    if (fresh) {
      out.ok = true;
      out.object = *fresh;
    } else {
      out.gone = fresh.error().isNotFound();
      out.ok = out.gone;
      out.error = fresh.error().describe();
    }
  } else {
    out.error = written.error().describe();
  }
  return out;
}

StatusSync::Outcome StatusSync::remove(const Write& w) {
  Outcome out;
  k8s::DeleteOptions options;
  options.preconditionUid = w.op.uid;
  options.call = w.call;
  auto removed = w.api->remove(*w.kind->type, w.ns, w.op.name, options);
  if (removed || removed.error().isNotFound() || removed.error().isConflict()) {
    out.ok = out.gone = true;  // gone, or replaced by another object with the name
  } else {
    out.error = removed.error().describe();
  }
  return out;
}

void StatusSync::finish(const StatusOp& op, Outcome outcome) {
  inflight_ = false;
  if (outcome.gone) {
    owned_.erase(op.name);
  } else if (!outcome.object.is_null()) {
    track(outcome.object);
  }
  if (!outcome.error.empty()) {
    ++failures_;
    if (onError_) onError_(outcome.error);
  }
  if (!outcome.ok) {
    waiting_ = true;
    retry_.expires_after(backoff_.next());
    retry_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
      if (!*alive || ec) return;
      waiting_ = false;
      kick();
    });
    return;
  }
  backoff_.reset();
  kick();
}

}  // namespace ironlb::speaker
