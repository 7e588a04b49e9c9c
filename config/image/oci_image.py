#!/usr/bin/env python3
"""Writes a container image as one deterministic tar file, without a container engine.

The archive is at once an OCI image layout (oci-layout, index.json, blobs/sha256/...) and a
docker-archive (a top-level manifest.json naming the same blobs, as `docker save` of Docker 25
and later writes it), so `docker load`, `ctr images import`, `skopeo copy oci-archive:...` and
`skopeo copy docker-archive:...` all read it.

Deterministic: the same spec and the same input bytes give the same archive bytes, whatever
the umask, the input files' mtimes and owners, or the output directory. Entries are sorted,
every mtime is SOURCE_DATE_EPOCH, owners are numeric with empty user/group names, the tar
format is fixed (POSIX.1-2001/pax), gzip streams carry mtime 0 and no file name, and JSON is
written with sorted keys and fixed separators.

The spec (a dict, or a JSON file for the command line):

  {
    "references": ["ironlb/ironlb:0.1.0"],            # one or more; the first is the main one
    "architecture": "amd64", "os": "linux",           # defaults: this machine, linux
    "config": {"Entrypoint": [...], "Cmd": [...], "User": "65534:65534", "Env": [...],
               "WorkingDir": "/", "Labels": {...}, "ExposedPorts": {...}, "StopSignal": "..."},
    "layers": [                                        # bottom first
      {"comment": "runtime files",                     # becomes the layer's history entry
       "entries": [
         {"type": "dir", "path": "/tmp", "mode": "1777"},
         {"type": "file", "path": "/etc/hosts", "content": "127.0.0.1 localhost\\n"},
         {"type": "file", "path": "/usr/bin/x", "source": "/path/on/host", "mode": "0755"},
         {"type": "symlink", "path": "/lib", "target": "usr/lib"}
       ]}
    ]
  }

Modes are octal strings ("0644") or integers; the defaults are 0755 for directories, 0644 for
files and 0777 for symlinks; uid and gid default to 0. A file's "source" is read (symlinks
followed); its mode, owner and mtime are never taken from it. Missing parent directories are
added (0755, root). Relative sources are relative to the spec file (command line) or to the
current directory (Python API).

Command line:  oci_image.py SPEC.json OUT.tar [--summary SUMMARY.json]
prints the manifest digest (sha256:...). Python: write_image(spec, out_path) -> summary dict.
A multi-platform image from such archives (write_index):
               oci_image.py --index OUT.tar AMD64.tar ARM64.tar --reference NAME:TAG
prints the image index's digest.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import platform
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Iterable

MEDIA_INDEX = "application/vnd.oci.image.index.v1+json"
MEDIA_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MEDIA_CONFIG = "application/vnd.oci.image.config.v1+json"
MEDIA_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
ANNOTATION_REF_NAME = "org.opencontainers.image.ref.name"
ANNOTATION_CONTAINERD_NAME = "io.containerd.image.name"

# The image config keys we pass through (a typo in a spec should fail, not vanish).
CONFIG_KEYS = {"Entrypoint", "Cmd", "User", "Env", "WorkingDir", "Labels", "ExposedPorts",
               "StopSignal", "Volumes"}
DEFAULT_MODES = {"dir": 0o755, "file": 0o644, "symlink": 0o777}
TAR_FORMAT = tarfile.PAX_FORMAT
# gzip level 6 (zlib's default): on ironlb's runtime layer level 9 took 3.5 times as long for
# a layer 0.5 % smaller.
GZIP_LEVEL = 6


class SpecError(ValueError):
    """The spec is malformed: the message names the entry and the problem."""


def source_date_epoch(env: dict[str, str] | None = None) -> int:
    """SOURCE_DATE_EPOCH from the environment (https://reproducible-builds.org), else 0."""
    value = (os.environ if env is None else env).get("SOURCE_DATE_EPOCH", "")
    if not value:
        return 0
    if not value.isdigit():
        raise SpecError(f"SOURCE_DATE_EPOCH={value!r} is not a non-negative integer")
    return int(value)


def rfc3339(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def host_architecture() -> str:
    machine = platform.machine()
    return {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "ppc64le": "ppc64le",
            "s390x": "s390x", "riscv64": "riscv64"}.get(machine, machine)


def normalize_reference(ref: str) -> tuple[str, str]:
    """Returns (full name as containerd stores it, tag) for a docker-style reference.

    "ironlb/ironlb:0.1.0" -> ("docker.io/ironlb/ironlb:0.1.0", "0.1.0"); a first component
    with a dot or a colon, or "localhost", is a registry and stays as it is.
    """
    if "@" in ref:
        raise SpecError(f"reference {ref!r}: digests are not supported, use name:tag")
    name, tag = ref, "latest"
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        name, tag = ref.rsplit(":", 1)
    if not name or not tag or name != name.lower():
        raise SpecError(f"reference {ref!r}: expected lower-case [registry/]repository:tag")
    first = name.split("/", 1)[0]
    has_registry = "/" in name and ("." in first or ":" in first or first == "localhost")
    if not has_registry:
        name = f"docker.io/{name}" if "/" in name else f"docker.io/library/{name}"
    return f"{name}:{tag}", tag


@dataclass(frozen=True)
class Entry:
    """One tar member of a layer."""
    kind: str  # "dir", "file" or "symlink"
    path: PurePosixPath  # relative, normalised ("usr/lib/x.so")
    mode: int
    uid: int = 0
    gid: int = 0
    source: Path | None = None  # file content from here ...
    content: bytes | None = None  # ... or from here
    target: str = ""  # symlink target, verbatim

    def sort_key(self) -> tuple[str, ...]:
        # By path components, so a directory always precedes what it holds.
        return self.path.parts


@dataclass
class Layer:
    comment: str
    entries: list[Entry] = field(default_factory=list)


def _parse_mode(raw: Any, kind: str, where: str) -> int:
    if raw is None:
        return DEFAULT_MODES[kind]
    if isinstance(raw, bool):
        raise SpecError(f"{where}: mode must be an octal string or an integer")
    if isinstance(raw, int):
        mode = raw
    elif isinstance(raw, str):
        try:
            mode = int(raw, 8)
        except ValueError:
            raise SpecError(f"{where}: mode {raw!r} is not octal") from None
    else:
        raise SpecError(f"{where}: mode must be an octal string or an integer")
    if not 0 <= mode <= 0o7777:
        raise SpecError(f"{where}: mode {oct(mode)} out of range")
    return mode


def _parse_path(raw: Any, where: str) -> PurePosixPath:
    if not isinstance(raw, str) or not raw.strip("/"):
        raise SpecError(f"{where}: path must be a non-empty string other than /")
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise SpecError(f"{where}: path {raw!r} must not contain ..")
    return PurePosixPath(*parts)


def _parse_id(raw: Any, name: str, where: str) -> int:
    if raw is None:
        return 0
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise SpecError(f"{where}: {name} must be a non-negative integer")
    return raw


def parse_entry(raw: dict[str, Any], base: Path, where: str) -> Entry:
    if not isinstance(raw, dict):
        raise SpecError(f"{where}: expected an object")
    kind = raw.get("type")
    allowed = {"type", "path", "mode", "uid", "gid"}
    if kind == "file":
        allowed |= {"source", "content"}
    elif kind == "symlink":
        allowed |= {"target"}
    elif kind != "dir":
        raise SpecError(f"{where}: type must be dir, file or symlink, not {kind!r}")
    unknown = set(raw) - allowed
    if unknown:
        raise SpecError(f"{where}: unknown keys for a {kind}: {', '.join(sorted(unknown))}")
    path = _parse_path(raw.get("path"), where)
    where = f"{where} ({path})"
    entry = dict(kind=kind, path=path, mode=_parse_mode(raw.get("mode"), kind, where),
                 uid=_parse_id(raw.get("uid"), "uid", where),
                 gid=_parse_id(raw.get("gid"), "gid", where))
    if kind == "file":
        has_source, has_content = "source" in raw, "content" in raw
        if has_source == has_content:
            raise SpecError(f"{where}: a file needs exactly one of source and content")
        if has_source:
            source = base / raw["source"]
            if not source.is_file():
                raise SpecError(f"{where}: source {source} is not a regular file")
            entry["source"] = source
        else:
            if not isinstance(raw["content"], str):
                raise SpecError(f"{where}: content must be a string")
            entry["content"] = raw["content"].encode()
    elif kind == "symlink":
        target = raw.get("target")
        if not isinstance(target, str) or not target:
            raise SpecError(f"{where}: a symlink needs a non-empty target")
        entry["target"] = target
    return Entry(**entry)


def parse_spec(spec: dict[str, Any], base: Path) -> tuple[list[Layer], dict[str, Any]]:
    """Validates the spec; returns the layers and the normalised image fields."""
    unknown = set(spec) - {"references", "architecture", "os", "config", "layers"}
    if unknown:
        raise SpecError(f"spec: unknown keys: {', '.join(sorted(unknown))}")
    refs = spec.get("references")
    if not isinstance(refs, list) or not refs or not all(isinstance(r, str) for r in refs):
        raise SpecError("spec: references must be a non-empty list of name:tag strings")
    for ref in refs:
        normalize_reference(ref)
    config = spec.get("config", {})
    if not isinstance(config, dict):
        raise SpecError("spec: config must be an object")
    bad = set(config) - CONFIG_KEYS
    if bad:
        raise SpecError(f"spec: config: unknown keys: {', '.join(sorted(bad))}")
    raw_layers = spec.get("layers")
    if not isinstance(raw_layers, list) or not raw_layers:
        raise SpecError("spec: layers must be a non-empty list")
    layers = []
    for i, raw_layer in enumerate(raw_layers):
        where = f"layers[{i}]"
        if not isinstance(raw_layer, dict) or not isinstance(raw_layer.get("entries"), list):
            raise SpecError(f"{where}: expected an object with an entries list")
        comment = raw_layer.get("comment", "")
        if not isinstance(comment, str):
            raise SpecError(f"{where}: comment must be a string")
        entries = [parse_entry(e, base, f"{where}.entries[{j}]")
                   for j, e in enumerate(raw_layer["entries"])]
        layers.append(Layer(comment=comment, entries=complete_layer(entries, where)))
    image = {"references": list(refs),
             "architecture": spec.get("architecture") or host_architecture(),
             "os": spec.get("os") or "linux",
             "config": config}
    return layers, image


def complete_layer(entries: Iterable[Entry], where: str) -> list[Entry]:
    """Adds missing parent directories, rejects conflicting duplicates, sorts."""
    by_path: dict[PurePosixPath, Entry] = {}
    for entry in entries:
        previous = by_path.get(entry.path)
        if previous is not None and previous != entry:
            raise SpecError(f"{where}: {entry.path} is given twice, differently")
        by_path[entry.path] = entry
    for entry in list(by_path.values()):
        for parent in entry.path.parents:
            if parent == PurePosixPath("."):
                continue
            existing = by_path.get(parent)
            if existing is None:
                by_path[parent] = Entry(kind="dir", path=parent, mode=DEFAULT_MODES["dir"])
            elif existing.kind != "dir":
                raise SpecError(f"{where}: {parent} holds {entry.path} but is a {existing.kind}")
    return sorted(by_path.values(), key=Entry.sort_key)


def _tar_info(name: str, kind: str, mode: int, uid: int, gid: int, epoch: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = {"dir": tarfile.DIRTYPE, "file": tarfile.REGTYPE, "symlink": tarfile.SYMTYPE}[kind]
    info.mode = mode
    info.uid, info.gid = uid, gid
    info.uname = info.gname = ""
    info.mtime = epoch
    return info


class _HashingWriter(io.RawIOBase):
    """Passes bytes on to a sink while counting them and hashing them with SHA-256."""

    def __init__(self, sink: BinaryIO):
        super().__init__()
        self._sink = sink
        self.sha256 = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        view = memoryview(data)
        self.sha256.update(view)
        self._sink.write(view)
        self.size += len(view)
        return len(view)

    def digest(self) -> str:
        return "sha256:" + self.sha256.hexdigest()


@dataclass
class Blob:
    digest: str
    size: int
    path: Path  # where the bytes are, until they go into the archive


@dataclass
class LayerBlob(Blob):
    diff_id: str = ""  # digest of the uncompressed tar
    tar_size: int = 0
    content_size: int = 0  # bytes of file content (what the layer unpacks to, roughly)


def write_layer(layer: Layer, epoch: int, work: Path, index: int) -> LayerBlob:
    """Writes one gzip-compressed layer tar into work/, hashing both forms on the way."""
    path = work / f"layer-{index}.tar.gz"
    content_size = 0
    with open(path, "wb") as raw:
        compressed = _HashingWriter(raw)
        # filename="" and mtime=0: nothing about this run ends up in the gzip header.
        with gzip.GzipFile(filename="", mode="wb", fileobj=compressed, mtime=0,
                           compresslevel=GZIP_LEVEL) as gz:
            uncompressed = _HashingWriter(gz)
            with tarfile.open(fileobj=uncompressed, mode="w|", format=TAR_FORMAT,
                              encoding="utf-8") as tar:
                for entry in layer.entries:
                    info = _tar_info(entry.path.as_posix(), entry.kind, entry.mode, entry.uid,
                                     entry.gid, epoch)
                    if entry.kind == "symlink":
                        info.linkname = entry.target
                        tar.addfile(info)
                    elif entry.kind == "dir":
                        tar.addfile(info)
                    elif entry.content is not None:
                        info.size = len(entry.content)
                        tar.addfile(info, io.BytesIO(entry.content))
                        content_size += info.size
                    else:
                        assert entry.source is not None
                        with open(entry.source, "rb") as src:
                            info.size = os.fstat(src.fileno()).st_size
                            tar.addfile(info, src)
                        content_size += info.size
    return LayerBlob(digest=compressed.digest(), size=compressed.size, path=path,
                     diff_id=uncompressed.digest(), tar_size=uncompressed.size,
                     content_size=content_size)


def write_json_blob(value: Any, work: Path, name: str) -> tuple[Blob, bytes]:
    data = canonical_json(value)
    path = work / name
    path.write_bytes(data)
    return Blob(digest="sha256:" + hashlib.sha256(data).hexdigest(), size=len(data),
                path=path), data


def image_config(image: dict[str, Any], layers: list[Layer], blobs: list[LayerBlob],
                 epoch: int) -> dict[str, Any]:
    created = rfc3339(epoch)
    return {
        "architecture": image["architecture"],
        "os": image["os"],
        "created": created,
        "config": image["config"],
        "rootfs": {"type": "layers", "diff_ids": [b.diff_id for b in blobs]},
        "history": [{"created": created, "created_by": "oci_image.py",
                     **({"comment": layer.comment} if layer.comment else {})}
                    for layer in layers],
    }


def _descriptor(media_type: str, blob: Blob, **extra: Any) -> dict[str, Any]:
    return {"mediaType": media_type, "digest": blob.digest, "size": blob.size, **extra}


def _blob_name(blob: Blob) -> str:
    return "blobs/sha256/" + blob.digest.split(":", 1)[1]


def write_archive(out_path: Path, files: list[tuple[str, Path | bytes]], epoch: int) -> None:
    """The outer tar: sorted members, fixed owner and mtime, written atomically."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out_path.name}.", dir=out_path.parent)
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w", format=TAR_FORMAT,
                                                      encoding="utf-8") as tar:
            directories = sorted({str(parent) for name, _ in files
                                  for parent in PurePosixPath(name).parents} - {"."})
            members: list[tuple[str, Path | bytes | None]] = [(d, None) for d in directories]
            members += files
            for name, data in sorted(members, key=lambda m: PurePosixPath(m[0]).parts):
                if data is None:
                    tar.addfile(_tar_info(name, "dir", 0o755, 0, 0, epoch))
                elif isinstance(data, bytes):
                    info = _tar_info(name, "file", 0o644, 0, 0, epoch)
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
                else:
                    info = _tar_info(name, "file", 0o644, 0, 0, epoch)
                    info.size = data.stat().st_size
                    with open(data, "rb") as src:
                        tar.addfile(info, src)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, out_path)
    except BaseException:
        os.unlink(tmp_name)
        raise


def write_image(spec: dict[str, Any], out_path: str | os.PathLike[str], *,
                base: str | os.PathLike[str] = ".", epoch: int | None = None) -> dict[str, Any]:
    """Writes the image archive; returns a summary (digests and sizes)."""
    layers, image = parse_spec(spec, Path(base))
    if epoch is None:
        epoch = source_date_epoch()
    out = Path(out_path)
    with tempfile.TemporaryDirectory(prefix="oci-image-") as tmp:
        work = Path(tmp)
        layer_blobs = [write_layer(layer, epoch, work, i) for i, layer in enumerate(layers)]
        config_blob, _ = write_json_blob(image_config(image, layers, layer_blobs, epoch), work,
                                         "config.json")
        manifest = {
            "schemaVersion": 2,
            "mediaType": MEDIA_MANIFEST,
            "config": _descriptor(MEDIA_CONFIG, config_blob),
            "layers": [_descriptor(MEDIA_LAYER_GZIP, b) for b in layer_blobs],
        }
        manifest_blob, _ = write_json_blob(manifest, work, "manifest.json")

        index_entries = []
        for ref in image["references"]:
            full, tag = normalize_reference(ref)
            index_entries.append(_descriptor(MEDIA_MANIFEST, manifest_blob, annotations={
                ANNOTATION_CONTAINERD_NAME: full, ANNOTATION_REF_NAME: tag}))
        index = {"schemaVersion": 2, "mediaType": MEDIA_INDEX, "manifests": index_entries}
        # docker-archive's manifest.json: Docker's own view of the same blobs.
        docker_manifest = [{"Config": _blob_name(config_blob), "RepoTags": image["references"],
                            "Layers": [_blob_name(b) for b in layer_blobs]}]

        files: list[tuple[str, Path | bytes]] = [
            (_blob_name(b), b.path) for b in [*layer_blobs, config_blob, manifest_blob]]
        files += [("oci-layout", canonical_json({"imageLayoutVersion": "1.0.0"})),
                  ("index.json", canonical_json(index)),
                  ("manifest.json", canonical_json(docker_manifest))]
        write_archive(out, sorted(dict(files).items()), epoch)

    return {
        "digest": manifest_blob.digest,
        "references": image["references"],
        "config_digest": config_blob.digest,
        "archive_size": out.stat().st_size,
        "layers": [{"digest": b.digest, "size": b.size, "diff_id": b.diff_id,
                    "tar_size": b.tar_size, "content_size": b.content_size,
                    "comment": layer.comment} for b, layer in zip(layer_blobs, layers)],
        "created": rfc3339(epoch),
    }


def write_index(archives: list[str | os.PathLike[str]], out_path: str | os.PathLike[str],
                references: list[str], *, epoch: int | None = None) -> dict[str, Any]:
    """Writes one OCI archive holding the images of several archives write_image wrote (one
    per platform) under one image index, the form registries serve a multi-arch tag in: a
    runtime pulling the tag picks the manifest whose platform matches its machine. Blobs are
    copied unchanged, so each manifest keeps the digest of its own archive. OCI layout only
    (no docker-archive manifest.json: that form has no index); returns a summary."""
    if epoch is None:
        epoch = source_date_epoch()
    for ref in references:
        normalize_reference(ref)
    out = Path(out_path)
    with tempfile.TemporaryDirectory(prefix="oci-index-") as tmp:
        files: dict[str, Path | bytes] = {}
        platforms: dict[tuple[str, str], dict[str, Any]] = {}
        for archive in archives:
            with tarfile.open(archive) as tar:
                def read(name: str) -> bytes:
                    member = tar.extractfile(name)
                    if member is None:
                        raise SpecError(f"{archive}: no {name}")
                    return member.read()
                descriptors = json.loads(read("index.json"))["manifests"]
                if not descriptors or descriptors[0]["mediaType"] != MEDIA_MANIFEST:
                    raise SpecError(f"{archive}: index.json names no image manifest")
                digest = descriptors[0]["digest"]
                manifest = json.loads(read("blobs/sha256/" + digest.split(":", 1)[1]))
                config_digest = manifest["config"]["digest"]
                config = json.loads(read("blobs/sha256/" + config_digest.split(":", 1)[1]))
                platform_key = (config["os"], config["architecture"])
                if platform_key in platforms:
                    raise SpecError(f"{archive}: a second image for {'/'.join(platform_key)}")
                platforms[platform_key] = {
                    "mediaType": MEDIA_MANIFEST, "digest": digest,
                    "size": descriptors[0]["size"],
                    "platform": {"architecture": config["architecture"], "os": config["os"]}}
                for member in tar.getmembers():
                    if member.isfile() and member.name.startswith("blobs/sha256/"):
                        path = Path(tmp) / member.name
                        path.parent.mkdir(parents=True, exist_ok=True)
                        path.write_bytes(read(member.name))
                        files[member.name] = path
        index = {"schemaVersion": 2, "mediaType": MEDIA_INDEX,
                 "manifests": [platforms[k] for k in sorted(platforms)]}
        index_blob, index_bytes = write_json_blob(index, Path(tmp), "image-index.json")
        files[_blob_name(index_blob)] = index_bytes
        entries = []
        for ref in references:
            full, tag = normalize_reference(ref)
            entries.append(_descriptor(MEDIA_INDEX, index_blob, annotations={
                ANNOTATION_CONTAINERD_NAME: full, ANNOTATION_REF_NAME: tag}))
        files["oci-layout"] = canonical_json({"imageLayoutVersion": "1.0.0"})
        files["index.json"] = canonical_json({"schemaVersion": 2, "mediaType": MEDIA_INDEX,
                                              "manifests": entries})
        write_archive(out, sorted(files.items()), epoch)
    return {"digest": index_blob.digest, "references": references,
            "manifests": index["manifests"], "archive_size": out.stat().st_size}


def index_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="oci_image.py --index",
                                     description=write_index.__doc__.split(":")[0])
    parser.add_argument("out", help="archive to write")
    parser.add_argument("archives", nargs="+", help="single-platform archives (write_image)")
    parser.add_argument("--reference", action="append", required=True, help="name:tag")
    args = parser.parse_args(argv)
    try:
        summary = write_index(args.archives, args.out, args.reference)
    except (SpecError, OSError, KeyError, json.JSONDecodeError, tarfile.TarError) as e:
        print(f"oci_image.py --index: {e}", file=sys.stderr)
        return 1
    print(summary["digest"])
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--index"]:
        return index_main(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("spec", help="image spec (JSON)")
    parser.add_argument("out", help="archive to write")
    parser.add_argument("--summary", help="also write digests and sizes here (JSON)")
    args = parser.parse_args(argv)
    spec_path = Path(args.spec)
    try:
        spec = json.loads(spec_path.read_text())
        summary = write_image(spec, args.out, base=spec_path.parent)
    except (SpecError, OSError, json.JSONDecodeError) as e:
        print(f"oci_image.py: {e}", file=sys.stderr)
        return 1
    if args.summary:
        Path(args.summary).write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    print(summary["digest"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
