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

from ..models import containerd as C
from ..read.kinds import templated_value
from ..values.findings import Related
from . import finding
from .nl104_docker_cgroup_driver import cgroup_driver_entries
from .nl106_crio_cgroup_manager import winning

CODE = "NL107"
NAME = "kubelet-runtime-driver-mismatch"
SEVERITY = "error"
FIXABLE = False
SUMMARY = "kubelet and the container runtime use different cgroup drivers"
KINDS = ("kubelet", "kubeadm", "kubelet-env", "systemd", "containerd", "crio", "docker")
SCOPE = "node"


def runtime_drivers(node) -> list[tuple[str, str, object, tuple, str]]:
    """(runtime, driver, document, key, qualifier) for each runtime configured on the node; the
    qualifier names the containerd release lines a driver holds on, where they differ."""
    from ..models import containerd_load as L

    out = []
    imported = node.imported_docs()
    for doc in node.of_kind("containerd"):
        if doc.parsed is None or id(doc) in imported or doc.role == "fragment" or not isinstance(doc.data, dict):
            continue
        known = L.version_for(doc, node)
        if known is False:
            continue
        chain = C.imports_of(doc, node)
        considered = L.considered_lines(doc.data, known)
        drivers: dict[tuple, list[str]] = {}  # (driver, document, key) -> the lines it holds on
        for line in considered:
            r = L.reading(doc, chain, line, node, known)
            handler = r.handlers.get(r.default_runtime) if r.error is None and not r.cri_disabled else None
            if handler is None or not handler.is_runc(line):
                continue
            value, key = handler.systemd_cgroup(line not in ("1.6", "1.7"))
            driver = "systemd" if value is True else "cgroupfs"
            if handler.doc is not None and key is not None and handler.doc.position(handler.table + ("options", key)):
                where = (handler.doc, handler.table + ("options", key))
            elif handler.doc is not None:
                where = (handler.doc, handler.table)
            else:
                where = (doc, C.implicit_runc_anchor(C.effective(doc, chain).config))
            drivers.setdefault((driver, id(where[0]), where[1]), [where[0]]).append(line)
        for (driver, _, key), (rdoc, *lines) in drivers.items():
            qualifier = "" if lines == considered else f" on containerd {', '.join(lines)}"
            out.append(("containerd", driver, rdoc, key, qualifier))
    won = winning(node.docs, "crio", "cgroup_manager")
    crio_docs = [d for d in node.of_kind("crio") if d.parsed is not None]
    if won is not None and isinstance(won[1], str):
        out.append(("CRI-O", won[1], won[0], ("crio", "runtime", "cgroup_manager"), ""))
    elif crio_docs:
        out.append(("CRI-O", "systemd", crio_docs[0], (), ""))
    for doc in node.of_kind("docker"):
        entries = cgroup_driver_entries(doc.data) if doc.parsed is not None else []
        if entries:
            i, value = entries[-1]
            out.append(("Docker", value, doc, ("exec-opts", i), ""))
    return out


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
