"""NL115: kubelet enforces kube-reserved or system-reserved on a cgroup that is not named or does not exist.

## What it does
Reads kubelet's ``enforceNodeAllocatable`` (``--enforce-node-allocatable``; default ``pods``)
and, for ``kube-reserved`` / ``system-reserved`` (and their ``-compressible`` forms), reports:

- no ``kubeReservedCgroup`` / ``systemReservedCgroup`` (``--kube-reserved-cgroup``,
  ``--system-reserved-cgroup``): kubelet's config validation fails;
- with the systemd driver, a cgroup whose last element is not a slice
  (``/system.slice/kubelet.service``): kubelet maps the name to a slice and fails;
- under ``--root``, with the systemd driver, a slice no unit file of the image defines (in
  ``etc``, ``run``, ``usr/lib`` or ``lib`` ``/systemd/system``; ``system.slice``, ``user.slice``
  and ``machine.slice`` are systemd's own) and kubelet's unit does not run in (``Slice=``, which
  makes systemd create it): kubelet fails to start;
- with ``--live``, a cgroup that does not exist on the running node.

kubelet takes only the last element of the path under the systemd driver, strips ``.slice``
and splits it on ``-``: ``/kube.slice`` and ``kube.slice`` are the slice ``kube.slice``;
``/runtime.slice/runtime-kube.slice`` is ``runtime-kube.slice`` below ``runtime.slice``.

## Why it matters
kubelet does not create these cgroups: it stops at start ("Failed to enforce Kube Reserved
Cgroup Limits on "/kube.slice": ... cgroup ... does not exist") or at validation, and the
node never joins.  Reservations copied from a guide without the slice unit are the usual cause.

## Example
Bad:
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: systemd
enforceNodeAllocatable: ["pods", "kube-reserved"]
kubeReserved: {cpu: 500m, memory: 1Gi}
```
Good:
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: systemd
enforceNodeAllocatable: ["pods", "system-reserved"]
systemReserved: {cpu: 500m, memory: 1Gi}
systemReservedCgroup: /system.slice
```

## Fix
No automatic fix: name the cgroup, and define its slice (a ``kube.slice`` unit that something
starts, e.g. ``Slice=kube.slice`` in the kubelet and runtime units), or enforce ``pods`` only.

## References
- Kubernetes, reserve compute resources for system daemons: https://kubernetes.io/docs/tasks/administer-cluster/reserve-compute-resources/
- kubelet's validation (the reserved cgroup must be named): https://github.com/kubernetes/kubernetes/blob/001332b0422071acf4860769f18e34b5e9b7c1bc/pkg/kubelet/apis/config/validation/validation.go
- kubelet fails when the reserved cgroup does not exist: https://github.com/kubernetes/kubernetes/issues/51787
- A .service as reserved cgroup fails under systemd: https://github.com/kubernetes/kubernetes/issues/110288
"""
from __future__ import annotations

from ..models.driver_source import kubelet_driver
from ..models.kubelet import kubelets
from ..values.findings import Finding

CODE = "NL115"
NAME = "reserved-cgroup-missing"
SEVERITY = "error"
FIXABLE = False
SUMMARY = "kubelet enforces kube-/system-reserved on a cgroup that is not named or does not exist"
KINDS = ("kubelet", "kubelet-env", "systemd")
SCOPE = "node"

RESERVATIONS = {"kube-reserved": ("kubeReservedCgroup", "kube-reserved-cgroup"),
                "system-reserved": ("systemReservedCgroup", "system-reserved-cgroup")}
SYSTEMD_SLICES = {"-.slice", "system.slice", "user.slice", "machine.slice"}
UNIT_DIRS = ("etc/systemd/system", "run/systemd/system", "usr/lib/systemd/system", "lib/systemd/system")


def _enforced(kubelet):
    source = kubelet.winner("enforceNodeAllocatable", "enforce-node-allocatable")
    if source is None:
        return None, set()
    value = source.value
    items = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else []
    return source, {str(i).strip().removesuffix("-compressible") for i in items}


def check(node, settings):
    from ..read.live import snapshot

    for kubelet in kubelets(node):
        source, enforced = _enforced(kubelet)
        driver = None
        for reservation, (field, flag) in RESERVATIONS.items():
            if reservation not in enforced:
                continue
            named = kubelet.winner(field, flag)
            if named is None or not isinstance(named.value, str) or not named.value.strip():
                pos = source.position
                yield Finding(CODE, SEVERITY, source.doc.path, pos.line, pos.column,
                              f"enforceNodeAllocatable has {reservation} but {field} is not set: kubelet's configuration "
                              f"validation fails (\"{field} (--{flag}) must be specified\")")
                continue
            driver = driver or kubelet_driver(node, kubelet)
            problem = _problem(node, settings, named.value.strip(), driver, snapshot(node, settings))
            if problem:
                pos = named.position
                yield Finding(CODE, SEVERITY, named.doc.path, pos.line, pos.column,
                              f"{field} {named.value}: {problem}: kubelet fails to start (\"Failed to enforce "
                              f"{'Kube' if reservation.startswith('kube') else 'System'} Reserved Cgroup Limits\")")


def _problem(node, settings, cgroup: str, driver: str | None, snap) -> str | None:
    last = cgroup.rstrip("/").rsplit("/", 1)[-1]
    if driver == "systemd":
        if not last.endswith(".slice"):
            return f"under the systemd driver kubelet reads it as a slice, and {last} is not one"
        if snap is not None:
            path = "/" + "/".join(_slice_path(last))
            return None if snap.cgroup_exists(path) else f"the slice's cgroup {path} does not exist on the running node"
        if node.mode == "root" and node.fs is not None and last not in SYSTEMD_SLICES:
            if not any(node.has_file(f"{d}/{last}") for d in UNIT_DIRS) and last not in _slices_used(node):
                return f"no unit file defines {last} in this image, and no kubelet unit runs in it"
        return None
    if snap is not None and not snap.cgroup_exists(cgroup):
        return f"the cgroup {cgroup} does not exist on the running node"
    return None


def _slices_used(node) -> set[str]:
    """Slices kubelet's units name with ``Slice=``: systemd makes such a slice when the unit starts."""
    out = set()
    for doc in node.of_kind("systemd"):
        for d in getattr(doc.parsed, "directives", ()) if doc.parsed is not None else ():
            if d.section == "Service" and d.key == "Slice" and d.value.text.strip():
                out.add(d.value.text.strip())
    return out


def _slice_path(name: str) -> list[str]:
    """Where systemd puts a slice: ``a-b.slice`` below ``a.slice``."""
    parts = name.removesuffix(".slice").split("-")
    return ["-".join(parts[:i + 1]) + ".slice" for i in range(len(parts))]
