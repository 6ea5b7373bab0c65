"""NL501: the cgroupfs driver is in use on a running node whose PID 1 is systemd.

## What it does
With ``--live``, reads the running node under the root: when PID 1 is systemd
(``/proc/1/comm``), reports each container runtime (containerd, CRI-O, Docker) and each kubelet
configured with the cgroupfs driver, at the line that chooses it, and each pod whose cgroups
the running node shows in cgroupfs's layout (``/kubepods/<qos>/pod<uid>``, not
``/kubepods.slice/...``), at its process's ``/proc/PID/cgroup`` line.

## Why it matters
systemd expects to be the only manager of the cgroup tree of a systemd host.  With the
cgroupfs driver, kubelet and the runtime manage cgroups behind its back: two views of the
node's resources, which the Kubernetes docs say makes nodes unstable under resource pressure.
It is the setting under which a systemd container inside a pod escaped its memory limit (NL502
shows such an escape).  The configuration rules (NL101, NL105, NL106) say this from the files;
this one says it with the running node as evidence.

## Example
```console
$ nodelint --live
/etc/containerd/config.toml:12:21: NL501 error containerd uses the cgroupfs cgroup driver while the running node's PID 1 is systemd (/proc/1/comm): two managers of one cgroup tree; use the systemd driver
/proc/4242/cgroup:1:1: NL501 error pod 1f0c3a9e-5a55-4b0e-9d55-1c7d1c1e6f00: its cgroup /kubepods/burstable/pod1f0c3a9e-.../3f2a... is in the cgroupfs layout while the running node's PID 1 is systemd (/proc/1/comm): kubelet and the runtime use the cgroupfs driver
```

## Fix
No automatic fix on a running node: set the systemd driver everywhere (containerd
``SystemdCgroup = true``, kubelet ``cgroupDriver: systemd``; ``nodelint --fix`` makes those
edits in the files), then drain and restart the node: pods keep the cgroups they were made in.

## References
- Kubernetes, cgroup drivers (cgroupfs is not recommended when systemd is the init system; two managers, unstable under pressure): https://kubernetes.io/docs/setup/production-environment/container-runtimes/#cgroup-drivers
- kubelet's cgroup names per driver: https://github.com/kubernetes/kubernetes/blob/afd5df58bd7dcb7b8c3f00e2065936bd0c508b77/pkg/kubelet/cm/cgroup_manager_linux.go
- proc(5), ``/proc/PID/comm`` and ``/proc/PID/cgroup``: https://man7.org/linux/man-pages/man5/proc.5.html
"""
from __future__ import annotations

from ..models import cgroups as G
from . import finding
from .live import at_cgroup, snapshot

CODE = "NL501"
NAME = "cgroupfs-under-systemd"
SEVERITY = "error"
FIXABLE = False
SUMMARY = "The cgroupfs driver in use while the running node's PID 1 is systemd (--live)"
KINDS = ()
SCOPE = "node"

_EVIDENCE = "while the running node's PID 1 is systemd (/proc/1/comm)"


def check(node, settings):
    snap = snapshot(node, settings)
    if snap is None or snap.pid1 != "systemd":
        return
    from ..models.kubelet import kubelets
    from ..models.runtime_drivers import runtime_drivers

    for name, driver, doc, key, qualifier in runtime_drivers(node):
        if driver == "cgroupfs":
            yield finding(CODE, SEVERITY, doc, key, f"{name} uses the cgroupfs cgroup driver{qualifier} {_EVIDENCE}: "
                          "two managers of one cgroup tree; use the systemd driver", at_value=bool(key))
    for kubelet in kubelets(node):
        winner = kubelet.winner("cgroupDriver", "cgroup-driver")
        if winner is not None and winner.value == "cgroupfs":
            yield finding(CODE, SEVERITY, winner.doc, winner.key, f"kubelet uses the cgroupfs cgroup driver {_EVIDENCE}: "
                          "two managers of one cgroup tree; use the systemd driver", at_value=True)
    seen = set()
    for process in snap.processes:
        pod = G.pod_of(process.cgroup)
        if pod is None or pod.driver != "cgroupfs" or pod.pod_uid in seen:
            continue
        seen.add(pod.pod_uid)
        yield at_cgroup(CODE, SEVERITY, node, process,
                        f"pod {pod.pod_uid}: its cgroup {process.cgroup} is in the cgroupfs layout {_EVIDENCE}: "
                        "kubelet and the runtime use the cgroupfs driver")
