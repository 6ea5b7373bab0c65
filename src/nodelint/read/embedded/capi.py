"""Cluster API bootstrap configs: the files ``KubeadmConfig``, ``KubeadmConfigTemplate``,
``KubeadmControlPlane`` and ``KubeadmControlPlaneTemplate`` write (``files[]``: ``path``,
``content``, ``encoding`` base64 or gzip+base64, ``append``).  ``contentFrom`` (a Secret) cannot
be read.  Source: https://github.com/kubernetes-sigs/cluster-api/blob/v1.14.0/api/bootstrap/kubeadm/v1beta2/kubeadmconfig_types.go
"""
from __future__ import annotations

from . import Found
from .yaml_values import decoded, string_value

SPECS = {  # kind -> the path of its KubeadmConfigSpec
    "KubeadmConfig": ("spec",),
    "KubeadmConfigTemplate": ("spec", "template", "spec"),
    "KubeadmControlPlane": ("spec", "kubeadmConfigSpec"),
    "KubeadmControlPlaneTemplate": ("spec", "template", "spec", "kubeadmConfigSpec"),
}


def config_specs(outer):
    """(key path, KubeadmConfigSpec mapping) of each Cluster API object in the file."""
    for d, data in enumerate(outer.data or []):
        if not isinstance(data, dict) or data.get("kind") not in SPECS:
            continue
        spec, key = data, (d,)
        for part in SPECS[data["kind"]]:
            spec = spec.get(part) if isinstance(spec, dict) else None
            key += (part,)
        if isinstance(spec, dict):
            yield key, spec


def find(outer) -> list[Found]:
    out = []
    for key, spec in config_specs(outer):
        files = spec.get("files")
        if not isinstance(files, list):
            continue
        for i, item in enumerate(files):
            if not isinstance(item, dict) or not isinstance(item.get("path"), str) or "content" not in item:
                continue
            value = decoded(string_value(outer, key + ("files", i, "content")), item.get("encoding"))
            if value is not None:
                codec, text = value
                label = ".".join(str(k) for k in key[1:]) + f".files[{i}]"
                out.append(Found(label, item["path"], codec, text, append=item.get("append") is True))
    return out
