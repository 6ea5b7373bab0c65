"""Which cgroup version a node boots with, from the kernel command line an image configures or,
with ``--live``, from the running host.

systemd picks the hierarchy at boot: the unified one (cgroup v2) unless the kernel command line
says ``systemd.unified_cgroup_hierarchy=0`` (or ``false``, ``no``, ``off``), which gives the
hybrid layout, cgroup v1 for the controllers (``systemd.legacy_systemd_cgroup_controller`` then
makes it pure v1).  The last occurrence of a parameter on a command line wins.  Sources are cited
in NL113's and NL114's docs.
"""
from __future__ import annotations

import posixpath

from ..values.record import record

SWITCH = "systemd.unified_cgroup_hierarchy"
_OFF = {"0", "false", "no", "off", "n", "f"}  # systemd's parse_boolean


@record
class V1Evidence:
    """Why a node runs cgroup v1: a kernel parameter in a file, or the running host."""

    doc: object | None  # the file that sets the parameter (None: live)
    key: tuple  # (parameter name,) in that file
    path: str  # where it is shown
    line: int
    column: int
    what: str  # for messages


def configured_v1(node) -> list[V1Evidence]:
    """Each command line of the node that boots cgroup v1 (hybrid), at its parameter: GRUB's
    files together (``/etc/default/grub``, then ``grub.d/*.cfg`` by name, as grub-mkconfig sources
    them), each BLS entry and ``/etc/kernel/cmdline`` on its own."""
    from ..read.formats.cmdline import effective

    docs = [d for d in node.of_kind("kernel-cmdline") if d.parsed is not None and not d.templated]
    grub = sorted((d for d in docs if d.parsed.shape == "grub"),
                  key=lambda d: (posixpath.basename(posixpath.dirname(d.node_path or d.path)) == "grub.d", d.path))
    groups = ([grub] if grub else []) + [[d] for d in docs if d.parsed.shape != "grub"]
    out = []
    for group in groups:
        owner = {id(p): d for d in group for a in d.parsed.assignments for p in a.params}
        found = [p for p in effective([d.parsed for d in group]) if p.name == SWITCH]
        last = found[-1] if found else None
        if last is not None and (last.value or "").strip().lower() in _OFF:
            doc = owner[id(last)]
            pos = doc.parsed.lines.position(last.start)
            out.append(V1Evidence(doc, (SWITCH,), doc.path, pos.line, pos.column,
                                  f"{SWITCH}={last.value} ({last.source})"))
    return out


def live_v1(node, settings) -> list[V1Evidence]:
    """The running host, with --live, when it runs cgroup v1 (or hybrid)."""
    from ..read.live import shown, snapshot

    snap = snapshot(node, settings)
    if snap is None or snap.cgroup_version != 1:
        return []
    return [V1Evidence(None, (), shown(node, "sys/fs/cgroup"), 1, 1, f"the running node ({snap.cgroup_evidence})")]


def kubelet_fails_on_v1(node) -> list[tuple[object, object, tuple | None]]:
    """(kubelet, its failCgroupV1 setting or None, its version) for each kubelet of the node."""
    from ..models.kubelet import kubelets

    from .versions import known_minor

    version = known_minor(node, "kubelet")
    return [(k, k.winner("failCgroupV1", "fail-cgroupv1"), version) for k in kubelets(node)] or [(None, None, version)]


def refuses(setting, version: tuple | None) -> bool | None:
    """Whether kubelet refuses to start on cgroup v1: failCgroupV1 (added in 1.31) if set, else its
    default, true from 1.35; None when neither the setting nor the version is known."""
    if setting is not None:
        value = setting.value
        if isinstance(value, str):
            value = {"true": True, "false": False}.get(value.strip().lower())
        if isinstance(value, bool):
            return value and (version is None or version >= (1, 31))
    if version is None:
        return None
    return version >= (1, 35)
