#include "common/k8s/configuration_state_writer.h"

#include <utility>

#include "common/api/configuration_state_json.h"
#include "common/k8s/object_meta.h"
#include "common/k8s/resource.h"
#include "common/k8s/status_writer.h"
#include "common/util/logging.h"
#include "common/util/rfc3339.h"

namespace ironlb::k8s {
namespace {

const ResourceType& type() {
  return resources::kConfigurationStates;
}

std::shared_ptr<spdlog::logger> log() {
  static auto logger = util::getLogger("configuration-state");
  return logger;
}

// The status that shows `verdict`, keeping the condition's transition time when its status
// does not change.
api::ConfigurationStateStatus statusFor(const api::ConfigurationVerdict& verdict,
                                        const api::ConfigurationStateStatus& before,
                                        const std::string& now) {
  api::Condition c;
  c.type = std::string(api::kConfigurationValidCondition);
  if (verdict.result == api::kConfigValid) {
    c.status = "True";
    c.reason = "Valid";
  } else if (verdict.result == api::kConfigInvalid) {
    c.status = "False";
    c.reason = "InvalidConfiguration";
    c.message = verdict.lastError;
  } else {
    c.status = "Unknown";
    c.reason = "NotReported";
  }
  c.lastTransitionTime = now;
  for (const api::Condition& old : before.conditions)
    if (old.type == c.type && old.status == c.status && !old.lastTransitionTime.empty())
      c.lastTransitionTime = old.lastTransitionTime;
  return {.verdict = verdict, .conditions = {std::move(c)}};
}

// Labels and owner as the identity says; true when `object` changed.
bool claim(Json& object, const ConfigurationStateIdentity& id) {
  bool changed = false;
  Json& meta = object["metadata"];
  auto label = [&](std::string_view key, const std::string& value) {
    Json& labels = meta["labels"];
    if (!labels.is_object()) labels = Json::object();
    const std::string k(key);
    if (!labels.contains(k) || labels[k] != value) {
      labels[k] = value;
      changed = true;
    }
  };
  label(api::kComponentTypeLabel, id.component);
  if (!id.node.empty()) label(api::kNodeNameLabel, id.node);
  if (!id.podUid.empty() && !id.podName.empty()) {
    Json owners = podOwnerReferences(id.podName, id.podUid);
    if (!meta.contains("ownerReferences") || meta["ownerReferences"] != owners) {
      meta["ownerReferences"] = std::move(owners);
      changed = true;
    }
  }
  return changed;
}

}  // namespace

ConfigurationStateIdentity controllerStateIdentity(std::string ns, std::string podName,
                                                   std::string podUid) {
  return {.ns = std::move(ns),
          .name = "controller",
          .component = "controller",
          .node = "",
          .podName = std::move(podName),
          .podUid = std::move(podUid)};
}

ConfigurationStateIdentity speakerStateIdentity(std::string ns, std::string node,
                                                std::string podName, std::string podUid) {
  std::string name = "speaker-" + node;
  return {.ns = std::move(ns),
          .name = std::move(name),
          .component = "speaker",
          .node = std::move(node),
          .podName = std::move(podName),
          .podUid = std::move(podUid)};
}

ConfigurationStateWriter::ConfigurationStateWriter(boost::asio::io_context& io, ApiClient& api,
                                                   ConfigurationStateIdentity identity,
                                                   ConfigurationStateWriterOptions options)
    : api_(api),
      id_(std::move(identity)),
      options_(std::move(options)),
      worker_(io, "config-state"),
      retry_(io),
      backoff_(options_.backoff, options_.random ? options_.random : util::makeRandomSource()) {}

ConfigurationStateWriter::~ConfigurationStateWriter() {
  *alive_ = false;
  retry_.cancel();
  worker_.stop();
}

void ConfigurationStateWriter::report(const api::ConfigurationVerdict& verdict) {
  if (wanted_ == verdict) return;
  wanted_ = verdict;
  attempts_ = 0;
  backoff_.reset();
  kick();
}

void ConfigurationStateWriter::kick() {
  if (inflight_ || waiting_ || !wanted_ || wanted_ == shown_) return;
  if (attempts_ >= options_.maxAttempts) return;
  inflight_ = true;
  const util::Clock& clock = options_.clock ? *options_.clock : util::SystemClock::instance();
  std::string now = util::formatRfc3339(clock.wallNow(), util::Rfc3339Fraction::kSeconds);
  api::ConfigurationVerdict sent = *wanted_;
  worker_.submit<Outcome>(
      [api = &api_, id = id_, sent, now = std::move(now), token = &worker_.token()] {
        return perform(*api, id, sent, now, {.cancel = token});
      },
      [this, sent](Outcome outcome) { finish(sent, outcome); });
}

void ConfigurationStateWriter::finish(const api::ConfigurationVerdict& sent,
                                      const Outcome& outcome) {
  inflight_ = false;
  if (outcome.ok) {
    shown_ = sent;
    if (wanted_ == sent) {
      attempts_ = 0;
      backoff_.reset();
    }
    kick();
    return;
  }
  ++failures_;
  if (wanted_ != sent) {  // a newer verdict came meanwhile: its own attempts
    kick();
    return;
  }
  ++attempts_;
  if (attempts_ >= options_.maxAttempts) {
    ++abandoned_;
    util::logWith(*log(), spdlog::level::err,
                  "cannot write the ConfigurationState; giving up until the verdict changes",
                  {{"object", id_.ns + "/" + id_.name},
                   {"attempts", static_cast<int64_t>(attempts_)},
                   {"error", outcome.error}});
    return;
  }
  const util::Duration delay = backoff_.next();
  util::logWith(
      *log(), spdlog::level::warn, "cannot write the ConfigurationState; retrying",
      {{"object", id_.ns + "/" + id_.name},
       {"error", outcome.error},
       {"retry_ms", static_cast<int64_t>(
                        std::chrono::duration_cast<std::chrono::milliseconds>(delay).count())}});
  waiting_ = true;
  retry_.expires_after(delay);
  retry_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive) return;
    waiting_ = false;
    kick();
  });
}

