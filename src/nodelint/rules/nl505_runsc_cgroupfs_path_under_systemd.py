"""NL505: gVisor runs its sandbox in a cgroupfs-style cgroup on a systemd-managed node.

## What it does
With ``--live``, reports each gVisor sandbox or gofer process (``runsc-sandbox``,
``runsc-gofer``) whose cgroup is a systemd ``cgroupsPath`` taken literally as one directory
name (``/kubepods-burstable-pod<uid>.slice:cri-containerd:<id>``: what a runsc that does not speak
systemd's cgroups makes of the path containerd gives it under the systemd driver), or a path in
cgroupfs's layout (``/kubepods/...``) on a node whose other pods are under ``kubepods.slice``.
A node that runs every pod with the cgroupfs driver is NL501's finding, not this one.

## Why it matters
Such a cgroup is outside the pod's slice: the pod's limits do not apply to the sandbox (NL504
shows when the pod had a memory limit), and systemd does not know the cgroup exists.  It was
half of the gVisor incident: ``runsc`` without ``systemd-cgroup = "true"`` in its shim config.

## Example
```console
$ nodelint --live
/proc/7001/cgroup:1:1: NL505 error runsc-sandbox (pid 7001) runs in cgroup /kubepods-burstable-pod5d1e....slice:cri-containerd:9ab3..., a systemd cgroup path taken as a directory name: runsc does not use systemd's cgroups (set systemd-cgroup = "true" in its shim config)
```

## Fix
No automatic fix on a running node: set ``systemd-cgroup = "true"`` under ``[runsc_config]`` in
``/etc/containerd/runsc.toml`` (NL103; ``nodelint --fix`` adds it), keep runsc current
(NL303), and restart the pods.

## References
- gVisor's containerd shim configuration, ``[runsc_config]``: https://github.com/google/gvisor/blob/release-20260817.0/g3doc/user_guide/containerd/configuration.md
- runsc's ``systemd-cgroup`` flag ("Use systemd for cgroups"; systemd 244 or later, cgroup v2): https://github.com/google/gvisor/blob/release-20260817.0/runsc/config/flags.go#L67 and https://github.com/google/gvisor/blob/release-20260817.0/g3doc/user_guide/systemd.md
- containerd passes ``slice:cri-containerd:id`` under the systemd driver: https://github.com/containerd/containerd/blob/v2.3.4/internal/cri/server/podsandbox/helpers_linux.go#L62-L70
"""
from __future__ import annotations

from ..models import cgroups as G
from .live import at_cgroup, runsc_processes, snapshot

CODE = "NL505"
NAME = "runsc-cgroupfs-path-under-systemd"
SEVERITY = "error"
FIXABLE = False
SUMMARY = "A gVisor sandbox in a cgroupfs-style cgroup on a systemd-managed node (--live)"
KINDS = ()
SCOPE = "node"


def check(node, settings):
    snap = snapshot(node, settings)
    if snap is None:
        return
    runsc = runsc_processes(snap)
    if not runsc:
        return
    systemd_pods = any(G.layout(p.cgroup) == "systemd" for p in snap.processes)
    for process in runsc:
        pod = G.pod_of(process.cgroup)
        if pod is not None and pod.literal:  # containerd gave it a systemd path: always the systemd driver
            what = "a systemd cgroup path taken as a directory name"
        elif G.layout(process.cgroup) == "cgroupfs" and systemd_pods:  # the other pods are under kubepods.slice
            what = "a cgroupfs-layout path while the node's pods are under kubepods.slice"
        else:
            continue
        yield at_cgroup(CODE, SEVERITY, node, process,
                        f"{process.argv0} (pid {process.pid}) runs in cgroup {process.cgroup}, {what}: runsc does not "
                        "use systemd's cgroups (set systemd-cgroup = \"true\" in its shim config)")
