// StatusSync: executes ServiceL2Status writes one at a time.
#include "speaker/daemon/status_sync.h"

#include <algorithm>

#include "common/k8s/object_meta.h"
#include "common/k8s/resource.h"

namespace ironlb::speaker {

using control::StatusOp;
using k8s::Json;

StatusSync::StatusSync(boost::asio::io_context& io, k8s::ApiClient& api, std::string ns,
                       std::string node, Owner owner, Logger on_error)
    : io_(io),
      api_(api),
      ns_(std::move(ns)),
      node_(std::move(node)),
      owner_(std::move(owner)),
      on_error_(std::move(on_error)),
      worker_(io, "servicel2status", 16),
      retry_(io),
      backoff_(util::BackoffPolicy{.initial = std::chrono::milliseconds(500),
                                   .max = std::chrono::seconds(30)},
               util::makeRandomSource()) {}

StatusSync::~StatusSync() {
  *alive_ = false;
  worker_.stop();
}

std::optional<StatusSync::Entry> StatusSync::parse(const Json& object) {
  Entry e;
  e.object = object;
  e.status.name = k8s::nameOf(object);
  e.status.uid = k8s::uidOf(object);
  const Json* labels = nullptr;
  if (object.contains("metadata") && object["metadata"].is_object() &&
      object["metadata"].contains("labels") && object["metadata"]["labels"].is_object())
    labels = &object["metadata"]["labels"];
  auto label = [&](const char* k) -> std::string {
    if (labels == nullptr || !labels->contains(k) || !(*labels)[k].is_string()) return "";
    return (*labels)[k].get<std::string>();
  };
  e.status.service = {label(control::kL2StatusServiceNamespaceLabel),
                      label(control::kL2StatusServiceNameLabel)};
  if (e.status.name.empty()) return std::nullopt;
  if (object.contains("status") && object["status"].is_object()) {
    const Json& st = object["status"];
    if (st.contains("node") && st["node"].is_string()) {
      e.status.statusNode = st["node"].get<std::string>();
      e.status.hasStatus = !e.status.statusNode.empty();
    }
    if (st.contains("interfaces") && st["interfaces"].is_array()) {
      for (const auto& i : st["interfaces"])
        if (i.is_object() && i.contains("name") && i["name"].is_string())
          e.status.interfaces.push_back(i["name"].get<std::string>());
      std::sort(e.status.interfaces.begin(), e.status.interfaces.end());
    }
  }
  return e;
}

void StatusSync::onObject(const Json& object) {
  if (auto e = parse(object)) owned_[e->status.name] = std::move(*e);
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

namespace {

Json statusBody(const std::string& node, const control::ServiceRef& service,
                const std::vector<std::string>& interfaces) {
  Json ifs = Json::array();
  for (const auto& i : interfaces)
    ifs.push_back({{"name", i}});
  Json status = {
      {"node", node}, {"serviceName", service.second}, {"serviceNamespace", service.first}};
  if (!ifs.empty()) status["interfaces"] = std::move(ifs);
  return status;
}

}  // namespace

void StatusSync::execute(const StatusOp& op) {
  inflight_ = true;
  ++writes_;
  Json cached;
  if (auto it = owned_.find(op.name); it != owned_.end()) cached = it->second.object;
  const std::string ns = ns_, node = node_;
  const Owner owner = owner_;
  k8s::ApiClient* api = &api_;
  k8s::CancelToken* cancel = &worker_.token();
  const bool queued = worker_.submit<Outcome>(
      [api, op, ns, node, owner, cached, cancel]() -> Outcome {
        const k8s::CallOptions call{std::chrono::seconds(10), cancel};
        switch (op.kind) {
          case StatusOp::Kind::kCreate:
            return createObject(*api, ns, node, owner, op, call);
          case StatusOp::Kind::kUpdateStatus:
            return writeStatus(*api, ns, node, cached, op, call);
          case StatusOp::Kind::kDelete:
            return deleteObject(*api, ns, op, call);
        }
        return {};
      },
      [this, op](Outcome outcome) { finish(op, std::move(outcome)); });
  if (!queued) {
    inflight_ = false;
    --writes_;
  }
}

StatusSync::Outcome StatusSync::createObject(k8s::ApiClient& api, const std::string& ns,
                                             const std::string& node, const Owner& owner,
                                             const StatusOp& op, const k8s::CallOptions& call) {
  const auto& type = k8s::resources::kServiceL2Statuses;
  Outcome out;
  Json object = {{"apiVersion", type.apiVersion()},
                 {"kind", type.kind},
                 {"metadata",
                  {{"generateName", "l2-"},
                   {"namespace", ns},
                   {"labels",
                    {{control::kL2StatusNodeLabel, node},
                     {control::kL2StatusServiceNameLabel, op.service.second},
                     {control::kL2StatusServiceNamespaceLabel, op.service.first}}}}},
                 {"spec", Json::object()}};
  if (!owner.podUid.empty()) {
    // Garbage-collected with our Pod: a speaker that goes away without draining (uninstall
    // removing our RBAC first, a node deleted) leaves nothing behind.
    object["metadata"]["ownerReferences"] = Json::array(
        {{{"apiVersion", "v1"}, {"kind", "Pod"}, {"name", owner.podName}, {"uid", owner.podUid}}});
  }
  auto created = api.create(type, ns, object, call);
  if (!created) {
    out.error = created.error().describe();
    return out;
  }
  // status is a subresource: the create ignored it, write it now.
  Json withStatus = *created;
  withStatus["status"] = statusBody(node, op.service, op.interfaces);
  auto written = api.updateStatus(type, withStatus, call);
  out.ok = true;
  out.object = written ? *written : *created;
  if (!written) out.error = written.error().describe();
  return out;
}

StatusSync::Outcome StatusSync::writeStatus(k8s::ApiClient& api, const std::string& ns,
                                            const std::string& node, Json object,
                                            const StatusOp& op, const k8s::CallOptions& call) {
  const auto& type = k8s::resources::kServiceL2Statuses;
  Outcome out;
  object["status"] = statusBody(node, op.service, op.interfaces);
  auto written = api.updateStatus(type, object, call);
  if (written) {
    out.ok = true;
    out.object = *written;
  } else if (written.error().isNotFound()) {
    out.ok = out.gone = true;
  } else if (written.error().isConflict()) {
    // Our copy is stale: read it again and let the next pass decide.
    auto fresh = api.get(type, ns, op.name, call);
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

StatusSync::Outcome StatusSync::deleteObject(k8s::ApiClient& api, const std::string& ns,
                                             const StatusOp& op, const k8s::CallOptions& call) {
  Outcome out;
  k8s::DeleteOptions options;
  options.preconditionUid = op.uid;
  options.call = call;
  auto removed = api.remove(k8s::resources::kServiceL2Statuses, ns, op.name, options);
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
    if (auto e = parse(outcome.object)) owned_[e->status.name] = std::move(*e);
  }
  if (!outcome.error.empty()) {
    ++failures_;
    if (on_error_) on_error_(outcome.error);
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
