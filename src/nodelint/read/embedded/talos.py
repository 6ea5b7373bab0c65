"""Talos Linux machine configs and patches (strategic merge patches, JSON 6902 patches adding
``/machine/files``, and Talos 1.14 ``CRICustomizationConfig`` documents).

What Talos does with them (https://github.com/siderolabs/talos/blob/v1.14.0-rc.1/, files
cited in the notes of each item):
- Talos runs no systemd: its kubelet config sets no ``cgroupDriver`` and takes the runtime's,
  and its containerd base part sets no ``SystemdCgroup``: both use **cgroupfs**
  (pkg/machinery/kubelet/kubelet.go, hack/cri-plugin.part).  A Talos machine is judged with
  cgroupfs as the target driver.
- ``machine.files[]`` at ``/etc/cri/conf.d/20-customization.part`` (and a CRICustomizationConfig's
  ``content``) is a TOML part merged into the CRI containerd config (internal/pkg/toml/merge.go).
- ``machine.sysctls`` (string values) apply over Talos' own kernel defaults, which set
  ``fs.inotify.max_user_instances = 8192`` and leave ``fs.inotify.max_user_watches`` to the
  kernel (internal/app/machined/pkg/controllers/runtime/kernel_param_defaults.go); Talos kernels
  (6.x) size that default from memory, so an unset key is not judged.
- ``machine.kubelet.extraArgs`` are kubelet flags; ``machine.kubelet.extraConfig`` is merged into
  the kubelet configuration Talos generates.
"""
from __future__ import annotations

from . import Found
from .codecs import FlagValues, KeyValueLines, Nowhere
from .nodeadm import _block_mapping
from .yaml_values import string_value

CRI_PART = "/etc/cri/conf.d/20-customization.part"
PLATFORM = {"cgroup_driver": "cgroupfs", "sysctl_judges_unset": False}
BASE_SYSCTL = "fs.inotify.max_user_instances = 8192\n"


def find(outer) -> list[Found]:
    outer.extra["platform"] = PLATFORM
    out: list[Found] = []
    based = False
    for d, data in enumerate(outer.data or []):
        if isinstance(data, dict) and data.get("kind") == "CRICustomizationConfig" and isinstance(data.get("content"), str):
            placed = string_value(outer, (d, "content"))
            if placed:
                out.append(Found(f"CRICustomizationConfig {data.get('name', d)}", CRI_PART, *placed,
                                 kind="containerd", role="fragment"))
            continue
        if isinstance(data, list):  # a JSON 6902 patch: values added under /machine/files
            for i, op in enumerate(data):
                if isinstance(op, dict) and op.get("path") in ("/machine/files", "/machine/files/-") \
                        and op.get("op") in ("add", "replace"):
                    value = op.get("value")
                    items = value if isinstance(value, list) else [value]
                    key = (d, i, "value") + ((() if not isinstance(value, list) else ()))
                    for j, f in enumerate(items):
                        out += _file(outer, key + ((j,) if isinstance(value, list) else ()), f, f"patch {i}")
            continue
        machine = data.get("machine") if isinstance(data, dict) else None
        if not isinstance(machine, dict):
            continue
        if not based:
            out.append(Found("Talos' own kernel defaults", "/usr/lib/sysctl.d/10-talos.conf", Nowhere(1, 1),
                             BASE_SYSCTL))
            based = True
        for i, f in enumerate(machine.get("files") or []):
            out += _file(outer, (d, "machine", "files", i), f, f"machine.files[{i}]")
        sysctls = machine.get("sysctls")
        if isinstance(sysctls, dict) and sysctls:
            values = []
            for key, value in sysctls.items():
                placed = string_value(outer, (d, "machine", "sysctls", key))
                if placed is None:
                    values = []
                    break
                values.append((key.replace("/", "."), placed[0]))
            if values:
                out.append(Found("machine.sysctls", "/etc/sysctl.d/99-talos-machine-sysctls.conf",
                                 KeyValueLines(outer.text, values), None, extra={"fixed_keys": True}))
        kubelet = machine.get("kubelet") if isinstance(machine.get("kubelet"), dict) else {}
        args = kubelet.get("extraArgs")
        if isinstance(args, dict) and args:
            values = [(name, string_value(outer, (d, "machine", "kubelet", "extraArgs", name))) for name in args]
            if all(v is not None for _, v in values):
                out.append(Found("machine.kubelet.extraArgs", "/etc/default/kubelet",
                                 FlagValues(outer.text, [(n, v[0]) for n, v in values], "KUBELET_ARGS"), None,
                                 kind="kubelet-env"))
        if isinstance(kubelet.get("extraConfig"), dict) and kubelet["extraConfig"]:
            block = _block_mapping(outer, (d, "machine", "kubelet", "extraConfig"))
            if block is not None:
                out.append(Found("machine.kubelet.extraConfig", "/etc/kubernetes/kubelet.conf.d/99-talos-extra.conf",
                                 block, None))
    return out


def _file(outer, key: tuple, f, label: str) -> list[Found]:
    if not isinstance(f, dict) or not isinstance(f.get("path"), str) or not isinstance(f.get("content"), str):
        return []
    placed = string_value(outer, key + ("content",))
    if placed is None:
        return []
    append = f.get("op") == "append"
    if f["path"] == CRI_PART or f["path"].startswith("/etc/cri/conf.d/"):
        return [Found(label, f["path"], *placed, kind="containerd", role="fragment")]
    return [Found(label, f["path"], *placed, append=append)]
