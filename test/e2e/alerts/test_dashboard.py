#!/usr/bin/python3
"""dashboard_queries_read_exported_metrics: the Grafana dashboard the chart ships
(config/helm/ironlb/files/dashboards/ironlb.json) is well-formed and every query in it parses
(promtool) and reads only metrics that a running ironlb exports (the scrapes of
scrape_states.py, every state, controller and speakers). There is no Grafana in Debian to render
it, so this is the check the dashboard gets.

  test_dashboard.py --dashboard JSON --scrapes SCRAPES.json --promtool BIN
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

METRIC_IN_QUERY = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{")
VARIABLES = {"$namespace": "metallb-system", "$__rate_interval": "1m", "$__range": "1h",
             "${datasource}": "prometheus"}


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def exported(states):
    names = set()
    for state in states.values():
        for text in state.values():
            names |= set(re.findall(r"^# TYPE (\S+) ", text, re.M))
    return names


def main():
    p = argparse.ArgumentParser()
    for name in ("dashboard", "scrapes", "promtool"):
        p.add_argument(f"--{name}", required=True)
    args = p.parse_args()
    with open(args.dashboard) as f:
        dash = json.load(f)
    with open(args.scrapes) as f:
        have = exported(json.load(f)["states"])

    variables = {v["name"] for v in dash["templating"]["list"]}
    if variables != {"datasource", "namespace"}:
        fail(f"template variables {sorted(variables)}, want datasource and namespace")
    ids = [pnl["id"] for pnl in dash["panels"]]
    if len(ids) != len(set(ids)):
        fail(f"duplicate panel ids in {ids}")
    queries = []
    for pnl in dash["panels"]:
        g = pnl["gridPos"]
        if g["x"] < 0 or g["x"] + g["w"] > 24:
            fail(f"panel {pnl['title']!r} is outside the 24-column grid: {g}")
        if pnl["type"] == "row":
            continue
        if pnl.get("datasource", {}).get("uid") != "${datasource}":
            fail(f"panel {pnl['title']!r} does not use the datasource variable")
        if not pnl.get("targets"):
            fail(f"panel {pnl['title']!r} has no query")
        for t in pnl["targets"]:
            queries.append((pnl["title"], t["expr"]))
    ns_query = dash["templating"]["list"][1]["query"]["query"]
    queries.append(("namespace variable", ns_query))

    missing = {}
    for title, expr in queries:
        for metric in set(METRIC_IN_QUERY.findall(expr)) | set(
                re.findall(r"label_values\((\w+)", expr)):
            if metric not in have:
                missing.setdefault(metric, []).append(title)
    if missing:
        fail(f"queries read metrics ironlb does not export: {missing}")

    rules = {"groups": [{"name": "dashboard", "rules": []}]}
    for i, (title, expr) in enumerate(queries):
        if expr.startswith("label_values("):
            continue
        for var, val in VARIABLES.items():
            expr = expr.replace(var, val)
        rules["groups"][0]["rules"].append({"record": f"dashboard:query_{i}", "expr": expr})
    with tempfile.TemporaryDirectory(prefix="ironlb-dashboard-") as tmp:
        path = os.path.join(tmp, "queries.yaml")
        with open(path, "w") as f:
            yaml.safe_dump(rules, f)
        r = subprocess.run([args.promtool, "check", "rules", path], capture_output=True,
                           text=True)
        if r.returncode != 0:
            fail(f"a query does not parse:\n{r.stdout}{r.stderr}")
    print(f"{len(queries)} queries in {len(ids)} panels parse and read only exported metrics "
          f"({len(have)} metric families exported)")
    print("PASS")


if __name__ == "__main__":
    main()
