#!/usr/bin/python3
"""Writes the Grafana dashboard the chart ships (config/helm/ironlb/files/dashboards/ironlb.json).

The panels are listed here as data, so every query is in one place: docs/dashboard.md explains
them and test/e2e/alerts/test_dashboard.py checks that each query parses and reads only metrics
a running ironlb exports. config/render-manifests.sh runs this (and --check compares).

  generate.py OUT.json
"""

import json
import sys

NS = '{namespace="$namespace"}'


def ns(metric, extra=""):
    """metric{namespace="$namespace"[,extra]}"""
    return metric + ('{namespace="$namespace", ' + extra + "}" if extra else NS)


# (title, type, width, height, [(expr, legend)], unit, description)
ROWS = [
    ("Address pools", [
        ("Pool usage", "bargauge", 12, 8,
         [(f"100 * max by (pool) ({ns('metallb_allocator_addresses_in_use_total')}) / "
           f"max by (pool) ({ns('metallb_allocator_addresses_total')} > 0)", "{{pool}}")],
         "percent", "Share of each IPAddressPool's addresses assigned to Services."),
        ("Addresses in use and total", "timeseries", 8, 8,
         [(f"max by (pool) ({ns('metallb_allocator_addresses_in_use_total')})", "{{pool}} in use"),
          (f"max by (pool) ({ns('metallb_allocator_addresses_total')})", "{{pool}} total")],
         "short", "Assigned and usable addresses per pool, over time."),
        ("Services waiting for an IP", "stat", 4, 8,
         [(f"max({ns('ironlb_controller_services_pending')})", "pending")],
         "short", "LoadBalancer Services the controller could not give an address yet."),
    ]),
    ("Announcement", [
        ("Owner of each IP", "table", 12, 8,
         [(f"max by (ip, node) ({ns('ironlb_speaker_ip_owner')} == 1)", "")],
         "short", "The node each speaker computes as the owner of each address."),
        ("Owner history (failovers)", "state-timeline", 12, 8,
         [(f"max by (ip, node) ({ns('ironlb_speaker_ip_owner')} == 1)", "{{ip}} on {{node}}")],
         "short", "Which node owned each address when: a failover shows as one address moving "
         "to another node's row."),
        ("Addresses not announced, by reason", "table", 12, 8,
         [(f"max by (ip, reason) ({ns('ironlb_speaker_ip_unannounced')} == 1)", "")],
         "short", "Addresses no node announces, with the reason (docs/alerts.md lists them)."),
        ("Announce failures on an interface", "table", 12, 8,
         [(f"max by (ip, interface, reason) ({ns('ironlb_speaker_announce_failed')} == 1)", "")],
         "short", "Where the owner cannot announce on an interface, and why."),
        ("ARP/NDP requests answered", "timeseries", 12, 8,
         [(f"sum by (ip) (rate({ns('metallb_layer2_requests_received')}[$__rate_interval]))",
           "{{ip}} requests"),
          (f"sum by (ip) (rate({ns('metallb_layer2_responses_sent')}[$__rate_interval]))",
           "{{ip}} responses")],
         "reqps", "Requests received and replies sent for each announced address."),
        ("Another MAC claiming an address", "timeseries", 12, 8,
         [(f"sum by (ip) (increase({ns('ironlb_speaker_duplicate_owner_seen_total')}[$__rate_interval]))",
           "{{ip}}"),
          (f"sum by (ip, mac) (increase({ns('ironlb_speaker_duplicate_owner_foreign_total')}[$__rate_interval]))",
           "{{ip}} by {{mac}} (no speaker's)")],
         "short", "Frames in which a MAC that is not the owner's claimed an announced address; "
         "by MAC where it belongs to no speaker."),
    ]),
    ("Speakers and controller", [
        ("Live speakers seen by each speaker", "timeseries", 12, 8,
         [(f"max by (pod) ({ns('ironlb_speaker_membership_live_members')})", "{{pod}}"),
          (f"max({ns('ironlb_speaker_membership_members')})", "nodes that should run one"),
          (f"count({ns('ironlb_speaker_membership_live_members')})", "speakers scraped")],
         "short", "Below the number of nodes: a speaker is down, or the membership is split "
         "or blocked."),
        ("Membership datagrams rejected", "timeseries", 12, 8,
         [(f"sum by (pod, reason) (rate({ns('ironlb_speaker_membership_rejected_total')}[$__rate_interval]))",
           "{{pod}} {{reason}}")],
         "pps", "Datagrams dropped by the membership (bad key, replay, malformed...)."),
        ("Controller leader", "timeseries", 8, 8,
         [(f"max by (pod) ({ns('ironlb_controller_leader')})", "{{pod}}")],
         "short", "1 for the replica that leads and writes."),
        ("Configuration stale or not loaded", "timeseries", 8, 8,
         [(f"max by (pod) ({ns('metallb_k8s_client_config_stale_bool')})", "{{pod}} stale"),
          (f"1 - max by (pod) ({ns('metallb_k8s_client_config_loaded_bool')})", "{{pod}} not loaded")],
         "short", "1 while a daemon runs an old configuration or none."),
        ("API requests", "timeseries", 8, 8,
         [(f"sum by (pod) (rate({ns('ironlb_k8s_api_requests_total')}[$__rate_interval]))", "{{pod}}")],
         "reqps", "Requests to the Kubernetes API server."),
        ("Resident memory", "timeseries", 12, 8,
         [(f"max by (pod) ({ns('process_resident_memory_bytes')})", "{{pod}}")],
         "bytes", "Resident memory of each daemon."),
        ("CPU", "timeseries", 12, 8,
         [(f"max by (pod) (rate({ns('process_cpu_seconds_total')}[$__rate_interval]))", "{{pod}}")],
         "percentunit", "CPU time of each daemon, in cores."),
    ]),
]


