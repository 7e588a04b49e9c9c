#!/usr/bin/env python3
"""The house naming style (.clang-tidy, readability-identifier-naming) over every C++ file.

  test/check-naming.py [--build-dir build]... [--fix] [--jobs N]

Runs clang-tidy's naming check on each translation unit of the builds' compile_commands.json
that lies in the repository (common/, controller/, speaker/, test/), reporting violations in
those files and the repository headers they include. With several --build-dir, a unit is
checked once, with the first tree that compiles it (the README test command passes its release
tree, then the ASan tree that alone has the unit tests). Exits 1 and lists what is misnamed when
anything is.

A clean result is remembered per translation unit under $IRONLB_CACHE/clang-tidy-naming, keyed
by the check's configuration, clang-tidy's version, the compile command and the content of the
unit and every repository header it includes (from ninja's dependency log), all relative to
the repository, so a warm run (in any clone) re-checks only what changed.

--fix renames everything misnamed, in declarations and every use across the tree (clang-tidy's
fixes from all units, each checked against the text it replaces, plus the designated
initializers clang-tidy 14 leaves alone); rebuild and run the tests afterwards.
The builds must be current (ninja's dependency log lists each unit's headers).
"""
from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AREAS = ("common", "controller", "speaker", "test")
CLANG_TIDY = "clang-tidy-14"
# The build's GCC-only warning flags are unknown to clang: not a naming matter. -UNDEBUG: read
# what assert() holds too, although the release build compiles it out.
EXTRA_ARGS = ("--extra-arg=-Wno-unknown-warning-option", "--extra-arg=-UNDEBUG")


def tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name.rsplit("-", 1)[0])
    if not found:
        sys.exit(f"check-naming: {name} not found (test/deps.sh installs clang-tidy-14)")
    return found


def units(build: Path) -> list[dict]:
    """The repository's units in one tree's compile database, each marked with that tree."""
    db = build / "compile_commands.json"
    if not db.exists():
        sys.exit(f"check-naming: {db} missing; configure the build first")
    roots = tuple(str(ROOT / a) + "/" for a in AREAS)
    return [dict(e, tree=str(build)) for e in json.loads(db.read_text())
            if e["file"].startswith(roots)]


def object_of(entry: dict) -> str:
    args = shlex.split(entry["command"])
    return args[args.index("-o") + 1] if "-o" in args else ""


def repo_deps(build: Path) -> dict[str, list[str]]:
    """Object file -> the repository files it was compiled from (ninja's dependency log)."""
    out = subprocess.run(["ninja", "-C", str(build), "-t", "deps"], capture_output=True,
                         text=True, check=True).stdout
    deps: dict[str, list[str]] = {}
    current: list[str] = []
    for line in out.splitlines():
        if line and not line.startswith(" "):
            current = deps.setdefault(line.split(":", 1)[0], [])
        elif line.strip():
            path = os.path.normpath(os.path.join(build, line.strip()))
            if path.startswith(str(ROOT) + "/") and not path.startswith(str(build) + "/"):
                current.append(path)
    return deps


def cache_key(entry: dict, headers: list[str], salt: str) -> str:
    """Independent of where the clone lives, so every clean clone of one commit shares it."""
    h = hashlib.sha256(salt.encode())
    h.update(entry["command"].replace(str(ROOT), "<root>").encode())
    for path in sorted({entry["file"], *headers}):
        h.update(os.path.relpath(path, ROOT).encode())
        try:
            h.update(Path(path).read_bytes())
        except OSError:
            h.update(b"<missing>")
    return h.hexdigest()


def header_filter() -> str:
    return "^" + re.escape(str(ROOT)) + "/(" + "|".join(AREAS) + ")/"


def run_unit(tidy: str, entry: dict, fixes: Path | None) -> tuple[dict, str]:
    cmd = [tidy, "-p", entry["tree"], "--quiet", f"--header-filter={header_filter()}",
           *EXTRA_ARGS, entry["file"]]
    if fixes is not None:
        cmd.insert(1, f"--export-fixes={fixes}")
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    found = [l for l in res.stdout.splitlines() if "[readability-identifier-naming]" in l]
    if res.returncode != 0 and not found:
        return entry, f"{entry['file']}: clang-tidy failed:\n{res.stdout}{res.stderr}"
    return entry, "\n".join(found)


MESSAGE = re.compile(r"invalid case style for (.+) '([^']+)'")


