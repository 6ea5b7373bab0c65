"""NL110: the default runtime is the legacy ``io.containerd.runtime.v1.linux``.

## What it does
Reports a containerd config whose CRI default runtime has
``runtime_type = "io.containerd.runtime.v1.linux"`` (shim v1), including the
deprecated ``[plugins.cri.containerd.default_runtime]`` table.  For that runtime the
CRI plugin-level ``systemd_cgroup`` key is the real cgroup-driver switch, so NL101
and NL102 stay quiet on such files.

## Why it matters
The v1 runtime was deprecated in containerd 1.4 and removed in 2.0: a node image
that still uses it cannot move to a supported containerd without a config rewrite,
and containerd 2.x starts with its built-in runc handler (cgroupfs) instead.

## Example
Bad:
```toml
[plugins.cri]
  systemd_cgroup = true
  [plugins.cri.containerd.default_runtime]
    runtime_type = "io.containerd.runtime.v1.linux"
```
Good (version 2, containerd 1.4+):
```toml
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = true
```

## Fix
No automatic fix: moving to the runc v2 shim changes the runtime, and is done by
hand together with a containerd upgrade.

## References
- containerd runtime v1 deprecation: https://github.com/containerd/containerd/blob/main/RELEASES.md#deprecated-features
- runtime v1 and runc.v1 deprecated in 1.4, removed in 2.0: https://github.com/containerd/containerd/blob/v2.0.0/RELEASES.md#deprecated-features
- containerd 1.7 turns ``default_runtime`` into a handler named ``default``: https://github.com/containerd/containerd/blob/v1.7.24/pkg/cri/config/config.go
"""
from __future__ import annotations

from ..models import containerd as C
from . import finding

CODE = "NL110"
NAME = "legacy-runtime-v1"
SEVERITY = "warning"
FIXABLE = False
SUMMARY = "Default runtime is the legacy io.containerd.runtime.v1.linux (removed in containerd 2.0)"
KINDS = ("containerd",)
SCOPE = "document"


def check(doc, settings):
    if not isinstance(doc.data, dict):
        return
    config = C.read(doc.data)
    for view in config.views:
        h = C.default_handler(view)
        if h is None or h.runtime_type != C.LEGACY_RUNTIME:
            continue
        switch = ""
        plugin = C._get(doc.data, view.plugin)
        if isinstance(plugin, dict) and "systemd_cgroup" in plugin:
            switch = f" (its cgroup driver is set by systemd_cgroup = {str(plugin['systemd_cgroup']).lower()})"
        msg = (f"the default runtime '{h.name}' uses the legacy io.containerd.runtime.v1.linux shim{switch}, "
               "deprecated since containerd 1.4 and removed in 2.0: move to io.containerd.runc.v2 with "
               "SystemdCgroup = true")
        yield finding(CODE, SEVERITY, doc, h.table + ("runtime_type",), msg, at_value=True)
