"""The sandbox ("pause") image a node's runtime uses, and the ones kubelet and kubeadm expect.

- containerd: ``sandbox_image`` in the CRI plugin table (config version 1 ``plugins.cri``,
  version 2 ``plugins."io.containerd.grpc.v1.cri"``), ``pinned_images.sandbox`` in
  ``plugins."io.containerd.cri.v1.images"`` (version 3; 2.x migrates the old key there); the last
  file of the main config and its imports that sets it wins; unset: the release line's default
  (``rules/sandbox-image.toml``), when the node's containerd version is known;
- CRI-O: ``pause_image`` in ``[crio.image]``, the last file in CRI-O's order;
- kubelet: ``--pod-infra-container-image`` (since 1.27 it only keeps that image from image
  garbage collection; removed in 1.35);
- kubeadm: ``<imageRepository>/pause:<tag>`` for its minor version.
"""
from __future__ import annotations

from ..read.data import load as load_data
from .crio import lookup
from ..values.record import record

_GRPC, _IMAGES = "io.containerd.grpc.v1.cri", "io.containerd.cri.v1.images"
_PATHS = (("plugins", "cri", "sandbox_image"), ("plugins", _GRPC, "sandbox_image"),
          ("plugins", _IMAGES, "pinned_images", "sandbox"))


@record
class Image:
    """An image a program uses or expects, and where that comes from."""

    value: str
    who: str  # "containerd", "CRI-O", "kubelet", "kubeadm"
    doc: object | None = None  # the file that sets it (None: a default)
    key: tuple = ()
    why: str = ""  # e.g. "its default for 1.7"

    @property
    def normal(self) -> str:
        image = self.value
        for prefix in ("docker.io/library/", "docker.io/"):
            if image.startswith(prefix):
                image = image[len(prefix):]
        return image if ":" in image.rsplit("/", 1)[-1] or "@" in image else image + ":latest"


def runtime_image(node) -> Image | None:
    """The sandbox image the node's runtime uses (containerd first, then CRI-O)."""
    from .containerd import imports_of
    from .containerd_load import known_version

    imported = node.imported_docs()
    for doc in node.of_kind("containerd"):
        if doc.parsed is None or id(doc) in imported or doc.role == "fragment" or not isinstance(doc.data, dict):
            continue
        found = None
        for d in [doc] + [c for c in imports_of(doc, node) if c is not doc]:
            for path in _PATHS:
                value = lookup(getattr(d, "data", None), path)
                if isinstance(value, str) and value:
                    found = Image(value, "containerd", d, path)
        if found is not None:
            return found
        version = known_version(node)
        default = load_data("sandbox-image.toml")["containerd"].get(".".join(map(str, version[:2]))) if version else None
        if default:
            line = ".".join(map(str, version[:2]))
            return Image(default, "containerd", doc, (), f"its default for {line}")
        return None
    from .crio import chain

    found = None
    for d in chain(node.docs, "crio"):
        value = lookup(d.data, ("crio", "image", "pause_image"))
        if isinstance(value, str) and value:
            found = Image(value, "CRI-O", d, ("crio", "image", "pause_image"))
    return found


def kubelet_image(kubelet) -> tuple[Image, object] | None:
    source = kubelet.winner("podInfraContainerImage", "pod-infra-container-image")
    if source is None or not isinstance(source.value, str):
        return None
    return Image(source.value, "kubelet", source.doc, source.key), source


def kubeadm_image(node) -> Image | None:
    """The pause image kubeadm expects, when the node uses kubeadm and kubelet's version is known."""
    if not uses_kubeadm(node):
        return None
    from .versions import known_minor

    version = known_minor(node, "kubelet")
    if version is None:
        return None
    minor = ".".join(map(str, version))
    data = load_data("sandbox-image.toml")["kubeadm"]
    tag = data.get(minor)
    if tag is None:
        return None
    repository = data["repository"]
    for doc in node.of_kind("kubeadm"):
        for d in doc.data if isinstance(doc.data, list) else []:
            if isinstance(d, dict) and d.get("kind") == "ClusterConfiguration" and isinstance(d.get("imageRepository"), str):
                repository = d["imageRepository"]
    return Image(f"{repository}/pause:{tag}", "kubeadm", None, (), f"kubeadm {minor}")


def uses_kubeadm(node) -> bool:
    if node.of_kind("kubeadm"):
        return True
    return any((d.node_path or d.path).endswith(("kubeadm-flags.env", "10-kubeadm.conf"))
               for d in node.of_kind("kubelet-env", "systemd"))
