#!/usr/bin/env python3
"""metallb_like_crd.py IN OUT: one of ironlb's CRD files as MetalLB's chart has it, near enough.

MetalLB's IPAddressPool, L2Advertisement and ServiceL2Status CRDs have the same fields as
ironlb's (docs/custom-resources.md) but no CEL rules and plain (atomic) lists: its admission
webhook checks objects instead. So the stand-in MetalLB chart (fake-metallb/) gets ironlb's
files with `x-kubernetes-validations` and `x-kubernetes-list-type` (and the map keys that only a
map-type list may carry) removed and without ironlb's labels. Objects that ironlb's schema refuses can then be stored before the switch, as in a
cluster that ran MetalLB, and the switch replaces the schema, as it does there.
"""
import sys

import yaml

DROP = ("x-kubernetes-validations", "x-kubernetes-list-type", "x-kubernetes-list-map-keys")


def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in DROP}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    out = []
    for crd in docs:
        crd = strip(crd)
        crd["metadata"].pop("labels", None)
        out.append(crd)
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        yaml.safe_dump_all(out, f, sort_keys=False)


if __name__ == "__main__":
    main()
