#pragma once
// ConfigurationStateWriter: keeps one ConfigurationState object (docs/custom-resources.md) equal
// to the verdict its component reached on the metallb.io configuration, so `kubectl get
// configurationstates -n <ns>` answers "is my config loaded?" per controller and per speaker.
//
// The daemons hold a ConfigurationStateReporter and call report() after every configuration
// build; the writer does the rest:
//   * nothing is written while the verdict stays the same (the daemons rebuild often);
//   * a change is written once: GET the object; create it if missing (labels
//     metallb.io/component-type and metallb.io/node-name, an ownerReference to the Pod so it is
//     garbage-collected with it), re-point labels/owner if they differ (another controller
//     replica led before), then PUT the status, unless it already says so: after a restart the
//     verdict that is still true is left as it is (restored, not rewritten);
//   * a verdict that changes while a write is in flight is written after it (the last one wins;
//     intermediate ones are skipped);
//   * a failed write is retried after a jittered exponential backoff, at most maxAttempts times
//     per verdict; then it is logged and left until the next change (or the next restart).
// One write at a time on a background thread; the logic thread never blocks.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/api/configuration_state.h"
#include "common/k8s/api_client.h"
#include "common/k8s/background_worker.h"
#include "common/util/backoff.h"
#include "common/util/clock.h"

namespace ironlb::k8s {

// What the daemons see: tell the verdict of each build.
class ConfigurationStateReporter {
 public:
  virtual ~ConfigurationStateReporter() = default;
  virtual void report(const api::ConfigurationVerdict& verdict) = 0;
};

// Whose object it is.
struct ConfigurationStateIdentity {
  std::string ns;         // the install namespace (where the metallb.io objects are)
  std::string name;       // "controller", "speaker-<node>"
  std::string component;  // "controller" or "speaker" (label metallb.io/component-type)
  std::string node;       // the speaker's node (label metallb.io/node-name); "" for the controller
  std::string podName;    // the owner; empty: no ownerReference (nothing garbage-collects it)
  std::string podUid;
};
// The controller's and a speaker's identities.
ConfigurationStateIdentity controllerStateIdentity(std::string ns, std::string podName,
                                                   std::string podUid);
ConfigurationStateIdentity speakerStateIdentity(std::string ns, std::string node,
                                                std::string podName, std::string podUid);

struct ConfigurationStateWriterOptions {
  util::BackoffPolicy backoff{.initial = std::chrono::milliseconds(500),
                              .max = std::chrono::seconds(30)};
  int maxAttempts = 10;                // per verdict
  util::RandomSource random{};         // default: seeded from std::random_device
  const util::Clock* clock = nullptr;  // the conditions' lastTransitionTime; default: system
};

class ConfigurationStateWriter final : public ConfigurationStateReporter {
 public:
  ConfigurationStateWriter(boost::asio::io_context& io, ApiClient& api,
                           ConfigurationStateIdentity identity,
                           ConfigurationStateWriterOptions options = {});
  ~ConfigurationStateWriter() override;
  ConfigurationStateWriter(const ConfigurationStateWriter&) = delete;
  ConfigurationStateWriter& operator=(const ConfigurationStateWriter&) = delete;

  void report(const api::ConfigurationVerdict& verdict) override;

  // The verdict the object is known to show (after a successful write or check).
  const std::optional<api::ConfigurationVerdict>& shown() const { return shown_; }
  bool idle() const { return !inflight_ && !waiting_; }
  uint64_t failures() const { return failures_; }
  // Verdicts given up on after maxAttempts failures.
  uint64_t abandoned() const { return abandoned_; }

 private:
  struct Outcome {
    bool ok = false;
    std::string error;
  };
  void kick();
  void finish(const api::ConfigurationVerdict& sent, const Outcome& outcome);
  // Worker thread: make the object show `verdict`.
  static Outcome perform(ApiClient& api, const ConfigurationStateIdentity& id,
                         const api::ConfigurationVerdict& verdict, const std::string& now,
                         const CallOptions& call);

  ApiClient& api_;
  ConfigurationStateIdentity id_;
  ConfigurationStateWriterOptions options_;
  BackgroundWorker worker_;
  boost::asio::steady_timer retry_;
  util::Backoff backoff_;
  std::optional<api::ConfigurationVerdict> wanted_;
  std::optional<api::ConfigurationVerdict> shown_;
  int attempts_ = 0;  // failed attempts at wanted_
  bool inflight_ = false;
  bool waiting_ = false;  // a retry is scheduled
  uint64_t failures_ = 0;
  uint64_t abandoned_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ironlb::k8s
