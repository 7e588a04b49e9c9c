#!/usr/bin/env python3
"""image_reproducible: the same sources give the same image digest.

  1. assembly: config/image/build.sh run again on copies of the release binaries with another
     mode and mtime, under umask 077, from another directory, into another output directory
     writes a byte-identical archive (and the same ironlb-frr digest)
  2. another checkout path: the work tree copied to a deeper path under /tmp, built there the
     way build.sh builds (test/build-env.sh, ccache) and assembled gives the same digest: the
     configuration, the link and the assembly do not depend on where the tree is
  3. the compiler, not only the cache: ccache (CCACHE_BASEDIR, CCACHE_NOHASHDIR) hands step 2
     the first tree's objects, which would hide any path the compiler writes (step 2 passes
     even without the -ffile-prefix-map flags when both trees miss them). So sources are
     compiled again at the other path without ccache, from absolute paths, and each object
     must equal the first tree's byte for byte (debug info included, which the build ID
     covers). Only a sample fits the time budget; docs/image.md tells how to check all.

  test_reproducible.py --repo SRC --build-dir BUILD --image-dir BUILD/image
                       [--sample-sources N] [--skip-other-path]
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path

from imagelib import Failure, Image, check, log, main_guard, run, temp_dir

DAEMONS = ["controller/daemon/ironlb-controller", "speaker/daemon/ironlb-speaker",
           "speaker/frr_supervisor/ironlb-frr-supervisor"]
# Compiled again without ccache in step 3, in this order (--sample-sources takes the first N):
# a small file (every object's debug info names its source and build paths; CI's choice, for
# time), where each daemon is wired together (most of the libraries' headers), and the one
# file that holds the HTTP/TLS client.
SAMPLE = ["common/k8s/token_source.cc", "controller/daemon/run.cc", "speaker/daemon/speaker.cc",
          "common/k8s/http_transport.cc"]


def assemble(repo: Path, build_dir: Path, out: Path, umask: int = 0o022,
             cwd: Path | None = None) -> str:
    """config/image/build.sh --no-build; returns the digest it wrote."""
    res = subprocess.run([str(repo / "config/image/build.sh"), "--no-build", "--build-dir",
                          str(build_dir), "--out", str(out)], cwd=cwd or repo,
                         preexec_fn=lambda: os.umask(umask), capture_output=True, text=True,
                         timeout=300)
    if res.returncode != 0:
        raise Failure(f"build.sh --build-dir {build_dir}: exit {res.returncode}\n{res.stdout}"
                      f"\n{res.stderr}")
    return (out / "ironlb.digest").read_text().strip()


def check_frr_digest(image: Image, out: Path, where: str) -> None:
    """The ironlb-frr image build.sh wrote beside the ironlb one has the fixture's digest."""
    want = (image.archive.parent / "ironlb-frr.digest").read_text().strip()
    got = (out / "ironlb-frr.digest").read_text().strip()
    check(got == want, f"{where}: ironlb-frr digest {got}, fixture's {want}")
    log(f"{where}: ironlb-frr has the same digest {got}")


def explain_difference(first: Path, second: Path, first_bins: Path, second_bins: Path) -> str:
    """What differs between two assemblies: labels (spec) or the binaries."""
    notes = []
    a, b = json.loads((first / "ironlb.spec.json").read_text()), \
        json.loads((second / "ironlb.spec.json").read_text())
    if a["config"] != b["config"]:
        notes.append(f"image config differs:\n  {a['config']}\n  {b['config']}")
    for daemon in DAEMONS:
        if not filecmp.cmp(first_bins / daemon, second_bins / daemon, shallow=False):
            notes.append(f"{daemon} differs: compare `readelf -n` (build ID) and the paths "
                         "in `readelf --debug-dump=info,line` of the two builds")
    return "\n".join(notes) or "same config and binaries; the runtime layer differs"


def check_assembly(repo: Path, build_dir: Path, image: Image, tmp: Path) -> None:
    bins = tmp / "bins"
    for daemon in DAEMONS:
        dest = bins / daemon
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(build_dir / daemon, dest)
        os.chmod(dest, 0o700)
        os.utime(dest, (1_000_000_000, 1_000_000_000))
    out = tmp / "elsewhere" / "out"
    started = time.monotonic()
    digest = assemble(repo, bins, out, umask=0o077, cwd=tmp)
    elapsed = time.monotonic() - started
    archive = out / f"ironlb-{image.version}.oci.tar"
    if digest != image.digest:
        raise Failure(f"reassembled digest {digest}, fixture's {image.digest}\n"
                      + explain_difference(image.archive.parent, out, build_dir, bins))
    check(filecmp.cmp(archive, image.archive, shallow=False),
          f"{archive} and {image.archive} differ although the digests agree")
    log(f"assembly: umask 077, binaries mode 0700 mtime 2001, another output dir -> same "
        f"digest, byte-identical archive ({elapsed:.1f}s)")
    check_frr_digest(image, out, "assembly")


