#pragma once
// Informer: keeps a local copy of one resource collection in sync with the API server and tells
// the daemon's logic thread about every change.
//
// Protocol (on the informer's own thread):
//   list (all pages; remember the list's resourceVersion)
//   -> watch from that version with allowWatchBookmarks and a server-side timeout
//   -> each event / bookmark advances the remembered version
//   -> stream ends normally (server timeout): watch again from the remembered version
//   -> neither an event nor a bookmark for watchIdleTimeout (a dead, black-holed connection):
//      watch again from the remembered version at once
//   -> stream fails (connection refused/reset, API server restart, 5xx, malformed record):
//      watch again from the remembered version after a jittered backoff
//   -> 410 Gone (HTTP status, or an ERROR event with code 410): list again and emit the
//      difference against the local store (synthesized add/update/delete)
//
// Threading: HTTP work happens on the informer thread, which only posts parsed results into
// the io_context. The store and the handlers live on the io_context's thread (the daemon's one
// logic thread): handlers run there, and store()/get()/synced() must be called there. No locks
// are needed in the daemon.
//
// Lifecycle: start() once; stop() cancels an in-flight request or watch read at once, joins
// the thread, and guarantees no handler runs afterwards (tasks already posted become no-ops).
// Destroying the informer stops it. Call stop() on the logic thread or after it has stopped.
//
//   Informer services(api, io, {.type = resources::kServices},
//                     {.onAdd = [&](const Json& s) { queue.add(objectKey(s)); },
//                      .onUpdate = [&](const Json&, const Json& s) { queue.add(objectKey(s)); },
//                      .onDelete = [&](const Json& s) { queue.add(objectKey(s)); },
//                      .onSynced = [&] { maybeStart(); }});
//   services.start();

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/k8s/api_client.h"
#include "common/k8s/cancel_token.h"
#include "common/k8s/object_store.h"
#include "common/util/backoff.h"
#include "common/util/clock.h"

namespace ironlb::k8s {

class K8sMetrics;

struct InformerOptions {
  ResourceType type{};
  std::string ns{};  // "" = all namespaces
  std::string labelSelector{};
  std::string fieldSelector{};
  int64_t pageSize = 500;
  // The server ends each watch after this (the informer then re-watches from where it was).
  // Shorter than watchIdleTimeout, so a healthy stream always ends before the bound: some API
  // servers send no bookmarks on a quiet collection (docs/kubernetes-client.md).
  int watchTimeoutSeconds = 60;
  // Re-watch (from the remembered version, without backoff) when neither an event nor a
  // bookmark has arrived for this long: the server would have ended a healthy stream by then,
  // so the connection is dead (docs/kubernetes-client.md, "Re-watch bound").
  util::Duration watchIdleTimeout = std::chrono::seconds(90);
  util::BackoffPolicy backoff{.initial = std::chrono::milliseconds(500),
                              .max = std::chrono::seconds(30)};
  std::string name{};  // for logs and metrics; default: type.plural
  // Applied on the informer thread to every listed or watched object before it is stored or
  // handed to handlers; lets a daemon drop what it never reads (dropManagedFields saves about
  // half the memory of a typical Service). Must keep metadata name, namespace, resourceVersion.
  std::function<void(Json&)> transform{};
  // Injection points (defaults: a random seed, real sleeping, the system clock, no metrics).
  util::RandomSource random{};
  Sleeper sleeper{};
  const util::Clock* clock = nullptr;
  K8sMetrics* metrics = nullptr;
};

struct InformerHandlers {
  std::function<void(const Json& object)> onAdd{};
  std::function<void(const Json& oldObject, const Json& newObject)> onUpdate{};
  // `lastKnown` is the last version this informer saw (after a relist it may be older than
  // the object's final state).
  std::function<void(const Json& lastKnown)> onDelete{};
  // Once, after the first list has been applied to the store.
  std::function<void()> onSynced{};
};

// A ready-made InformerOptions::transform: removes metadata.managedFields (the server keeps
// them when an update omits them).
void dropManagedFields(Json& object);

class Informer {
 public:
  Informer(ApiClient& client, boost::asio::io_context& io, InformerOptions options,
           InformerHandlers handlers);
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  void start();
  void stop();

  // Logic thread only.
  bool synced() const;
  const ObjectStore& store() const;
  const Json* get(const std::string& key) const;

  // Any thread: the resourceVersion the watch would resume from (diagnostics, tests).
  std::string resumeVersion() const;
  const std::string& name() const { return options_.name; }

 private:
  struct Core;
  struct LoopState;
  struct WatchOutcome;
  // The list/watch loop (informer thread), in its steps: list (all pages) into the store; one
  // watch stream, each record through record(); then afterWatch() decides what comes next
  // (relist on 410, re-watch at once past the idle bound, back off after a failure). The steps
  // that return bool return false when the informer stops (or, list(), when the list failed).
  void run();
  bool list(LoopState& state);
  WatchOutcome watch(LoopState& state);
  bool record(WatchEvent&& event, LoopState& state, WatchOutcome& out);
  bool afterWatch(const WatchOutcome& out, LoopState& state);
  // Sleeps out the next backoff step; false when stopped meanwhile.
  bool pause(LoopState& state);
  void postReplace(std::vector<Json> items);
  void postEvent(WatchEvent&& event);
  void setResumeVersion(const std::string& rv);

  ApiClient& client_;
  boost::asio::io_context& io_;
  InformerOptions options_;
  std::shared_ptr<Core> core_;
  CancelToken cancel_;
  std::thread thread_;
  mutable std::mutex rvMu_;
  std::string resumeVersion_;
};

}  // namespace ironlb::k8s
