"""NL116: Kata Containers' cgroup settings that do not do what they say, or that fail with systemd.

## What it does
For each containerd handler of ``runtime_type = "io.containerd.kata.v2"``:

- ``SystemdCgroup`` in its ``options`` (warning): ignored.  containerd passes runc's options to
  runc-type handlers only; a Kata handler gets ``ConfigPath`` (its ``configuration.toml``) and
  nothing else, so the key changes nothing;
- on a node whose kubelet uses the systemd driver (its ``cgroupDriver``, or the runtime's when
  kubelet 1.31+ takes it from containerd 2.x), the Kata configuration the handler uses (its
  ``ConfigPath``, else ``/etc/kata-containers/configuration.toml``, else
  ``/usr/share/defaults/kata-containers/configuration.toml``) with ``sandbox_cgroup_only`` false
  or unset in ``[runtime]`` (warning): Kata's Go runtime handles systemd cgroup paths only with
  ``sandbox_cgroup_only = true`` (Kata 2.4 and later); otherwise it treats the
  ``slice:prefix:name`` path as a cgroupfs path.  The Rust runtime (``runtime-rs`` configurations)
  handles both and is not reported.

## Why it matters
Kata's own Kubernetes guide still sets kubelet to cgroupfs; with systemd, a default Kata config
puts the sandbox's cgroups where systemd does not know them, outside the pod's slice, and a
``SystemdCgroup = true`` copied from the runc handler gives a false sense that it is handled.

## Example
``etc/containerd/config.toml``:
```toml
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata]
  runtime_type = "io.containerd.kata.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata.options]
  SystemdCgroup = true
```
```console
etc/containerd/config.toml:5:3: NL116 warning SystemdCgroup in Kata handler 'kata' is ignored: containerd passes Kata only ConfigPath; Kata follows kubelet's cgroup paths and its configuration.toml (sandbox_cgroup_only)
```

## Fix
No automatic fix: drop ``SystemdCgroup`` from Kata handlers; with the systemd driver, set
``sandbox_cgroup_only = true`` in Kata's ``[runtime]`` (and size pods with a RuntimeClass
``overhead``: every Kata process is then charged to the pod), or use the Rust runtime.

## References
- containerd passes runc options only to runc-type handlers, runtimeoptions (ConfigPath) to others: https://github.com/containerd/containerd/blob/v2.1.0/internal/cri/config/config.go#L741-L775
- Kata's Go runtime: systemd cgroup paths only with sandbox_cgroup_only: https://github.com/kata-containers/kata-containers/blob/3.20.0/src/runtime/pkg/resourcecontrol/cgroups.go#L173-L176
- The open Kata issue for systemd without sandbox_cgroup_only: https://github.com/kata-containers/kata-containers/issues/2963
"""
from __future__ import annotations

from ..models import containerd as C
from ..models.driver_source import kubelet_driver
from . import finding

CODE = "NL116"
NAME = "kata-cgroup-settings"
SEVERITY = "warning"
FIXABLE = False
SUMMARY = "Kata handler with an ignored SystemdCgroup, or a Kata config that mishandles systemd cgroups"
KINDS = ("containerd", "kata")
SCOPE = "node"

DEFAULT_CONFIGS = ("etc/kata-containers/configuration.toml", "usr/share/defaults/kata-containers/configuration.toml")


def check(node, settings):
    for doc in node.of_kind("containerd"):
        if doc.parsed is None or not isinstance(doc.data, dict):
            continue
        for h in C.read(doc.data).handlers:
            if h.runtime_type not in C.KATA_TYPES:
                continue
            if "SystemdCgroup" in h.options:
                yield finding(CODE, SEVERITY, doc, h.options_path + ("SystemdCgroup",),
                              f"SystemdCgroup in Kata handler '{h.name}' is ignored: containerd passes Kata only "
                              "ConfigPath; Kata follows kubelet's cgroup paths and its configuration.toml "
                              "(sandbox_cgroup_only)")
            if node.is_view and kubelet_driver(node) == "systemd":
                yield from _sandbox_cgroup_only(node, doc, h)


def _sandbox_cgroup_only(node, doc, h):
    config_path = h.options.get("ConfigPath")
    candidates = [config_path.lstrip("/")] if isinstance(config_path, str) and config_path else list(DEFAULT_CONFIGS)
    if any("runtime-rs" in c for c in candidates):
        return  # the Rust runtime handles systemd cgroups either way
    kata = next((k for k in (node.at(c, "kata") for c in candidates) if k is not None and k.parsed is not None), None)
    if kata is None:
        return
    runtime = kata.data.get("runtime") if isinstance(kata.data, dict) else None
    value = runtime.get("sandbox_cgroup_only") if isinstance(runtime, dict) else None
    if value is True:
        return
    key = ("runtime", "sandbox_cgroup_only") if isinstance(runtime, dict) and "sandbox_cgroup_only" in runtime \
        else (("runtime",) if isinstance(runtime, dict) else ())
    state = "false" if value is False else "not set (false)"
    yield finding(CODE, SEVERITY, kata, key,
                  f"sandbox_cgroup_only is {state} while kubelet uses the systemd cgroup driver: Kata's Go runtime "
                  f"(handler '{h.name}') treats systemd cgroup paths as cgroupfs paths unless sandbox_cgroup_only "
                  "= true (Kata 2.4+), so the sandbox's cgroups sit outside the pod's slice", at_value=value is not None)
