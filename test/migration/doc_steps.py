#!/usr/bin/env python3
"""doc_steps.py DOC [STEP | --covered-by FILE...]: the steps of a guide, as the guide shows them.

A step is a fenced code block whose info string is `sh migration-step=NAME` (GitHub shows it as
an ordinary `sh` block). With STEP, prints that block's body (exit 1 if there is no such step or
it appears twice); without, lists the step names in document order. The migration test runs
each step's body with bash, so the guide and what the test runs cannot drift apart. With
--covered-by, fails naming every step that none of the FILEs runs (as `step NAME` in a shell
test, or "NAME" in a Python one), so a step added to the guide needs a test.
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
    if len(sys.argv) < 2 or (len(sys.argv) > 3 and sys.argv[2] != "--covered-by"):
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        found = steps(f.read())
    if len(sys.argv) > 2 and sys.argv[2] == "--covered-by":
        tests = ""
        for path in sys.argv[3:]:
            with open(path, encoding="utf-8") as f:
                tests += f.read()
        missing = [name for name, _ in found
                   if not re.search(rf"\bstep {re.escape(name)}\b", tests)
                   and f'"{name}"' not in tests]
        if missing:
            sys.exit(f"{sys.argv[1]}: steps no test runs: {', '.join(missing)}")
        print(f"all {len(found)} steps of {sys.argv[1]} are run by a test")
        return
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