def copy_work_tree(repo: Path, dest: Path) -> None:
    """The work tree as it is (tracked files with their edits, and untracked, not ignored ones),
    without .git and build trees."""
    listed = subprocess.run(["git", "-C", str(repo), "ls-files", "-z", "-co", "--exclude-standard"],
                            capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = repo / rel
        if not (src.exists() or src.is_symlink()):
            continue  # deleted in the work tree
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target, follow_symlinks=False)


def build_other_tree(repo: Path, source: Path) -> float:
    """Configures and builds ironlb-daemons in source/build as build.sh would; returns seconds."""
    script = ('set -euo pipefail; root=$1; source "$root/test/build-env.sh"; '
              'ironlb_configure_build "$root/build" ironlb-daemons "${IRONLB_RELEASE_ARGS[@]}"')
    started = time.monotonic()
    run(["bash", "-c", script, "build", str(source)], timeout=1800)
    return time.monotonic() - started


def compile_commands(build_dir: Path) -> dict[str, dict]:
    entries = json.loads((build_dir / "compile_commands.json").read_text())
    return {e["file"]: e for e in entries}


def check_sample_without_ccache(repo: Path, build_dir: Path, source: Path, count: int) -> None:
    first = compile_commands(build_dir)
    second = compile_commands(source / "build")
    for rel in SAMPLE[:count]:
        entry = second[str(source / rel)]
        args = shlex.split(entry["command"])
        out_index = args.index("-o") + 1
        object_rel = args[out_index]
        fresh = source / "build" / (object_rel + ".fresh")
        args[out_index] = str(fresh)
        check(args[0] != "ccache" and "ccache" not in Path(args[0]).name,
              f"compile command for {rel} runs ccache")
        started = time.monotonic()
        env = dict(os.environ, CCACHE_DISABLE="1")
        run(args, cwd=entry["directory"], env=env, timeout=600)
        elapsed = time.monotonic() - started
        first_object = build_dir / shlex.split(first[str(repo / rel)]["command"])[
            shlex.split(first[str(repo / rel)]["command"]).index("-o") + 1]
        check(filecmp.cmp(fresh, first_object, shallow=False),
              f"{rel}: compiled without ccache at {source} it differs from {first_object}")
        log(f"  {rel}: compiled at {source} without ccache == {first_object} ({elapsed:.1f}s)")


def check_other_path(repo: Path, build_dir: Path, image: Image, tmp: Path, sample: int) -> None:
    source = tmp / "another" / "checkout" / "of-ironlb"
    copy_work_tree(repo, source)
    elapsed = build_other_tree(repo, source)
    log(f"other path: {source} configured and built (ironlb-daemons, ccache) in {elapsed:.1f}s")
    out = tmp / "other-out"
    digest = assemble(repo, source / "build", out)
    if digest != image.digest:
        raise Failure(f"built at {source}: digest {digest}, fixture's {image.digest}\n"
                      + explain_difference(image.archive.parent, out, build_dir, source / "build"))
    log(f"other path: same digest {digest}")
    check_frr_digest(image, out, "other path")
    if sample:
        log(f"compiler: {sample} sources compiled again without ccache at the other path")
        check_sample_without_ccache(repo, build_dir, source, sample)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", required=True, type=Path)
    parser.add_argument("--build-dir", required=True, type=Path)
    parser.add_argument("--image-dir", required=True, type=Path)
    parser.add_argument("--sample-sources", type=int, default=len(SAMPLE))
    parser.add_argument("--skip-other-path", action="store_true")
    args = parser.parse_args()
    repo, build_dir = args.repo.resolve(), args.build_dir.resolve()
    image = Image.load(args.image_dir)
    log(f"image {image.ref} {image.digest}")
    with temp_dir("ilb-img-repro.") as tmp:
        check_assembly(repo, build_dir, image, tmp)
        if not args.skip_other_path:
            check_other_path(repo, build_dir, image, tmp, args.sample_sources)


if __name__ == "__main__":
    main_guard(main)
