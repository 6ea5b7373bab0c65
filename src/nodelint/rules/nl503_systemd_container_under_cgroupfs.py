"""NL503: a pod's container runs systemd as its init on a node whose pods use the cgroupfs driver.

## What it does
With ``--live``, reports each container of a Kubernetes pod whose first process (PID 1 in its
own PID namespace: the last field of ``NSpid`` in ``/proc/PID/status``) is ``systemd``, when the
runtime manages pods with the cgroupfs driver: the pod's cgroup is in cgroupfs's layout
(``/kubepods/...``), or the node's configuration chooses cgroupfs for the runtime.

## Why it matters
A systemd in a container manages cgroups itself.  Under the systemd driver the runtime
delegates the container's cgroup to it; under cgroupfs nothing does, and the container's
systemd can move its services out of the pod's cgroup: the escape NL502 reports, and the
incident behind nodelint (a systemd container that escaped its memory limit).

## Example
```console
$ nodelint --live
/proc/5100/cgroup:1:1: NL503 warning systemd (pid 5100, container 3f2a9c0d1e2b) is the init of a container of pod 1f0c3a9e-5a55-4b0e-9d55-1c7d1c1e6f00, whose cgroups use the cgroupfs driver: it can move its services out of the pod's cgroup
```

## Fix
No automatic fix on a running node: use the systemd cgroup driver for the runtime and kubelet
(NL101, NL105; ``nodelint --fix`` edits the files), then restart the node's pods.

## References
- proc(5), ``NSpid`` in ``/proc/PID/status``: https://man7.org/linux/man-pages/man5/proc.5.html
- systemd in containers, cgroup delegation: https://systemd.io/CONTAINER_INTERFACE/ and https://systemd.io/CGROUP_DELEGATION/
- Kubernetes, cgroup drivers: https://kubernetes.io/docs/setup/production-environment/container-runtimes/#cgroup-drivers
"""
from __future__ import annotations

from .live import at_cgroup, describe, pod_processes, snapshot

CODE = "NL503"
NAME = "systemd-container-under-cgroupfs"
SEVERITY = "warning"
FIXABLE = False
SUMMARY = "A pod's container runs systemd as init while pods use the cgroupfs driver (--live)"
KINDS = ()
SCOPE = "node"


def check(node, settings):
    snap = snapshot(node, settings)
    if snap is None:
        return
    configured = None
    for _, pod, processes in pod_processes(snap):
        if pod.driver == "cgroupfs":
            why = "whose cgroups use the cgroupfs driver"
        else:
            if configured is None:
                from ..models.runtime_drivers import runtime_drivers

                configured = [name for name, driver, *_ in runtime_drivers(node) if driver == "cgroupfs"]
            if not configured:
                continue
            why = f"on a node whose {configured[0]} is configured with the cgroupfs driver"
        for process in processes:
            if process.ns_pid == 1 and process.name == "systemd" and process.pid != process.ns_pid:
                yield at_cgroup(CODE, SEVERITY, node, process,
                                f"{describe(process)} is the init of a container of pod {pod.pod_uid}, {why}: "
                                "it can move its services out of the pod's cgroup")
