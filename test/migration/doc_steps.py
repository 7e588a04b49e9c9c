#!/usr/bin/env python3
"""doc_steps.py DOC [STEP]: the shell commands of one step of a guide, as the guide shows them.

A step is a fenced code block whose info string is `sh migration-step=NAME` (GitHub shows it as
an ordinary `sh` block). With STEP, prints that block's body (exit 1 if there is no such step or
it appears twice); without, lists the step names in document order. The migration test runs
each step's body with bash, so the guide and what the test runs cannot drift apart.
"""
import re
import sys

FENCE = re.compile(r"^```sh migration-step=([A-Za-z0-9_-]+)\s*$")


def steps(text):
    found = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        body = []
        i += 1
        while i < len(lines) and lines[i].rstrip() != "```":
            body.append(lines[i])
            i += 1
        if i == len(lines):
            sys.exit(f"step {m.group(1)}: the code block is not closed")
        found.append((m.group(1), "\n".join(body) + "\n"))
        i += 1
    return found


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        found = steps(f.read())
    if len(sys.argv) == 2:
        for name, _ in found:
            print(name)
        return
    bodies = [body for name, body in found if name == sys.argv[2]]
    if len(bodies) != 1:
        sys.exit(f"{sys.argv[1]}: step {sys.argv[2]!r} appears {len(bodies)} times (want 1)")
    sys.stdout.write(bodies[0])


if __name__ == "__main__":
    main()
