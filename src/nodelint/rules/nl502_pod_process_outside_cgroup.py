"""NL502: a pod's process runs outside its pod's cgroup.

## What it does
With ``--live``, finds the processes of each Kubernetes pod (everything below the pod's runtime
shim: ``containerd-shim-*`` or CRI-O's ``conmon``; a shim none of whose processes is in a pod's
cgroup serves a plain ``docker run`` or ``nerdctl`` container and is left alone) and reports
each one whose cgroup (``/proc/PID/cgroup``: the memory hierarchy's on cgroup v1, the unified
one on v2) is outside kubelet's pod hierarchy, or inside another pod's.

Pod cgroups as kubelet names them: ``/kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid>.slice/``
(systemd driver; guaranteed pods directly below ``kubepods.slice``; the uid's dashes written as
underscores) or ``/kubepods/<qos>/pod<uid>/`` (cgroupfs driver), the container a scope
(``cri-containerd-<id>.scope``, ``crio-<id>.scope``, ``docker-<id>.scope``) or a directory
named by its id (``crio-<id>`` for CRI-O).

## Why it matters
A pod's memory and CPU limits are the limits of its cgroup.  A process that left it is limited
by nothing the pod declares: it is how a systemd-based container on a node whose runtime used
the cgroupfs driver escaped its memory limit (its systemd moved processes into cgroups of its
own) and took the node down.

## Example
```console
$ nodelint --live
/proc/4242/cgroup:1:1: NL502 error nginx (pid 4242) of pod 1f0c3a9e-5a55-4b0e-9d55-1c7d1c1e6f00 runs in cgroup /system.slice/nginx.service, outside the pod hierarchy: no limit of the pod applies to it
```

## Fix
No automatic fix on a running node.  Find why the process left (a systemd inside the container,
NL503; the cgroupfs driver under systemd, NL501), fix that, and restart the pod.

## References
- kubelet's pod cgroup names (systemd escaping, QoS classes): https://github.com/kubernetes/kubernetes/blob/afd5df58bd7dcb7b8c3f00e2065936bd0c508b77/pkg/kubelet/cm/cgroup_manager_linux.go
- kubelet's ``pod`` prefix: https://github.com/kubernetes/kubernetes/blob/92bea270ca0436a5949680dbf5d12906a9ac896e/pkg/kubelet/cm/pod_container_manager_linux.go
- containerd's ``slice:cri-containerd:id`` (systemd) or ``parent/id`` (cgroupfs): https://github.com/containerd/containerd/blob/v2.3.4/internal/cri/server/helpers.go#L447-L455
- runc's systemd code makes ``prefix-id.scope`` of ``slice:prefix:id``: https://github.com/opencontainers/cgroups/blob/56a8014676392222bea6af974bb07096aa1c3c5e/systemd/common.go
- CRI-O's ``crio-`` and ``crio-conmon-`` cgroups, both drivers: https://github.com/cri-o/cri-o/blob/v1.36.3/internal/config/cgmgr/systemd_linux.go#L80-L161 and https://github.com/cri-o/cri-o/blob/v1.36.3/internal/config/cgmgr/cgroupfs_linux.go#L52-L58
- Docker's ``docker`` scope prefix: https://github.com/moby/moby/blob/4460acf0876fa7d3b7cd200bbc4287292dc4f10e/daemon/oci_linux.go
- Kubernetes, cgroup drivers: https://kubernetes.io/docs/setup/production-environment/container-runtimes/#cgroup-drivers
- cgroup v2 (limits are hierarchical): https://docs.kernel.org/admin-guide/cgroup-v2.html
"""
from __future__ import annotations

from ..models import cgroups as G
from .live import at_cgroup, describe, pod_processes, snapshot

CODE = "NL502"
NAME = "pod-process-outside-cgroup"
SEVERITY = "error"
FIXABLE = False
SUMMARY = "A pod's process runs outside its pod's cgroup (--live)"
KINDS = ()
SCOPE = "node"


def check(node, settings):
    snap = snapshot(node, settings)
    if snap is None:
        return
    for _, pod, processes in pod_processes(snap):
        for process in processes:
            own = G.pod_of(process.cgroup)
            if own is not None and own.pod_uid == pod.pod_uid:
                continue
            where = ("in the cgroup of another pod, " + own.pod_uid) if own is not None else \
                "outside the pod hierarchy"
            yield at_cgroup(CODE, SEVERITY, node, process,
                            f"{describe(process)} of pod {pod.pod_uid} runs in cgroup {process.cgroup or '?'}, "
                            f"{where}: no limit of its pod applies to it")
