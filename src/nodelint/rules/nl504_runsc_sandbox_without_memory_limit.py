"""NL504: a gVisor sandbox runs without the memory limit its pod has.

## What it does
With ``--live``, finds gVisor's per-pod processes (``runsc-sandbox`` and ``runsc-gofer``, by
their ``argv[0]``: runsc re-executes itself, so their ``comm`` reads ``exe``) and works out the
memory limit in force for each: the lowest ``memory.max`` (cgroup v2; v1
``memory.limit_in_bytes``, where about 2^63 means none) of its cgroup and the cgroups above it.
When that is no limit while the pod's own cgroup, found by the pod uid its cgroup path names,
has one of its own, it reports the process.

## Why it matters
The sandbox holds all of the pod's memory.  A runsc that does not read the pod's systemd slice
(``systemd-cgroup`` not set in its shim config, or a release too old for the pod slice's limit)
makes a cgroup of its own, outside the pod's, with no limit: pods with a 256 MiB limit grew
until they took a 500 GiB node.

## Example
```console
$ nodelint --live
/proc/7001/cgroup:1:1: NL504 error runsc-sandbox (pid 7001) of pod 5d1e...: no memory limit applies to its cgroup /kubepods-burstable-pod5d1e....slice:cri-containerd:9ab3..., while its pod's cgroup /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5d1e....slice has 256 MiB
```

## Fix
No automatic fix on a running node: set ``systemd-cgroup = "true"`` under ``[runsc_config]`` in
``/etc/containerd/runsc.toml`` (NL103 checks it; ``nodelint --fix`` adds it), upgrade runsc
(NL303), and restart the pod.

## References
- gVisor's sandbox and gofer processes (``cmd.Args[0] = "runsc-sandbox"``, ``"runsc-gofer"``, started from ``/proc/self/exe``): https://github.com/google/gvisor/blob/release-20260817.0/runsc/sandbox/sandbox.go#L957-L990 and https://github.com/google/gvisor/blob/release-20260817.0/runsc/container/container.go#L1470-L1487
- The shim passes ``[runsc_config]`` entries as runsc flags and reads ``systemd-cgroup``: https://github.com/google/gvisor/blob/release-20260817.0/pkg/shim/v1/runsc/container.go#L103-L215
- gVisor's containerd configuration: https://github.com/google/gvisor/blob/release-20260817.0/g3doc/user_guide/containerd/configuration.md
- cgroup v2 ``memory.max``: https://docs.kernel.org/admin-guide/cgroup-v2.html#memory-interface-files
- cgroup v1 ``memory.limit_in_bytes`` (no limit reads 9223372036854771712 with 4 KiB pages): https://docs.kernel.org/admin-guide/cgroup-v1/memory.html and https://github.com/kubernetes/kubernetes/issues/104289
"""
from __future__ import annotations

from ..models import cgroups as G
from .live import at_cgroup, runsc_processes, size, snapshot

CODE = "NL504"
NAME = "runsc-sandbox-without-memory-limit"
SEVERITY = "error"
FIXABLE = False
SUMMARY = "A gVisor sandbox has no memory limit while its pod has one (--live)"
KINDS = ()
SCOPE = "node"


def check(node, settings):
    snap = snapshot(node, settings)
    if snap is None:
        return
    for process in runsc_processes(snap):
        pod = G.pod_of(process.cgroup)
        if pod is None or snap.memory_limit(process.cgroup) is not None:
            continue
        for pod_path in G.systemd_pod_paths(pod.pod_uid) + G.cgroupfs_pod_paths(pod.pod_uid):
            if pod_path == pod.pod_path or not snap.cgroup_exists(pod_path):
                continue
            limit = snap.own_memory_limit(pod_path)  # the pod's own: a BestEffort pod has none
            if limit is not None:
                yield at_cgroup(CODE, SEVERITY, node, process,
                                f"{process.argv0} (pid {process.pid}) of pod {pod.pod_uid}: no memory limit applies "
                                f"to its cgroup {process.cgroup}, while its pod's cgroup {pod_path} has {size(limit)}")
                break
