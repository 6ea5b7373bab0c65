"""Where runtime versions come from.  Each fact names its source and, where there is one,
the file and line.

1. declared: ``--runtime-version containerd=1.7.2`` and ``[tool.nodelint.versions]``;
2. pins in image-build repos: Packer variable files (JSON, ``*.pkrvars.hcl``,
   ``variables.pkr.hcl``) and Ansible vars (``group_vars``, role ``defaults``/``vars``);
3. under ``--root``, without running anything: Debian's ``var/lib/dpkg/status``, the rpm
   database (``rpmdb.sqlite``), and Go build info in the binaries at their usual paths;
4. with ``--live`` on a running node (``--root /``): ``<binary> --version``.
"""
from __future__ import annotations

import os
import re
import struct
from ..values.record import record

from . import buildinfo
from ..values.edits import KeyPath
from .versions import COMPONENTS, Release, parse

# Pin keys, in the order one is preferred when a file has several for a component.
PIN_KEYS = {
    "containerd": ("containerd_version",),
    "runc": ("runc_version",),
    "runsc": ("runsc_version", "gvisor_version", "containerd_gvisor_version"),
    "docker": ("docker_version", "docker_ce_version"),
    "kubelet": ("kubernetes_semver", "kubelet_version", "kubernetes_version", "kube_version",
                "kubernetes_deb_version", "kubernetes_rpm_version"),
}
PACKAGES = {
    "containerd": ("containerd", "containerd.io"),
    "runc": ("runc",),
    "runsc": ("runsc",),
    "docker": ("docker-ce", "docker.io", "moby-engine", "docker"),
    "kubelet": ("kubelet", "kubernetes-kubelet"),
}
BINARIES = {
    "containerd": ("usr/bin/containerd", "usr/local/bin/containerd", "usr/bin/containerd-shim-runc-v2",
                   "usr/local/bin/containerd-shim-runc-v2"),
    "runc": ("usr/sbin/runc", "usr/bin/runc", "usr/local/sbin/runc", "usr/local/bin/runc"),
    "runsc": ("usr/local/bin/runsc", "usr/bin/runsc"),
    "docker": ("usr/bin/dockerd", "usr/local/bin/dockerd"),
    "kubelet": ("usr/bin/kubelet", "usr/local/bin/kubelet"),
}
# What a binary's build info says about its own version: -X variables, then main modules.
LINK_VARIABLES = {
    "containerd": ("github.com/containerd/containerd/v2/version.Version",
                   "github.com/containerd/containerd/version.Version"),
    "runc": ("main.version",),
    "runsc": ("gvisor.dev/gvisor/runsc/version.version",),
    "docker": ("github.com/moby/moby/v2/dockerversion.Version", "github.com/docker/docker/dockerversion.Version"),
    "kubelet": ("k8s.io/component-base/version.gitVersion", "k8s.io/client-go/pkg/version.gitVersion"),
}
MAIN_MODULES = {
    "containerd": ("github.com/containerd/containerd", "github.com/containerd/containerd/v2"),
    "runc": ("github.com/opencontainers/runc",),
    "runsc": ("gvisor.dev/gvisor",),
    "docker": ("github.com/docker/docker", "github.com/moby/moby", "github.com/moby/moby/v2"),
    "kubelet": ("k8s.io/kubernetes",),
}
_PSEUDO = re.compile(r"-(?:0\.)?\d{14}-[0-9a-f]{12}")
_LIVE = {
    "containerd": re.compile(r"containerd\s+\S+\s+v?(\S+)"),
    "runc": re.compile(r"runc version\s+(\S+)"),
    "runsc": re.compile(r"runsc version\s+(\S+)"),
    "docker": re.compile(r"Docker version\s+([^,\s]+)"),
    "kubelet": re.compile(r"Kubernetes\s+v?(\S+)"),
}


