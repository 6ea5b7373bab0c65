"""NL405: the runtime's sandbox (pause) image differs from the one kubelet or kubeadm expects.

## What it does
Works out the sandbox image the node's runtime uses: containerd's ``sandbox_image`` (config
version 1 and 2) or ``pinned_images.sandbox`` (version 3; the last of the main config and its
imports that sets it), or its release line's default when the node's containerd version is known
(1.6: ``pause:3.6``, 1.7: ``3.8``, 2.0 and 2.1: ``3.10``, 2.2: ``3.10.1``); CRI-O's
``pause_image``.  Then reports, with both places:

- a kubelet ``--pod-infra-container-image`` that names another image;
- on a node that uses kubeadm (a kubeadm config, ``kubeadm-flags.env``, ``10-kubeadm.conf``)
  whose kubelet version is known, another image than the one kubeadm pulls and expects for
  that version (``registry.k8s.io/pause:3.9`` for 1.26-1.30, ``3.10`` for 1.31-1.33,
  ``3.10.1`` for 1.34-1.35, ``3.10.2`` for 1.36; under a ``ClusterConfiguration``'s
  ``imageRepository``).

Images compare as kubeadm compares them, exactly (``docker.io/library/`` aside).

## Why it matters
The image kubeadm pre-pulls (``kubeadm config images pull``, an air-gapped image's cache) is not
the one the runtime starts pods with: the first pod pulls the runtime's, and in an air-gapped
cluster or behind a registry that needs credentials pods hang in ContainerCreating.  kubelet's
image garbage collector spares only images that are in use, pinned by the runtime (containerd
1.6.22/1.7.3 and later pin their own sandbox image) or named by ``--pod-infra-container-image``:
a mismatch is how nodes lost their pause image under disk pressure.  kubeadm warns: "the
sandbox image ... of the container runtime is inconsistent with that used by kubeadm".

## Example
``etc/containerd/config.toml`` on a node with kubeadm and kubelet 1.31:
```toml
version = 2
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.8"
```
```console
etc/containerd/config.toml:3:19: NL405 warning containerd uses the sandbox image registry.k8s.io/pause:3.8 but kubeadm 1.31 pulls and expects registry.k8s.io/pause:3.10: pods pull the runtime's at their first start (air-gapped nodes hang), and image GC may remove one of them
```

## Fix
No automatic fix: set the runtime's sandbox image to the one kubeadm uses (or pre-pull the
runtime's), and drop ``--pod-infra-container-image`` (NL406).

## References
- containerd's defaults: https://github.com/containerd/containerd/blob/v1.6.39/pkg/cri/config/config_unix.go#L95, https://github.com/containerd/containerd/blob/v1.7.0/pkg/cri/config/config_unix.go#L98, https://github.com/containerd/containerd/blob/v2.0.0/docs/cri/config.md#L189-L190 and https://github.com/containerd/containerd/blob/v2.2.0/internal/cri/config/config.go#L76
- CRI-O ``pause_image``: https://github.com/cri-o/cri-o/blob/v1.31.0/pkg/config/config_linux.go#L24
- kubeadm's pause tags by version: https://github.com/kubernetes/minikube/blob/eb25dbc703701fa38c3f65c89a1896baa375e5ed/pkg/minikube/constants/constants_kubeadm_images.go
- kubeadm's warning (exact comparison): https://github.com/kubernetes/kubernetes/blob/00b6a4c7afdbd95d9ef5b5f3cada04ac15b0c135/cmd/kubeadm/app/preflight/checks.go
- The pause image removed by image GC: https://github.com/kubernetes/kubernetes/issues/81756 and https://github.com/awslabs/amazon-eks-ami/issues/1597
"""
from __future__ import annotations

from ..models.kubelet import kubelets
from ..models.sandbox_image import kubeadm_image, kubelet_image, runtime_image
from ..values.findings import Finding, Related

CODE = "NL405"
NAME = "sandbox-image-mismatch"
SEVERITY = "warning"
FIXABLE = False
SUMMARY = "The runtime's sandbox (pause) image differs from the one kubelet or kubeadm expects"
KINDS = ("containerd", "crio", "kubelet", "kubelet-env", "systemd", "kubeadm")
SCOPE = "node"


def _where(image):
    if image.doc is None:
        return None
    pos = image.doc.value_position(image.key) if image.key else image.doc.position(())
    return image.doc.path, pos.line, pos.column


def check(node, settings):
    if not node.is_view:
        return
    runtime = runtime_image(node)
    if runtime is None:
        return
    rwhere = _where(runtime)
    rtext = f"{runtime.who} uses the sandbox image {runtime.value}" + (f" ({runtime.why})" if runtime.why else "")
    related = (Related(*rwhere, f"{runtime.who}'s sandbox image"),) if rwhere else ()
    for kubelet in kubelets(node):
        named = kubelet_image(kubelet)
        if named is None or named[0].normal == runtime.normal:
            continue
        image, source = named
        pos = source.position
        at = f" ({rwhere[0]}:{rwhere[1]}:{rwhere[2]})" if rwhere else ""
        yield Finding(CODE, SEVERITY, source.doc.path, pos.line, pos.column,
                      f"--pod-infra-container-image={image.value} is not the image the runtime uses: {rtext}{at}; "
                      "kubelet keeps only its own from image GC", related=related)
    expected = kubeadm_image(node)
    if expected is not None and expected.normal != runtime.normal and rwhere is not None:
        yield Finding(CODE, SEVERITY, *rwhere,
                      f"{rtext} but {expected.why} pulls and expects {expected.value}: pods pull the runtime's at "
                      "their first start (air-gapped nodes hang), and image GC may remove one of them")
