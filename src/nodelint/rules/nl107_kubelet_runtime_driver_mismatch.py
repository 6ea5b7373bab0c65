"""NL107: kubelet's cgroup driver differs from the container runtime's.

## What it does
Within one node view (``--root DIR``, or the files of one node in a repo tree),
compares the cgroup driver kubelet is configured with (the winning flag, drop-in,
config file or kubeadm setting, see NL105) with the driver of the runtime it talks
to:

- containerd: the default CRI runtime handler (``SystemdCgroup``; the built-in
  ``runc`` handler means cgroupfs), imports and drop-ins merged, as each containerd
  release line reads the config (only the node's own line when its containerd version
  is known); where lines differ (a version 1 file on 2.0-2.2), the message names them;
- CRI-O: ``cgroup_manager`` (default systemd);
- Docker (cri-dockerd): ``native.cgroupdriver`` in ``exec-opts``, when set.

The runtime is the one ``containerRuntimeEndpoint`` (or ``--container-runtime-endpoint``)
names; without one, every runtime configured on the node is compared.  Both places
are shown.  kubelet is only compared when its driver is set somewhere (an unset
driver is NL105's finding).

## Why it matters
With mismatched drivers kubelet fails to start pods (``misconfiguration: kubelet
cgroup driver: "systemd" is different from docker cgroup driver: "cgroupfs"``) or,
worse, two managers own the cgroup tree.

kubelet 1.31+ (``KubeletCgroupDriverFromCRI``, on by default; GA in 1.34) with containerd
2.0+ or CRI-O 1.28+ takes the runtime's driver instead, and there is no mismatch: when the
versions nodelint knows (declared, pinned, dpkg, build info) say so, NL107 is silent and NL112
reports the kubelet setting that is ignored.  containerd 1.7 and older do not report their
driver, so kubelet's own setting decides.  When the versions are not known, NL107 judges
kubelet's own setting and says so in the message.

## Example
``var/lib/kubelet/config.yaml``:
```yaml
kind: KubeletConfiguration
cgroupDriver: systemd
```
``etc/containerd/config.toml``:
```toml
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = false
```
```console
var/lib/kubelet/config.yaml:3:15: NL107 error kubelet uses the systemd cgroup driver but containerd uses cgroupfs (etc/containerd/config.toml:3:19)
```

## Fix
No automatic fix of its own: NL101, NL104, NL105 and NL106 move each side to the
target driver, which also ends the mismatch.

## References
- Kubernetes, configuring a cgroup driver: https://kubernetes.io/docs/tasks/administer-cluster/kubeadm/configure-cgroup-driver/
- KubeletCgroupDriverFromCRI gate: https://github.com/kubernetes/kubernetes/blob/b0b89d3bd251db932ed5a7bef66039fb88acab64/pkg/features/kube_features.go
- kubelet side (falls back to ``cgroupDriver`` when the runtime returns Unimplemented): https://github.com/kubernetes/kubernetes/pull/118770
- containerd 2.0 side (default handler first, then alphabetical): https://github.com/containerd/containerd/pull/8722
- KEP-4033 (alpha 1.28, beta 1.31, GA 1.34): https://github.com/kubernetes/enhancements/blob/64765b4b02389318f2113119dd9e491479f978a0/keps/sig-node/4033-group-driver-detection-over-cri/README.md
- containerd's RuntimeConfig (SystemdCgroup = true: systemd, else cgroupfs): https://github.com/containerd/containerd/blob/v2.0.0/internal/cri/server/runtime_config_linux.go#L34-L82
"""
from __future__ import annotations

from ..read.kinds import templated_value
from ..values.findings import Related
from . import finding
from ..models.runtime_drivers import runtime_drivers

CODE = "NL107"
NAME = "kubelet-runtime-driver-mismatch"
SEVERITY = "error"
FIXABLE = False
SUMMARY = "kubelet and the container runtime use different cgroup drivers"
KINDS = ("kubelet", "kubeadm", "kubelet-env", "systemd", "containerd", "crio", "docker")
SCOPE = "node"


def check(node, settings):
    if not node.is_view:
        return
    runtimes = runtime_drivers(node)
    if not runtimes:
        return
    from ..models.driver_source import driver_source
    from ..models.kubelet import kubelets, runtime_endpoint

    sides = []
    for kubelet in kubelets(node):
        winner = kubelet.winner("cgroupDriver", "cgroup-driver")
        if winner is not None and not templated_value(winner.value):
            sides.append((winner.value, winner.doc, winner.key, runtime_endpoint(kubelet), driver_source(node, kubelet)))
    if not sides:
        for doc in node.of_kind("kubeadm"):
            for i, d in enumerate(doc.data if isinstance(doc.data, list) else []):
                if isinstance(d, dict) and d.get("kind") == "KubeletConfiguration":
                    value = d.get("cgroupDriver", "systemd")
                    key = (i, "cgroupDriver") if "cgroupDriver" in d else (i, "kind")
                    sides.append((value, doc, key, None, driver_source(node, None)))
    for value, doc, key, runtime, source in sides:
        if source.decides == "runtime":
            continue  # kubelet takes the runtime's driver: no mismatch (NL112 reports the setting it ignores)
        for name, driver, rdoc, rkey, qualifier in runtimes:
            if (runtime is not None and name != runtime) or driver == value:
                continue
            pos = rdoc.value_position(rkey) if rkey else rdoc.position(())
            where = f"{rdoc.path}:{pos.line}:{pos.column}"
            related = (Related(rdoc.path, pos.line, pos.column, f"{name} uses the {driver} cgroup driver here"),)
            msg = f"kubelet uses the {value} cgroup driver but {name} uses {driver}{qualifier} ({where}){source.note}"
            yield finding(CODE, SEVERITY, doc, key, msg, at_value=True, related=related)