def panel(pid, x, y, title, kind, w, h, targets, unit, description):
    p = {
        "id": pid,
        "title": title,
        "description": description,
        "type": kind,
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {},
        "targets": [
            {"refId": chr(ord("A") + i), "expr": expr, "legendFormat": legend,
             "datasource": {"type": "prometheus", "uid": "${datasource}"},
             **({"format": "table", "instant": True} if kind == "table" else {})}
            for i, (expr, legend) in enumerate(targets)
        ],
    }
    if kind == "table":
        p["transformations"] = [{"id": "organize", "options": {
            "excludeByName": {"Time": True, "Value": True}}}]
    return p


def dashboard():
    panels, pid, y = [], 1, 0
    for row_title, items in ROWS:
        panels.append({"id": pid, "type": "row", "title": row_title, "collapsed": False,
                       "gridPos": {"x": 0, "y": y, "w": 24, "h": 1}, "panels": []})
        pid, y, x, row_h = pid + 1, y + 1, 0, 0
        for title, kind, w, h, targets, unit, desc in items:
            if x + w > 24:
                x, y, row_h = 0, y + row_h, 0
            panels.append(panel(pid, x, y, title, kind, w, h, targets, unit, desc))
            pid, x, row_h = pid + 1, x + w, max(row_h, h)
        y += row_h
    return {
        "uid": "ironlb-overview",
        "title": "ironlb",
        "description": "Pools, announcements, failovers and membership of ironlb (docs/dashboard.md)",
        "tags": ["ironlb", "metallb", "loadbalancer"],
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "time": {"from": "now-6h", "to": "now"},
        "refresh": "30s",
        "timezone": "",
        "templating": {"list": [
            {"name": "datasource", "type": "datasource", "query": "prometheus",
             "label": "Data source", "current": {}, "hide": 0},
            {"name": "namespace", "type": "query", "label": "Namespace",
             "datasource": {"type": "prometheus", "uid": "${datasource}"},
             "query": {"query": "label_values(ironlb_speaker_membership_live_members, namespace)",
                       "refId": "namespace"},
             "definition": "label_values(ironlb_speaker_membership_live_members, namespace)",
             "refresh": 2, "current": {}, "hide": 0},
        ]},
        "annotations": {"list": []},
        "panels": panels,
    }


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], "w") as f:
        json.dump(dashboard(), f, indent=1, sort_keys=True)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