def collect_renames(fixes_dir: Path) -> tuple[dict[str, set], dict[str, str]]:
    """clang-tidy's exported fixes, kept only where the text replaced is the misnamed
    identifier itself (clang-tidy 14 also rewrites structured bindings next to a renamed field,
    wrongly). Returns file -> {(offset, length, new)} and, for fields, old -> new name."""
    import yaml  # python3-yaml (test/deps.sh)

    edits: dict[str, set] = {}
    fields: dict[str, str] = {}
    for doc in fixes_dir.glob("*.yaml"):
        data = yaml.safe_load(doc.read_text()) or {}
        for diag in data.get("Diagnostics") or []:
            msg = diag["DiagnosticMessage"]
            m = MESSAGE.search(msg["Message"])
            if not m:
                continue
            kind, old = m.groups()
            for r in msg.get("Replacements") or []:
                path = os.path.normpath(os.path.join(diag.get("BuildDirectory", ""),
                                                     r["FilePath"]))
                data_bytes = Path(path).read_bytes()
                start, length = r["Offset"], r["Length"]
                if data_bytes[start:start + length] != old.encode():
                    continue
                edits.setdefault(path, set()).add((start, length, r["ReplacementText"]))
                if kind == "public member":
                    fields[old] = r["ReplacementText"]
    return edits, fields


def apply_renames(edits: dict[str, set], fields: dict[str, str]) -> int:
    """Applies the edits, then renames the fields in designated initializers (`.old =`), which
    clang-tidy 14 does not rewrite. Returns how many files changed."""
    designated = re.compile(r"(?<=[{,(\s])\.(" + "|".join(map(re.escape, fields)) +
                            r")(?=\s*[={])") if fields else None
    files = set(edits)
    if designated:
        files |= {str(ROOT / f) for f in subprocess.run(
            ["git", "ls-files", "*.h", "*.cc"], cwd=ROOT, capture_output=True, text=True,
            check=True).stdout.split()}
    changed = 0
    for path in sorted(files):
        original = Path(path).read_bytes()
        data = original
        for start, length, text in sorted(edits.get(path, ()), reverse=True):
            data = data[:start] + text.encode() + data[start + length:]
        if designated:
            data = designated.sub(lambda m: "." + fields[m.group(1)],
                                  data.decode()).encode()
        if data != original:
            Path(path).write_bytes(data)
            changed += 1
    return changed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", action="append",
                        help="a build tree (repeatable; default build/)")
    parser.add_argument("--fix", action="store_true")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    builds = [Path(b).resolve() for b in (args.build_dir or [str(ROOT / "build")])]
    tidy = tool(CLANG_TIDY)

    version = subprocess.run([tidy, "--version"], capture_output=True, text=True).stdout
    salt = version + " ".join(EXTRA_ARGS) + (ROOT / ".clang-tidy").read_text()
    cache = Path(os.environ.get("IRONLB_CACHE", Path.home() / ".cache/ironlb"))
    cache = cache / "clang-tidy-naming"
    cache.mkdir(parents=True, exist_ok=True)

    todo: list[dict] = []
    deps: dict[str, list[str]] = {}
    for build in builds:
        seen = {e["file"] for e in todo}
        todo += [e for e in units(build) if e["file"] not in seen]
        deps |= {os.path.join(build, k): v for k, v in repo_deps(build).items()}
    keys = {}
    if not args.fix:
        pending = []
        for e in todo:
            key = cache_key(e, deps.get(os.path.join(e["tree"], object_of(e)), []), salt)
            if not (cache / key).exists():
                keys[e["file"]] = key
                pending.append(e)
        print(f"check-naming: {len(todo)} units, {len(todo) - len(pending)} unchanged since a "
              f"clean check, checking {len(pending)}")
        todo = pending

    fixes_dir = Path(tempfile.mkdtemp(prefix="ironlb-naming-")) if args.fix else None
    problems: set[str] = set()
    failures: list[str] = []
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        jobs = [pool.submit(run_unit, tidy, e,
                            fixes_dir / f"{i}.yaml" if fixes_dir else None)
                for i, e in enumerate(todo)]
        for job in concurrent.futures.as_completed(jobs):
            entry, found = job.result()
            if "clang-tidy failed" in found:
                failures.append(found)
            elif found:
                problems.update(found.splitlines())
            elif not args.fix:
                (cache / keys[entry["file"]]).touch()

    if args.fix:
        edits, fields = collect_renames(fixes_dir)
        shutil.rmtree(fixes_dir)
        changed = apply_renames(edits, fields)
        print(f"check-naming: renamed {len(fields)} fields and {sum(map(len, edits.values()))} "
              f"other uses in {changed} files; rebuild, clang-format and test")
        return 0
    for line in sorted(problems):
        print(line.replace(str(ROOT) + "/", ""))
    for f in failures:
        print(f, file=sys.stderr)
    if problems or failures:
        print(f"check-naming: {len(problems)} misnamed identifiers (house style in .clang-tidy; "
              f"test/check-naming.py --fix renames them)", file=sys.stderr)
        return 1
    print("check-naming: clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