ConfigurationStateWriter::Outcome ConfigurationStateWriter::perform(
    ApiClient& api, const ConfigurationStateIdentity& id, const api::ConfigurationVerdict& verdict,
    const std::string& now, const CallOptions& call) {
  Outcome out;
  auto got = api.get(type(), id.ns, id.name, call);
  Json object;
  if (got) {
    object = std::move(*got);
    Json claimed = object;
    if (claim(claimed, id)) {
      // Labels or owner differ (another controller replica wrote it last): make it ours.
      auto updated = updateWithRetry(api, type(), id.ns, id.name,
                                     [&id](Json& o) { return claim(o, id); }, {.call = call});
      if (!updated) {
        out.error = updated.error().describe();
        return out;
      }
      object = std::move(*updated);
    }
  } else if (got.error().isNotFound()) {
    api::ConfigurationState fresh;
    fresh.meta.name = id.name;
    fresh.meta.ns = id.ns;
    Json body = api::encodeConfigurationState(fresh);
    body.erase("status");  // a subresource: the create would ignore it
    claim(body, id);
    auto created = api.create(type(), id.ns, body, call);
    if (!created) {
      out.error = created.error().describe();
      return out;
    }
    object = std::move(*created);
  } else {
    out.error = got.error().describe();
    return out;
  }
  auto written = updateStatusWithRetry(
      api, type(), std::move(object),
      [&verdict, &now](Json& o) {
        auto decoded = api::decodeConfigurationState(o);
        const api::ConfigurationStateStatus before =
            decoded ? decoded->status : api::ConfigurationStateStatus{};
        api::ConfigurationStateStatus wanted = statusFor(verdict, before, now);
        if (decoded && decoded->status == wanted) return false;
        o["status"] = api::encodeConfigurationStateStatus(wanted);
        return true;
      },
      {.call = call});
  if (!written) {
    out.error = written.error().describe();
    return out;
  }
  out.ok = true;
  return out;
}

}  // namespace ironlb::k8s
