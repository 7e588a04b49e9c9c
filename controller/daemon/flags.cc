#include "controller/daemon/flags.h"

#include "common/cli/flag_values.h"

namespace ironlb::controller {
namespace {

// The controller's table, bound to `f`.
cli::FlagTable flagTable(ControllerFlags& f) {
  cli::FlagTable t;
  cli::addCommonFlags(t, f);
  t.section("ironlb-controller only");
  t.add({"leader-elect", "",
         "one active replica, elected through a Lease (docs/leader-election.md)", "true",
         cli::boolean(f.leaderElect)});
  t.add({"lease-name", "NAME", "the Lease, in --namespace", "ironlb-controller",
         cli::text(f.leaseName)});
  t.add({"lease-owner-deployment", "NAME",
         "the Deployment (in --namespace) made the owner of the Lease, the memberlist Secret and "
         "the webhook certificate Secret, so uninstalling it removes them",
         "", cli::text(f.leaseOwnerDeployment)});
  t.add({"memberlist-secret-name", "NAME",
         "create this Secret (in --namespace) with a random speaker membership key when it is "
         "absent; never overwrite it (docs/membership.md)",
         "", cli::text(f.memberlistSecretName)});
  t.add({"identity", "ID", "this replica's Lease identity", "$POD_NAME, else the host name",
         cli::text(f.identity), "POD_NAME"});
  t.add({"pod-name", "NAME",
         "this controller's Pod, made owner of the ConfigurationState it writes while leading "
         "(with --pod-uid; without both, the object has no owner)",
         "$POD_NAME", cli::text(f.podName), "POD_NAME"});
  t.add({"pod-uid", "UID", "the UID of --pod-name", "$POD_UID", cli::text(f.podUid), "POD_UID"});
  t.add({"lease-duration", "D",
         "how long a standby waits before taking an abandoned Lease (client-go's default)", "15s",
         cli::duration(f.leaseTiming.leaseDuration)});
  t.add({"renew-deadline", "D", "how long the leader keeps leading without a renewal", "10s",
         cli::duration(f.leaseTiming.renewDeadline)});
  t.add({"retry-period", "D", "how often the Lease is renewed or tried", "2s",
         cli::duration(f.leaseTiming.retryPeriod)});
  t.add({"status-writers", "N",
         "Service status writes in flight at once, at most (1-256); fewer at first and while "
         "the API server answers 429",
         "32", cli::integer(f.statusWriters, 1, 256)});
  t.add({"release-hold", "D",
         "how long an address a Service gave up because of an edit is kept from other "
         "Services, so undoing the edit restores it; 0 frees at once (docs/allocation.md)",
         "5m", cli::durationOrZero(f.releaseHold)});
  t.add({"fault-status-write-delay", "D",
         "TESTS ONLY (fault injection): delay every Service status write by D before it is "
         "sent, to exercise write fencing",
         "", cli::duration(f.faultStatusWriteDelay)});
  t.add({"webhook", "",
         "serve the validating admission webhook for the configuration's objects (pools, "
         "L2Advertisements, BGP mode's kinds), with a certificate this controller makes and "
         "renews (docs/webhook.md)",
         "false", cli::boolean(f.webhook)});
  t.add({"webhook-address", "HOST:PORT", "where the webhook listens (HTTPS)", "0.0.0.0:9443",
         cli::hostPort(f.webhookHost, f.webhookPort)});
  t.add({"webhook-service", "NAME",
         "the webhook's Service in --namespace: the certificate is for "
         "NAME.NAMESPACE.svc(.cluster.local)",
         "ironlb-webhook", cli::text(f.webhookService)});
  t.add({"webhook-secret", "NAME",
         "the Secret in --namespace holding the webhook certificate (created when absent)",
         "ironlb-webhook-cert", cli::text(f.webhookSecret)});
  t.add({"webhook-configuration", "NAME",
         "the ValidatingWebhookConfiguration whose caBundle this controller patches",
         "ironlb-webhook", cli::text(f.webhookConfiguration)});
  t.add({"webhook-cert-hosts", "LIST",
         "more DNS names or IP addresses for the webhook certificate, comma-separated (for a "
         "ValidatingWebhookConfiguration that calls a URL instead of the Service)",
         "", cli::list(f.webhookCertHosts)});
  t.add({"webhook-cert-check-interval", "D",
         "how often the webhook certificate is checked for renewal and the caBundle re-checked",
         "1m", cli::duration(f.webhookCertCheckInterval)});
  return t;
}

}  // namespace

Result<ParsedFlags> parseFlags(const std::vector<std::string>& args, const cli::EnvLookup& env,
                               const std::string& hostname) {
  ParsedFlags out;
  ControllerFlags& f = out.flags;
  f.identity = hostname;
  auto parsed = flagTable(f).parse(args, env);
  if (!parsed) return makeError(parsed.error());
  out.help = parsed->help;
  if (out.help) return out;
  if (f.leaderElect && f.identity.empty()) {
    return makeError("leader election needs an identity: set --identity or $POD_NAME");
  }
  if (auto st = k8s::validateTiming(f.leaseTiming); !st) {
    return makeError("--lease-duration/--renew-deadline/--retry-period: " + st.error());
  }
  return out;
}

std::string usageText(cli::HelpFormat format) {
  ControllerFlags defaults;
  return flagTable(defaults).help(
      format,
      "usage: ironlb-controller [flags]\n"
      "Assigns external IPs from metallb.io IPAddressPools to LoadBalancer Services.\n");
}

}  // namespace ironlb::controller
