"""EKS AL2023 ``NodeConfig`` (``node.eks.aws/v1alpha1``), read as nodeadm applies it.

Source: https://github.com/awslabs/amazon-eks-ami/blob/v20260724/nodeadm/ (api/v1alpha1/nodeconfig_types.go,
internal/containerd/config.go and its templates, internal/kubelet/config.go, internal/api/merge.go).

- ``spec.containerd.config``: TOML merged over the AMI's base config key by key (mergo with
  override): judged as a fragment on that base, which sets ``SystemdCgroup = true`` for runc,
  so only a value the user writes can turn it off.
- ``spec.kubelet.config``: a partial KubeletConfiguration, written as the drop-in
  ``/etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf`` over the base ``config.json``, whose
  ``cgroupDriver`` is ``systemd``.
- ``spec.kubelet.flags``: kubelet flags, appended to the defaults (``NODEADM_KUBELET_ARGS``).
"""
from __future__ import annotations

import json

from . import Found
from .codecs import FlagValues, Nowhere, Slice
from .yaml_values import string_value

BASE_KUBELET = {"apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration",
                "cgroupDriver": "systemd"}


def node_configs(outer):
    for d, data in enumerate(outer.data or []):
        if isinstance(data, dict) and data.get("kind") == "NodeConfig" \
                and str(data.get("apiVersion", "")).startswith("node.eks.aws/"):
            yield d, data


def find(outer) -> list[Found]:
    out = []
    for d, data in node_configs(outer):
        spec = data.get("spec") if isinstance(data.get("spec"), dict) else {}
        where = outer.parsed.position((d, "kind"))
        out.append(Found("the AMI's base kubelet config (nodeadm)", "/etc/kubernetes/kubelet/config.json",
                         Nowhere(where.line, where.column), json.dumps(BASE_KUBELET, indent=2) + "\n"))
        containerd = spec.get("containerd") if isinstance(spec.get("containerd"), dict) else {}
        if isinstance(containerd.get("config"), str):
            placed = string_value(outer, (d, "spec", "containerd", "config"))
            if placed is not None:
                out.append(Found("spec.containerd.config", "/etc/containerd/config.toml", placed[0], placed[1],
                                 role="fragment", extra={"platform_defaults": {"SystemdCgroup": True}}))
        kubelet = spec.get("kubelet") if isinstance(spec.get("kubelet"), dict) else {}
        if isinstance(kubelet.get("config"), dict) and kubelet["config"]:
            block = _block_mapping(outer, (d, "spec", "kubelet", "config"))
            if block is not None:
                out.append(Found("spec.kubelet.config", "/etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf",
                                 block, None))
        if isinstance(kubelet.get("flags"), list):
            values = []
            for i, flag in enumerate(kubelet["flags"]):
                placed = string_value(outer, (d, "spec", "kubelet", "flags", i))
                if placed is not None and isinstance(flag, str) and flag.startswith("--"):
                    values.append((flag[2:].split("=", 1)[0], placed[0]))
            if values and all(hasattr(v, "value") for _, v in values):
                out.append(Found("spec.kubelet.flags", "/etc/eks/kubelet/environment",
                                 FlagValues(outer.text, values, "NODEADM_KUBELET_ARGS", whole=True), None,
                                 kind="kubelet-env"))
    return out


def _block_mapping(outer, key: tuple):
    """A block mapping's lines, read as a YAML document of its own (None: a flow mapping)."""
    _, node = outer.parsed.node(key)
    if node is None or node.id != "mapping" or node.flow_style:
        return None
    text = outer.text
    start = text.rfind("\n", 0, node.start_mark.index) + 1
    last = node.value[-1][1] if node.value else node
    end = text.find("\n", max(last.end_mark.index - 1, last.start_mark.index))
    end = len(text) if end == -1 else end + 1
    return Slice(text, start, end, outer.parsed.lines.position(start).line, node.start_mark.column)
