"""How kubelet and the container runtimes name cgroups: a cgroup path read as pod and container.

kubelet puts every pod under one hierarchy (``--cgroup-root``, ``/`` by default), named by its
cgroup driver (pkg/kubelet/cm in Kubernetes):

- systemd driver: ``/kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid>.slice``, the
  uid's dashes written as underscores (systemd slice names use "-" for nesting); guaranteed pods
  sit directly below: ``/kubepods.slice/kubepods-pod<uid>.slice``.  Each container is a scope:
  ``cri-containerd-<id>.scope`` (containerd), ``crio-<id>.scope`` (CRI-O; its conmon in
  ``crio-conmon-<id>.scope``), ``docker-<id>.scope`` (cri-dockerd): a runtime passes
  ``slice:prefix:id`` and runc's systemd code makes ``prefix-id.scope`` of it.
- cgroupfs driver: ``/kubepods/<qos>/pod<uid>/<id>``, guaranteed ``/kubepods/pod<uid>/<id>``
  (CRI-O names its containers ``crio-<id>`` there too).

Sources: kubelet's pkg/kubelet/cm (cgroup_manager_linux.go, pod_container_manager_linux.go),
containerd's internal/cri/server/helpers.go (``getCgroupsPath``), CRI-O's
internal/config/cgmgr, moby's daemon/oci_linux.go; cited in the NL5xx rules' docs.

A runtime given a systemd-style ``cgroupsPath`` (``slice:prefix:name``) that it does not read as
systemd's makes a directory of that literal name instead (what an old runsc without
``systemd-cgroup`` did): such a path still names its pod, and says which driver was asked for.
"""
from __future__ import annotations

import re

from ..values.record import record

QOS_CLASSES = ("burstable", "besteffort")
# a pod uid: a UUID (API pods) or 32 hex digits (static pods: kubelet's md5 of the manifest)
_UID = r"[0-9a-fA-F]{8}[_-][0-9a-fA-F]{4}[_-][0-9a-fA-F]{4}[_-][0-9a-fA-F]{4}[_-][0-9a-fA-F]{12}|[0-9a-fA-F]{32}"
_SYSTEMD_POD = re.compile(rf"^kubepods(?:-(burstable|besteffort))?-pod({_UID})\.slice$")
_SYSTEMD_CONTAINER = re.compile(r"^(cri-containerd|crio|docker)-([0-9a-f]{64})\.scope$")
_CGROUPFS_POD = re.compile(rf"^pod({_UID})$")
_CGROUPFS_CONTAINER = re.compile(r"^(crio-)?([0-9a-f]{64})$")  # CRI-O prefixes its own, containerd does not
# kubepods-burstable-pod<uid>.slice:cri-containerd:<id>, taken literally as a directory name
_LITERAL_SYSTEMD_PATH = re.compile(rf"kubepods(?:-(burstable|besteffort))?-pod({_UID})\.slice:"
                                   r"([a-z-]+):([0-9a-f]{64})")
_RUNTIMES = {"cri-containerd": "containerd", "crio": "CRI-O", "docker": "Docker"}


@record(frozen=True)
class PodCgroup:
    """What a cgroup path says about the pod and container it belongs to."""

    pod_uid: str  # as the API shows it, with dashes
    qos: str  # guaranteed, burstable or besteffort
    driver: str  # "systemd" or "cgroupfs": the layout of the path
    pod_path: str  # the pod's own cgroup (a prefix of the path)
    container_id: str | None = None
    runtime: str | None = None  # containerd, CRI-O or Docker, when the scope name says
    literal: bool = False  # a systemd cgroupsPath made into one directory (a runtime that ignored it)


def components(path: str) -> list[str]:
    return [c for c in path.split("/") if c]


def in_kubepods(path: str) -> bool:
    """Whether a cgroup path is inside kubelet's pod hierarchy (either driver's layout)."""
    return any(c == "kubepods" or c == "kubepods.slice" for c in components(path))


def pod_of(path: str) -> PodCgroup | None:
    """The pod (and container) a cgroup path belongs to, or None outside any pod's cgroup."""
    parts = components(path)
    for i, part in enumerate(parts):
        m = _SYSTEMD_POD.match(part)
        if m and "kubepods.slice" in parts[:i]:
            container = _SYSTEMD_CONTAINER.match(parts[i + 1]) if i + 1 < len(parts) else None
            return PodCgroup(m.group(2).replace("_", "-"), m.group(1) or "guaranteed", "systemd",
                             "/" + "/".join(parts[:i + 1]),
                             container.group(2) if container else None,
                             _RUNTIMES.get(container.group(1)) if container else None)
        m = _CGROUPFS_POD.match(part)
        if m and "kubepods" in parts[:i]:
            qos = parts[i - 1] if parts[i - 1] in QOS_CLASSES else "guaranteed"
            container = _CGROUPFS_CONTAINER.match(parts[i + 1]) if i + 1 < len(parts) else None
            return PodCgroup(m.group(1), qos, "cgroupfs", "/" + "/".join(parts[:i + 1]),
                             container.group(2) if container else None,
                             ("CRI-O" if container.group(1) else None) if container else None)
        m = _LITERAL_SYSTEMD_PATH.search(part)
        if m:
            return PodCgroup(m.group(2).replace("_", "-"), m.group(1) or "guaranteed", "systemd",
                             "/" + "/".join(parts[:i + 1]), m.group(4), _RUNTIMES.get(m.group(3)), literal=True)
    return None


def layout(path: str) -> str | None:
    """The driver a cgroup path inside kubepods was made by: "systemd", "cgroupfs" or None."""
    parts = components(path)
    if "kubepods.slice" in parts:
        return "systemd"
    if "kubepods" in parts:
        return "cgroupfs"
    return None


def systemd_pod_paths(uid: str) -> list[str]:
    """Where a pod's cgroup is under the systemd driver, for each QoS class."""
    escaped = uid.replace("-", "_")
    return [f"/kubepods.slice/kubepods-pod{escaped}.slice"] + [
        f"/kubepods.slice/kubepods-{q}.slice/kubepods-{q}-pod{escaped}.slice" for q in QOS_CLASSES]


def cgroupfs_pod_paths(uid: str) -> list[str]:
    """Where a pod's cgroup is under the cgroupfs driver, for each QoS class."""
    return [f"/kubepods/pod{uid}"] + [f"/kubepods/{q}/pod{uid}" for q in QOS_CLASSES]