@record
class VersionFact:
    component: str
    release: Release
    source: str  # declared | pin | dpkg | rpm | buildinfo | live
    detail: str  # e.g. "containerd_version", "package containerd.io", "Go build info"
    path: str  # where it was found, as reported
    line: int = 1
    column: int = 1
    doc: object = None  # the pin's Document, when it can be edited
    key: KeyPath | None = None
    scope: str | None = None  # the tree or root it belongs to; None: everywhere


def pins(doc) -> list[VersionFact]:
    """Version pins in a Packer or Ansible variables document."""
    data = doc.data
    if doc.syntax == "yaml":
        mappings = [((i,), d) for i, d in enumerate(data or []) if isinstance(d, dict)]
    else:
        mappings = [((), data)] if isinstance(data, dict) else []
    out = []
    for prefix, mapping in mappings:
        lowered = {str(k).lower(): k for k in mapping}
        for component, keys in PIN_KEYS.items():
            for key in keys:
                if key not in lowered:
                    continue
                real_key = lowered[key]
                raw = mapping[real_key]
                if doc.syntax == "yaml":  # the scalar as written: 19.03 stays 19.03, not a float
                    _, node = doc.parsed.node(prefix + (real_key,))
                    raw = node.value if node is not None and node.id == "scalar" else raw
                release = parse(raw, component)
                if release is None:
                    continue
                pos = doc.value_position(prefix + (real_key,))
                out.append(VersionFact(component, release, "pin", str(real_key), doc.path, pos.line, pos.column,
                                       doc, prefix + (real_key,)))
                break
    return out


def _regular_file(fs, node_path: str) -> str | None:
    """Where a node path's file really is (inside the root), or None when there is no file."""
    try:
        real = fs.resolve(node_path)
    except OSError:
        return None
    return real if os.path.isfile(real) else None


# dpkg's status file is read line by line, at most this much of it (a real one is a few MiB)
DPKG_LIMIT = 256 << 20
_LINE_LIMIT = 64 << 10


def _lines(f, limit: int):
    """The lines of a binary file object, decoded, each cut at _LINE_LIMIT bytes, until ``limit``
    bytes have been read: memory stays flat whatever the file's size."""
    read = 0
    while read < limit:
        line = f.readline(_LINE_LIMIT)
        if not line:
            return
        read += len(line)
        if not line.endswith(b"\n"):  # a line too long: the rest of it is skipped
            while True:
                rest = f.readline(_LINE_LIMIT)
                read += len(rest)
                if not rest or rest.endswith(b"\n") or read >= limit:
                    break
        yield line.decode("utf-8", "replace").rstrip("\r\n")


def dpkg(fs, shown: str) -> list[VersionFact]:
    from ..read.files import open_regular

    wanted = {p: c for c, names in PACKAGES.items() for p in names}
    out, stanza = [], {}
    try:
        f = open_regular(fs.resolve("var/lib/dpkg/status"))
    except OSError:
        return []
    with f:
        for number, line in enumerate(_chain(_lines(f, DPKG_LIMIT), [""]), start=1):
            if not line.strip():
                pkg = stanza.get("Package", ("", 0))[0]
                status = stanza.get("Status", ("", 0))[0].split()
                if pkg in wanted and status[-1:] == ["installed"] and "Version" in stanza:
                    version, vline = stanza["Version"]
                    release = parse(version, wanted[pkg])
                    if release is not None:
                        release = Release(release.raw, release.version, "Debian", wanted[pkg])
                        out.append(VersionFact(wanted[pkg], release, "dpkg", f"package {pkg}", shown, vline,
                                               len("Version: ") + 1, scope="root"))
                stanza = {}
                continue
            if line[:1] in (" ", "\t") or ":" not in line:
                continue
            name, _, value = line.partition(":")
            if name in ("Package", "Status", "Version"):
                stanza[name] = (value.strip(), number)
    return out


def _chain(*iterables):
    for iterable in iterables:
        yield from iterable


