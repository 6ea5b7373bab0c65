"""What the live audit's rules (NL501-NL508) share: the running node's snapshot, read once per
node (read/live.py), where its evidence is shown, and the pods' processes as the shims group them.
"""
from __future__ import annotations

from ..models import cgroups as G
from ..read.data import load as load_data
from ..read.live import shown, snapshot

__all__ = ["at_cgroup", "data", "describe", "inotify_pressure", "pod_processes", "runsc_processes", "shown",
           "size", "snapshot"]
from ..values.findings import Finding


def data() -> dict:
    return load_data("live.toml")


def at_cgroup(code: str, severity: str, node, process, message: str) -> Finding:
    """A finding on the line of ``/proc/PID/cgroup`` that places the process."""
    return Finding(code, severity, shown(node, f"proc/{process.pid}/cgroup"), process.cgroup_line, 1, message)


def describe(process) -> str:
    pod = G.pod_of(process.cgroup)
    where = f", container {pod.container_id[:12]}" if pod and pod.container_id else ""
    name = process.argv0 if process.name in ("", "exe") else process.name  # runsc re-executes itself: "exe"
    return f"{name} (pid {process.pid}{where})"


def pod_processes(snap) -> list[tuple[object, G.PodCgroup, list]]:
    """Per runtime shim that serves a Kubernetes pod: (shim, the pod its containers run in, every
    process below it).  A shim none of whose processes is in a pod's cgroup (a ``docker run`` or
    ``nerdctl`` container) serves no pod and is left out."""
    shims = set(data()["processes"]["shims"])
    children = snap.children()
    out = []
    for shim in snap.processes:
        if shim.name not in shims:
            continue
        below, todo = [], list(children.get(shim.pid, ()))
        while todo:
            p = todo.pop()
            if p.name in shims:
                continue  # a nested shim serves its own pod
            below.append(p)
            todo += children.get(p.pid, ())
        pods = [pod for pod in (G.pod_of(p.cgroup) for p in below) if pod is not None]
        if not pods:
            continue
        counts: dict[str, int] = {}
        for pod in pods:
            counts[pod.pod_uid] = counts.get(pod.pod_uid, 0) + 1
        uid = max(counts, key=counts.get)
        out.append((shim, next(p for p in pods if p.pod_uid == uid), below))
    return out


def runsc_processes(snap) -> list:
    names = set(data()["processes"]["runsc"])
    return [p for p in snap.processes if p.argv0 in names]


def size(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.4g} {unit}"
    return f"{n} B"


def inotify_pressure(code: str, node, snap, limit_name: str, attribute: str, what: str):
    """Findings for users holding 80% (warning) or 95% (error) of an inotify limit."""
    limit = snap.inotify_limits.get(limit_name)
    if not limit or limit <= 0:
        return
    thresholds = data()["inotify"]
    by_uid: dict[int, list] = {}
    for process in snap.processes:
        if getattr(process, attribute):
            by_uid.setdefault(process.uid, []).append(process)
    for uid, holders in sorted(by_uid.items()):
        used = sum(getattr(p, attribute) for p in holders)
        share = used / limit
        if share < thresholds["warning_at"]:
            continue
        severity = "error" if share >= thresholds["error_at"] else "warning"
        holders.sort(key=lambda p: (-getattr(p, attribute), p.pid))
        top = ", ".join(f"{describe(p)} {getattr(p, attribute)}" for p in holders[:thresholds["top_holders"]])
        yield Finding(code, severity, shown(node, f"proc/sys/fs/inotify/{limit_name}"), 1, 1,
                      f"uid {uid} holds {used} of {limit} {what} ({share:.0%}): {top}")
