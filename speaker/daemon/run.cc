// runSpeaker: process wiring. SIGTERM/SIGINT stop gracefully; a second signal exits at once.
#include "speaker/daemon/run.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "common/k8s/api_client.h"
#include "common/k8s/cluster_config.h"
#include "common/k8s/configuration_state_writer.h"
#include "common/k8s/http_transport.h"
#include "common/k8s/k8s_metrics.h"
#include "common/k8s/token_review_authorizer.h"
#include "common/util/health_server.h"
#include "common/util/logging.h"
#include "common/util/metrics.h"
#include "common/util/process_metrics.h"
#include "common/util/scheduling.h"
#include "speaker/daemon/flags.h"
#include "speaker/daemon/member_key_wait.h"
#include "speaker/daemon/speaker.h"
#include "speaker/io/nl_link_watcher.h"
#include "speaker/io/pcap_packet_io.h"
#include "speaker/membership/crypto.h"

namespace ironlb::speaker {

int runSpeaker(int argc, const char* const* argv) {
  auto parsed = parseFlags(std::vector<std::string>(argv + 1, argv + argc), k8s::processEnv());
  if (!parsed.ok()) {
    std::fprintf(stderr, "ironlb-speaker: %s\n%s", parsed.error().c_str(), usageText().c_str());
    return 2;
  }
  if (parsed->help) {
    std::fputs(usageText(*parsed->help).c_str(), stdout);
    return 0;
  }
  const SpeakerFlags& flags = parsed->flags;
  util::setupLogging({flags.logLevel, flags.logFormat});
  auto log = util::getLogger("main");

  auto cluster = k8s::loadClusterConfig(flags.kubeconfig, "");
  if (!cluster.ok()) {
    log->critical("{}", cluster.error());
    return 1;
  }
  auto transport = k8s::makeHttpTransport(*cluster);
  if (!transport.ok()) {
    log->critical("{}", transport.error());
    return 1;
  }
  util::MetricsRegistry registry;
  util::ProcessMetrics processMetrics(registry);
  k8s::K8sMetrics k8sMetrics(registry);
  k8s::ApiClient api(**transport, &k8sMetrics,
                     {.writeQps = flags.kubeApiQps, .writeBurst = flags.kubeApiBurst});
  boost::asio::io_context io;
  io::PcapPacketIo packets(io);
  io::NlLinkWatcher links(io);

  SpeakerOptions options;
  options.nodeName = flags.nodeName;
  options.podName = flags.podName;
  options.podUid = flags.podUid;
  options.ns = flags.ns;
  options.lbClass = flags.lbClass;  // "" = none, as api::handlesClass reads it
  options.ignoreExcludeLb = flags.ignoreExcludeLb;
  options.frrSocketDir = flags.frrSocketDir;
  if (!flags.excludeInterfaces.empty()) options.excludePatterns = flags.excludeInterfaces;
  options.memberEndpoint = {flags.memberlistAddress, flags.memberlistPort};
  options.keyFile = flags.memberlistKeyFile;
  options.requireSealed = flags.memberlistRequireSealed;
  options.key.assign(flags.memberlistKey.begin(), flags.memberlistKey.end());

  // This node's ConfigurationState (docs/custom-resources.md), when the speaker knows its Pod
  // (the owner that garbage-collects it), as the chart runs it.
  std::unique_ptr<k8s::ConfigurationStateWriter> configState;
  if (!flags.podName.empty() && !flags.podUid.empty()) {
    configState = std::make_unique<k8s::ConfigurationStateWriter>(
        io, api, k8s::speakerStateIdentity(flags.ns, flags.nodeName, flags.podName, flags.podUid));
    options.configState = configState.get();
  }

  // docs/metrics-endpoint.md: TLS + TokenReview/SubjectAccessReview unless --metrics-insecure.
  // Serving before the speaker exists: /readyz says why it is not there yet (the key wait).
  k8s::TokenReviewAuthorizer authorizer(api, util::SystemClock::instance());
  util::ReadinessFlag startup("starting");
  std::atomic<Speaker*> running{nullptr};
  util::HealthServer health(registry, [&] {
    Speaker* s = running.load();
    return s ? s->readiness() : startup.get();
  });
  if (Status st = health.start(flags.healthOptions(flags.nodeName, &authorizer)); !st.ok()) {
    log->critical("metrics server: {}", st.error());
    return 1;
  }
  log->info("metrics on {}:{} ({}), probes on {}:{}", flags.metricsHost, health.port(),
            flags.metricsInsecure ? "plain HTTP, no token check" : "TLS, bearer token",
            flags.probeHost, health.probePort());
  if (!options.keyFile.empty()) {
    // The controller may create the key's Secret after this pod started (member_key_wait.h).
    auto key = waitForMemberKeyFile(
        options.keyFile, util::SystemClock::instance(), {},
        [](util::Duration d) {
          std::this_thread::sleep_for(d);
          return true;
        },
        [&](const std::string& reason) {
          log->warn("{}", reason);
          startup.setNotReady(reason);
        });
    if (!key.ok()) {
      log->critical("{}", key.error());
      return 1;
    }
    membership::wipeBytes(*key);
  }

  auto speaker = Speaker::create(io, util::SystemClock::instance(), api, k8sMetrics, registry,
                                 packets, links, options);
  if (!speaker.ok()) {
    log->critical("{}", speaker.error());
    return 1;
  }
  running.store(speaker->get());
  if (Status st = (*speaker)->start(); !st.ok()) {
    health.stop();  // its readiness callback reads the speaker, which goes first
    log->critical("{}", st.error());
    return 1;
  }

  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  bool stopping = false;
  std::function<void(const boost::system::error_code&, int)> onSignal =
      [&](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        if (stopping) {
          log->warn("second signal {}: exiting now", signo);
          io.stop();
          return;
        }
        stopping = true;
        log->info("signal {}: stopping gracefully", signo);
        (*speaker)->stop([&] { io.stop(); });
        signals.async_wait(onSignal);
      };
  signals.async_wait(onSignal);
  // ARP/NDP replies and membership notices are handled on this thread: a short slice lets its
  // wake-ups preempt a busy task instead of waiting for the next scheduler tick
  // (common/util/scheduling.h). Set here, after start(), so the threads started before (informers,
  // health server) keep the default slice.
  if (auto slice = util::requestShortSlice(util::kShortestSlice); !slice.ok()) {
    log->info(
        "no short scheduling slice for the packet loop ({}): on a busy CPU a reply may "
        "wait up to a scheduler tick",
        slice.error());
  } else if (*slice != util::kShortestSlice) {
    log->info(
        "this kernel has no custom scheduling slices (before Linux 6.12): on a busy CPU a "
        "reply may wait up to a scheduler tick");
  } else {
    log->debug("packet loop: {} us scheduling slice", util::kShortestSlice.count());
  }
  io.run();
  health.stop();     // its readiness callback reads the speaker
  speaker->reset();  // stops informers and the event recorder before the client goes away
  log->info("stopped");
  return 0;
}

}  // namespace ironlb::speaker
