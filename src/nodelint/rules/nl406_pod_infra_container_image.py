"""NL406: kubelet's ``--pod-infra-container-image`` flag: deprecated, and removed in 1.35.

## What it does
Reports ``--pod-infra-container-image`` in kubelet's flags (its unit, ``/etc/default/kubelet``,
``kubeadm-flags.env``, kubeadm's ``kubeletExtraArgs``): an error when kubelet's version is known
to be 1.35 or later, a warning otherwise.

## Why it matters
Since kubelet 1.27 the flag does nothing but keep one image from image garbage collection (the
runtime's own sandbox image setting decides which image pods use: NL405), and kubelet 1.35
removed it: kubelet then exits at start with "unknown flag: --pod-infra-container-image".
kubeadm 1.35 stops writing it and removes it from ``kubeadm-flags.env`` on upgrade; a flag baked
into an image's unit or ``/etc/default/kubelet`` stays and stops the node.

## Example
``etc/default/kubelet`` with kubelet 1.35:
```ini
KUBELET_EXTRA_ARGS=--pod-infra-container-image=registry.k8s.io/pause:3.10
```
```console
etc/default/kubelet:1:20: NL406 error kubelet 1.35 removed --pod-infra-container-image: kubelet exits with "unknown flag"; remove it and set the runtime's sandbox image instead
```

## Fix
No automatic fix: remove the flag; set the sandbox image in the runtime's config
(containerd ``sandbox_image`` / ``pinned_images.sandbox``, CRI-O ``pause_image``).

## References
- Removed in 1.35: https://github.com/kubernetes/kubernetes/pull/133779 and kubeadm's side https://github.com/kubernetes/kubernetes/pull/133778
- Deprecated (only pins the image from GC): https://github.com/kubernetes/kubernetes/pull/108045
"""
from __future__ import annotations

from ..models.kubelet import kubelets
from ..models.versions import known_minor
from ..values.findings import Finding

CODE = "NL406"
NAME = "pod-infra-container-image"
SEVERITY = "warning"
FIXABLE = False
SUMMARY = "kubelet --pod-infra-container-image: deprecated, removed in 1.35 (kubelet exits)"
KINDS = ("kubelet-env", "systemd", "kubeadm")
SCOPE = "node"


FLAG = "pod-infra-container-image"


def _kubeadm_flags(node):
    """(document, key) of the flag in kubeadm's nodeRegistration.kubeletExtraArgs (a map in
    v1beta3, a list of name/value in v1beta4)."""
    for doc in node.of_kind("kubeadm"):
        for i, d in enumerate(doc.data if isinstance(doc.data, list) else []):
            reg = d.get("nodeRegistration") if isinstance(d, dict) else None
            extra = reg.get("kubeletExtraArgs") if isinstance(reg, dict) else None
            if isinstance(extra, dict) and FLAG in extra:
                yield doc, (i, "nodeRegistration", "kubeletExtraArgs", FLAG)
            elif isinstance(extra, list):
                for j, item in enumerate(extra):
                    if isinstance(item, dict) and item.get("name") == FLAG:
                        yield doc, (i, "nodeRegistration", "kubeletExtraArgs", j, "value")


def check(node, settings):
    version = known_minor(node, "kubelet")
    places = []
    for kubelet in kubelets(node):
        for source in kubelet.sources("podInfraContainerImage", FLAG):
            if source.origin == "flag":
                places.append((source.doc.path, source.position))
    places += [(doc.path, doc.value_position(key)) for doc, key in _kubeadm_flags(node)]
    seen = set()
    for path, pos in places:
        if (path, pos.line, pos.column) in seen:
            continue
        seen.add((path, pos.line, pos.column))
        if version is not None and version >= (1, 35):
            yield Finding(CODE, "error", path, pos.line, pos.column,
                          f"kubelet {'.'.join(map(str, version))} removed --pod-infra-container-image: kubelet exits "
                          "with \"unknown flag\"; remove it and set the runtime's sandbox image instead")
        else:
            yield Finding(CODE, "warning", path, pos.line, pos.column,
                          "--pod-infra-container-image is deprecated (since 1.27 it only keeps one image from image "
                          "GC) and removed in kubelet 1.35, which exits with \"unknown flag\"; remove it and set the "
                          "runtime's sandbox image instead")
