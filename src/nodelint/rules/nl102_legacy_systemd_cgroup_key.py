"""NL102: the CRI plugin-level ``systemd_cgroup`` key is set.

## What it does
Reports ``systemd_cgroup`` in the CRI plugin table (``[plugins.cri]``,
``[plugins."io.containerd.grpc.v1.cri"]``, or ``io.containerd.cri.v1.runtime`` in a
version 3 file).  That key only ever configured the legacy
``io.containerd.runtime.v1.linux`` runtime; it never reached runc handlers.

- ``systemd_cgroup = true`` with a runc default runtime is an **error**: containerd
  1.x refuses to load the CRI plugin (`` `systemd_cgroup` only works for runtime
  io.containerd.runtime.v1.linux``), so kubelet finds no CRI service; 2.x ignores it.
- ``systemd_cgroup = false`` is a **warning**: dead configuration, deprecated since
  1.3 and removed in 2.0.

Where the default runtime really is ``io.containerd.runtime.v1.linux`` the key is
that runtime's switch; NL110 reports the legacy runtime instead.

## Why it matters
The key looks like the systemd driver switch, so it is set in the belief that runc
uses systemd cgroups.  It does not: ``SystemdCgroup`` in the runc options does
(NL101).  With ``true`` it even stops the CRI plugin from loading on containerd 1.x.

## Example
Bad:
```toml
version = 2
[plugins."io.containerd.grpc.v1.cri"]
  systemd_cgroup = true
```
Good:
```toml
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = true
```

## Fix
Safe.  Deletes the line; NL101 then sets ``SystemdCgroup`` where it belongs.

## References
- containerd 1.7 ``ValidatePluginConfig``: https://github.com/containerd/containerd/blob/release/1.7/pkg/cri/config/config.go
- containerd deprecations: https://github.com/containerd/containerd/blob/main/RELEASES.md#deprecated-config-properties
- containerd 1.7 ``systemd_cgroup`` only feeds runtime v1 (``generateRuntimeOptions``): https://github.com/containerd/containerd/blob/v1.7.24/pkg/cri/server/helpers.go
- containerd 2.x ignores unknown plugin keys (``Ignoring unknown key in TOML for plugin``): https://github.com/containerd/containerd/blob/v2.0.0/cmd/containerd/server/config/config.go
"""
from __future__ import annotations

from ..models import containerd as C
from ..values.edits import DeleteKey
from ..values.findings import Fix
from . import finding

CODE = "NL102"
NAME = "legacy-systemd-cgroup-key"
SEVERITY = "error"
FIXABLE = True
SUMMARY = "CRI plugin-level systemd_cgroup key is set (it never applied to runc)"
KINDS = ("containerd",)
SCOPE = "document"


def legacy_default(config: C.ContainerdConfig) -> bool:
    """Whether the default runtime is the legacy io.containerd.runtime.v1.linux."""
    for view in config.views:
        h = C.default_handler(view)
        if h is not None and h.runtime_type == C.LEGACY_RUNTIME:
            return True
    return False


def check(doc, settings):
    if not isinstance(doc.data, dict):
        return
    config = C.read(doc.data)
    if legacy_default(config):
        return
    for plugin in C.cri_plugin_level(config):
        table = C._get(doc.data, plugin)
        if not isinstance(table, dict) or "systemd_cgroup" not in table:
            continue
        key = plugin + ("systemd_cgroup",)
        value = table["systemd_cgroup"]
        fix = Fix((DeleteKey(doc.path, key),), "delete systemd_cgroup")
        if value is True and config.version < 3:
            msg = ("systemd_cgroup = true only works for the legacy io.containerd.runtime.v1.linux runtime: "
                   "containerd 1.x refuses to load the CRI plugin with a runc default runtime (2.x ignores the key); "
                   "use SystemdCgroup = true in the runc handler's options")
            yield finding(CODE, "error", doc, key, msg, fix)
        else:
            msg = ("systemd_cgroup is dead configuration: it only ever applied to the legacy "
                   "io.containerd.runtime.v1.linux runtime, is deprecated and was removed in containerd 2.0")
            yield finding(CODE, "warning", doc, key, msg, fix)