def rpmdb(fs, shown_of) -> list[VersionFact]:
    """Packages in an rpm sqlite database (rpm >= 4.16), read with sqlite3; BDB/ndb are not read."""
    import sqlite3

    from ..read.files import open_regular

    wanted = {p: c for c, names in PACKAGES.items() for p in names}
    for node_path in ("usr/lib/sysimage/rpm/rpmdb.sqlite", "var/lib/rpm/rpmdb.sqlite"):
        real = _regular_file(fs, node_path)
        if real is None:
            continue
        out = []
        try:
            with open_regular(real) as f:  # never a FIFO; sqlite reads the file through this descriptor
                at = f"/proc/self/fd/{f.fileno()}" if os.path.exists(f"/proc/self/fd/{f.fileno()}") else real
                con = sqlite3.connect(f"file:{at}?immutable=1", uri=True)
                try:
                    for (blob,) in con.execute("SELECT blob FROM Packages"):  # row by row: flat memory
                        fact = _rpm_fact(blob, wanted, shown_of(node_path))
                        if fact is not None:
                            out.append(fact)
                finally:
                    con.close()
        except (sqlite3.Error, OSError, struct.error, ValueError):
            return []
        return out
    return []


def _rpm_fact(blob: bytes, wanted: dict, shown: str) -> VersionFact | None:
    tags = _rpm_header(blob)
    name = tags.get(1000)
    if name not in wanted:
        return None
    epoch = f"{tags[1003]}:" if tags.get(1003) else ""
    raw = f"{epoch}{tags.get(1001, '')}-{tags.get(1002, '')}"
    release = parse(raw, wanted[name])
    if release is None:
        return None
    return VersionFact(wanted[name], Release(raw, release.version, "RPM", wanted[name]), "rpm", f"package {name}",
                       shown, scope="root")


def _rpm_header(blob: bytes) -> dict:
    il, dl = struct.unpack(">II", blob[:8])
    data = blob[8 + 16 * il:]
    tags = {}
    for i in range(il):
        tag, typ, off, _cnt = struct.unpack(">IIII", blob[8 + 16 * i:24 + 16 * i])
        if typ in (6, 8, 9):
            tags[tag] = data[off:data.index(b"\0", off)].decode("utf-8", "replace")
        elif typ == 4:
            tags[tag] = struct.unpack(">I", data[off:off + 4])[0]
    return tags


def binaries(fs, shown_of) -> list[VersionFact]:
    out = []
    for component, paths in BINARIES.items():
        for node_path in paths:
            real = _regular_file(fs, node_path)
            if real is None:
                continue
            info = buildinfo.read(real)
            if info is None:
                continue
            version, detail = None, ""
            for variable in LINK_VARIABLES[component]:
                value = info.x_value(variable)
                if value:
                    version, detail = value, f"-X {variable}"
                    break
            main = info.main_module()
            if version is None and main and main[0] in MAIN_MODULES[component] and main[1] != "(devel)" \
                    and not _PSEUDO.search(main[1]):
                version, detail = main[1], f"module {main[0]}"
            release = parse(version, component) if version else None
            if release is not None:
                out.append(VersionFact(component, release, "buildinfo", f"Go build info ({detail})",
                                       shown_of(node_path), scope="root"))
                break  # the first binary found for a component speaks for it
    return out


def live(fs, shown_of) -> list[VersionFact]:
    """``<binary> --version`` on the running node (only with --live on the root /)."""
    import subprocess  # here, not at the top: only --live runs programs (~4 ms of start-up)

    out = []
    for component, paths in BINARIES.items():
        for node_path in paths:
            path = "/" + node_path
            if "shim" in node_path or not os.access(path, os.X_OK):
                continue
            try:
                p = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
            except (OSError, subprocess.SubprocessError):
                continue
            m = _LIVE[component].search(p.stdout + p.stderr)
            release = parse(m.group(1), component) if m else None
            if release is not None:
                out.append(VersionFact(component, release, "live", f"{path} --version", shown_of(node_path),
                                       scope="root"))
                break
    return out


def declared_facts(declared: dict[str, str], where: str) -> list[VersionFact]:
    out = []
    for component, raw in declared.items():
        release = parse(raw, component)
        if release is not None and component in COMPONENTS:
            out.append(VersionFact(component, release, "declared", "declared version", where))
    return out
