#!/usr/bin/python3
"""alert_<name>: one alert of the chart's PrometheusRule, evaluated by promtool (Debian's
prometheus package) against metrics scraped from a running ironlb (scrape_states.py).

The rules are the chart's own, rendered by helm with prometheus.prometheusRule.enabled=true
into namespace metallb-system. The input series are the scrapes, labelled as a ServiceMonitor
scrape would be (namespace, pod): the "healthy" state for ten minutes, then the state the alert
is about for twenty. The test asserts, with promql_expr_test on ALERTS:
  - before the fault, the alert is not firing (nor pending);
  - once its `for` has passed, it fires with exactly the expected label sets, which this test
    derives from the scrapes itself (e.g. the pods whose stale gauge is 1), not from the rule;
  - for alerts with thresholds, the others of the family do not fire.

  test_alert.py --alert NAME --scrapes SCRAPES.json --chart DIR --state DIR --promtool BIN
(--state: the test control plane's state directory, whose env file names its helm)
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "speaker"))
from cluster import parse_env  # noqa: E402

NAMESPACE = "metallb-system"
HEALTHY_MINUTES = 10
FAULT_MINUTES = 20
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)$")
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def parse(text):
    """{(name, frozenset(labels)): value} of one exposition."""
    out = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        m = SAMPLE.match(line)
        if not m:
            raise ValueError(f"cannot read sample line {line!r}")
        labels = dict(LABEL.findall(m.group(3) or ""))
        out[(m.group(1), frozenset(labels.items()))] = float(m.group(4))
    return out


def series_of(state):
    """{(name, labels incl. namespace and pod): value} over every target of a state."""
    out = {}
    for target, text in state.items():
        for (name, labels), v in parse(text).items():
            full = dict(labels)
            full.update({"namespace": NAMESPACE, "pod": target})
            out[(name, frozenset(full.items()))] = v
    return out


def selector(name, labels):
    inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels))
    return f"{name}{{{inner}}}"


def input_series(phases):
    """promtool input_series: each phase is (series dict, minutes). A series that a phase no
    longer has gets a staleness marker first, as Prometheus writes one when a target or a
    series disappears from its scrape; then no samples ('_')."""
    keys = sorted({k for series, _ in phases for k in series})
    out = []
    for key in keys:
        values = []
        for series, minutes in phases:
            v = series.get(key)
            if v is not None:
                values += [repr(v)] * minutes
            elif values and values[-1] not in ("_", "stale"):
                values += ["stale"] + ["_"] * (minutes - 1)
            else:
                values += ["_"] * minutes
        out.append({"series": selector(*key), "values": " ".join(values)})
    return out


def duration_minutes(text):
    m = re.fullmatch(r"(\d+)([smh])", text or "0s")
    if not m:
        raise ValueError(f"cannot read duration {text!r}")
    n, unit = int(m.group(1)), m.group(2)
    return {"s": n / 60, "m": n, "h": 60 * n}[unit]


def render_rules(helm, chart):
    out = subprocess.run([helm, "template", "ironlb", chart, "--namespace", NAMESPACE,
                          "--set", "prometheus.prometheusRule.enabled=true",
                          "--show-only", "templates/prometheusrule.yaml"],
                         check=True, capture_output=True, text=True).stdout
    doc = yaml.safe_load(out)
    return {"groups": doc["spec"]["groups"]}


def rule_named(rules, alert):
    for group in rules["groups"]:
        for rule in group["rules"]:
            if rule.get("alert") == alert:
                return rule
    raise SystemExit(f"FAIL: the chart's PrometheusRule has no alert {alert}")


def pods_where(series, metric, pred):
    return sorted(dict(labels)["pod"] for (name, labels), v in series.items()
                  if name == metric and pred(v))


def label_value(series, metric, label, **match):
    for (name, labels), v in series.items():
        d = dict(labels)
        if name == metric and v == 1 and all(d.get(k) == x for k, x in match.items()):
            return d.get(label)
    return None


# alert -> (fault state, function(fault series) -> [expected label dicts, severity excluded],
#           regex of the alert family that must fire exactly as expected)
def expectations(alert, states):
    fault_state = {
        "MetalLBAddressPoolExhausted": "pool_exhausted",
        "MetalLBAddressPoolUsage75Percent": "pool_75",
        "IronlbIPNotAnnounced": "unannounced",
        "IronlbDuplicateOwner": "duplicate",
        "IronlbForeignDeviceClaimsIP": "duplicate",
        "IronlbSpeakerMembersMissing": "split",
        "MetalLBStaleConfig": "stale",
        "MetalLBConfigNotLoaded": "stale",
        "IronlbControllerNoLeader": "no_leader",
    }[alert]
    fault = series_of(states[fault_state])
    if alert == "MetalLBAddressPoolExhausted":
        want = [{"pool": "web"}]
    elif alert == "MetalLBAddressPoolUsage75Percent":
        want = [{"pool": "web"}]
    elif alert == "IronlbIPNotAnnounced":
        reason = label_value(fault, "ironlb_speaker_ip_unannounced", "reason", ip="198.51.100.10")
        if not reason:
            raise SystemExit("FAIL: the scrape shows no unannounced reason for 198.51.100.10")
        want = [{"ip": "198.51.100.10", "reason": reason}]
    elif alert == "IronlbDuplicateOwner":
        ips = sorted({dict(labels)["ip"] for (name, labels), v in fault.items()
                      if name == "ironlb_speaker_duplicate_owner_seen_total" and v > 0})
        want = [{"ip": ip} for ip in ips]
    elif alert == "IronlbForeignDeviceClaimsIP":
        pairs = sorted({(dict(labels)["ip"], dict(labels)["mac"]) for (name, labels), v
                        in fault.items()
                        if name == "ironlb_speaker_duplicate_owner_foreign_total" and v > 0})
        want = [{"ip": ip, "mac": mac} for ip, mac in pairs]
    elif alert == "IronlbSpeakerMembersMissing":
        def per_pod(metric):
            return {dict(labels)["pod"]: v for (name, labels), v in fault.items()
                    if name == metric}
        expected = per_pod("ironlb_speaker_membership_members")
        live = per_pod("ironlb_speaker_membership_live_members")
        want = [{"namespace": NAMESPACE, "pod": p} for p in sorted(live) if live[p] < expected[p]]
    elif alert == "MetalLBStaleConfig":
        want = [{"pod": p} for p in
                pods_where(fault, "metallb_k8s_client_config_stale_bool", lambda v: v == 1)]
    elif alert == "MetalLBConfigNotLoaded":
        want = [{"pod": p} for p in
                pods_where(fault, "metallb_k8s_client_config_loaded_bool", lambda v: v == 0)]
    elif alert == "IronlbControllerNoLeader":
        want = [{}]
    family = r"MetalLBAddressPoolUsage.*" if "PoolUsage" in alert else re.escape(alert)
    return fault_state, want, family


def alerts_query(family, state):
    return f'ALERTS{{alertname=~"{family}", alertstate="{state}"}}'


def exp_samples(alert, rule, wants):
    severity = rule.get("labels", {})
    out = []
    for want in wants:
        labels = {"alertname": alert, "alertstate": "firing", **severity, **want}
        inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        out.append({"labels": f"ALERTS{{{inner}}}", "value": 1})
    return out


def main():
    p = argparse.ArgumentParser()
    for name in ("alert", "scrapes", "chart", "state", "promtool"):
        p.add_argument(f"--{name}", required=True)
    args = p.parse_args()
    with open(args.scrapes) as f:
        states = json.load(f)["states"]
    helm = parse_env(os.path.join(args.state, "env"))["IRONLB_HELM"]
    rules = render_rules(helm, args.chart)
    rule = rule_named(rules, args.alert)
    fault_state, wants, family = expectations(args.alert, states)
    if not wants:
        raise SystemExit(f"FAIL: state {fault_state} shows nothing for {args.alert} to fire on")
    healthy = series_of(states["healthy"])
    fault = series_of(states[fault_state])
    fires_at = HEALTHY_MINUTES + duration_minutes(rule.get("for")) + 2
    tests = [{
        "interval": "1m",
        "input_series": input_series([(healthy, HEALTHY_MINUTES), (fault, FAULT_MINUTES)]),
        "promql_expr_test": [
            {"expr": alerts_query(family, "firing"), "eval_time": f"{HEALTHY_MINUTES - 1}m",
             "exp_samples": []},
            {"expr": alerts_query(family, "pending"), "eval_time": f"{HEALTHY_MINUTES - 1}m",
             "exp_samples": []},
            {"expr": alerts_query(family, "firing"), "eval_time": f"{fires_at:g}m",
             "exp_samples": exp_samples(args.alert, rule, wants)},
        ],
    }]
    if args.alert == "IronlbControllerNoLeader":
        # No controller scraped at all (every replica gone): absent() fires, with the
        # selector's namespace.
        no_controller = {k: v for k, v in healthy.items() if dict(k[1])["pod"] != "controller"}
        tests.append({
            "interval": "1m",
            "input_series": input_series([(healthy, HEALTHY_MINUTES),
                                          (no_controller, FAULT_MINUTES)]),
            "promql_expr_test": [{
                "expr": alerts_query(family, "firing"), "eval_time": f"{fires_at:g}m",
                "exp_samples": exp_samples(args.alert, rule, [{"namespace": NAMESPACE}])}],
        })
    with tempfile.TemporaryDirectory(prefix="ironlb-alert-") as tmp:
        with open(os.path.join(tmp, "rules.yaml"), "w") as f:
            yaml.safe_dump(rules, f)
        with open(os.path.join(tmp, "test.yaml"), "w") as f:
            yaml.safe_dump({"rule_files": ["rules.yaml"], "evaluation_interval": "1m",
                            "tests": tests}, f)
        check = subprocess.run([args.promtool, "check", "rules", "rules.yaml"], cwd=tmp,
                               capture_output=True, text=True)
        if check.returncode != 0:
            raise SystemExit(f"FAIL: promtool check rules:\n{check.stdout}{check.stderr}")
        r = subprocess.run([args.promtool, "test", "rules", "test.yaml"], cwd=tmp,
                           capture_output=True, text=True)
        sys.stdout.write(r.stdout + r.stderr)
        if r.returncode != 0:
            raise SystemExit(f"FAIL: {args.alert} did not behave as expected on the scrapes")
    print(f"{args.alert}: quiet while healthy, fires on '{fault_state}' with "
          f"{[dict(sorted(w.items())) for w in wants]}")
    print("PASS")


if __name__ == "__main__":
    main()
