"""Cluster API bootstrap configs: the files ``KubeadmConfig``, ``KubeadmConfigTemplate``,
``KubeadmControlPlane`` and ``KubeadmControlPlaneTemplate`` write (``files[]``: ``path``,
``content``, ``encoding`` base64 or gzip+base64, ``append``).  ``contentFrom`` (a Secret) cannot
be read.  Source: https://github.com/kubernetes-sigs/cluster-api/blob/v1.14.0/api/bootstrap/kubeadm/v1beta2/kubeadmconfig_types.go
"""
from __future__ import annotations

from . import Found
from .codecs import FlagValues
from .yaml_values import commands, decoded, string_value

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
        out += _kubelet_args(outer, key, spec)
        for section in ("preKubeadmCommands", "postKubeadmCommands", "bootCommands"):
            for found in commands(outer, key + (section,), spec.get(section), section):
                found.machine = str(key[0])
                out.append(found)
        files = spec.get("files")
        if not isinstance(files, list):
            continue
        for i, item in enumerate(files):
            if isinstance(item, dict) and isinstance(item.get("path"), str) and "contentFrom" in item:
                where = outer.parsed.position(key + ("files", i, "contentFrom"))
                outer.extra.setdefault("unread", []).append(
                    (where.line, where.column, f"{item['path']}: its content comes from a Secret (contentFrom), "
                     "which nodelint cannot read; not checked"))
                continue
            if not isinstance(item, dict) or not isinstance(item.get("path"), str) or "content" not in item:
                continue
            value = decoded(string_value(outer, key + ("files", i, "content")), item.get("encoding"))
            if value is not None:
                codec, text = value
                label = ".".join(str(k) for k in key[1:]) + f".files[{i}]"
                out.append(Found(label, item["path"], codec, text, append=item.get("append") is True,
                                 machine=str(key[0])))
    return out


def _kubelet_args(outer, key: tuple, spec: dict) -> list[Found]:
    """``nodeRegistration.kubeletExtraArgs`` of the init and join configurations: the flags
    kubeadm writes to /var/lib/kubelet/kubeadm-flags.env.  A map (v1beta1) or a list of
    ``name``/``value`` items (v1beta2); values that are not strings are left out."""
    out = []
    for part in ("initConfiguration", "joinConfiguration"):
        registration = spec.get(part, {}).get("nodeRegistration") if isinstance(spec.get(part), dict) else None
        args = registration.get("kubeletExtraArgs") if isinstance(registration, dict) else None
        where = key + (part, "nodeRegistration", "kubeletExtraArgs")
        values = []
        if isinstance(args, dict):
            for name in args:
                placed = string_value(outer, where + (name,))
                if placed is not None:
                    values.append((name, placed[0]))
        elif isinstance(args, list):
            for i, item in enumerate(args):
                if isinstance(item, dict) and isinstance(item.get("name"), str):
                    placed = string_value(outer, where + (i, "value"))
                    if placed is not None:
                        values.append((item["name"], placed[0]))
        if values and all(hasattr(v, "value") for _, v in values):
            label = ".".join(str(k) for k in where[1:])
            out.append(Found(label, "/var/lib/kubelet/kubeadm-flags.env", FlagValues(outer.text, values), None,
                             machine=str(key[0])))
    return out
