"""NL103: gVisor (runsc) does not get ``systemd-cgroup = "true"``.

## What it does
Checks gVisor's containerd shim configuration:

- a runsc shim config (``runsc.toml``) must hold ``systemd-cgroup = "true"`` in
  ``[runsc_config]``.  Values there are flags for runsc and must be TOML strings:
  a bare ``systemd-cgroup = true`` makes the shim fail to decode the file, and the
  shim switches its own cgroup handling only on the exact string ``"true"``;
- a containerd handler with ``runtime_type = "io.containerd.runsc.v1"`` must give
  ``ConfigPath`` in its ``options``: without it the shim reads no runsc.toml at all
  (containerd passes the options as ``ConfigBody``, which the runsc shim ignores);
- ``SystemdCgroup`` in a runsc handler's ``options`` is a no-op for runsc, a sign the
  setting was put in the wrong place;
- under ``--root``, the file ``ConfigPath`` names must exist (the shim fails every
  container creation without it) and is checked like any runsc.toml.

With ``cgroup-driver = "cgroupfs"`` the rule flips and ``"true"`` is the finding.

## Why it matters
gVisor pods with a 256 MiB limit ate a 500 GiB node: kubelet used the systemd
driver, containerd handed runsc a ``slice:prefix:name`` cgroup path, and runsc
without ``--systemd-cgroup`` (and too old to read the pod slice's limit) saw no
limit at all.  runsc releases before 20260615 need the flag with systemd kubelets.

## Example
Bad (``/etc/containerd/runsc.toml``):
```toml
[runsc_config]
  platform = "systrap"
```
Good:
```toml
[runsc_config]
  platform = "systrap"
  systemd-cgroup = "true"
```
And in containerd's config:
```toml
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc.options]
  TypeUrl = "io.containerd.runsc.v1.options"
  ConfigPath = "/etc/containerd/runsc.toml"
```

## Fix
Safe for runsc.toml: sets ``systemd-cgroup = "true"`` in ``[runsc_config]`` (creating
the table, or quoting a bare boolean).  Handler findings have no automatic fix: which
runsc.toml to point at is a decision for the image's author.

## References
- gVisor containerd configuration: https://gvisor.dev/docs/user_guide/containerd/configuration/
- gVisor PR #7287 (systemd-cgroup support, release-20220321.0), issue #9580 (pod limits under cgroup v2)
- runsc shim reads only ``ConfigPath`` and switches cgroup mode on ``systemd-cgroup == "true"``: https://github.com/google/gvisor/blob/release-20260817.0/pkg/shim/v1/runsc/container.go
- runsc.toml keys, ``runsc_config`` is ``map[string]string``: https://github.com/google/gvisor/blob/release-20260817.0/pkg/shim/v1/runsc/options.go
- containerd puts options into ``ConfigBody`` when ``ConfigPath`` is empty: https://github.com/containerd/containerd/blob/v2.0.0/internal/cri/config/config.go
- runsc auto-detects systemd cgroup paths from release-20260615.0: https://github.com/google/gvisor/commit/e619c454a7fdf0b13e57e2b2890b4e24cefc5b00
"""
from __future__ import annotations

from ..models import containerd as C
from ..values.findings import Fix
from ..values.edits import SetKey
from . import finding

CODE = "NL103"
NAME = "runsc-without-systemd-cgroup"
SEVERITY = "error"
FIXABLE = True
SUMMARY = "gVisor runsc lacks systemd-cgroup = \"true\" (or containerd never passes its runsc.toml)"
KINDS = ("runsc", "containerd")
SCOPE = "node"

KEY = ("runsc_config", "systemd-cgroup")


def check_runsc_toml(doc, settings):
    data = doc.data if isinstance(doc.data, dict) else {}
    table = data.get("runsc_config")
    value = table.get("systemd-cgroup") if isinstance(table, dict) else None
    want = "true" if settings.cgroup_driver == "systemd" else "false"
    if value == want or (want == "false" and value is None):
        return
    fix = Fix((SetKey(doc.path, KEY, want),), f'set systemd-cgroup = "{want}" in [runsc_config]')
    if value is None:
        where = KEY[:1] if isinstance(table, dict) else ()
        msg = ('[runsc_config] lacks systemd-cgroup = "true": runsc treats the systemd-style cgroup path '
               "containerd gives it as a cgroupfs path, so pod limits are not enforced as set")
        yield finding(CODE, SEVERITY, doc, where, msg, fix)
    elif not isinstance(value, str):
        msg = (f"systemd-cgroup = {str(value).lower()} is a {type(value).__name__}: [runsc_config] values are "
               f'flags and must be strings (systemd-cgroup = "{want}"); the shim fails to decode this file')
        yield finding(CODE, SEVERITY, doc, KEY, msg, fix, at_value=True)
    else:
        msg = (f'systemd-cgroup = "{value}": the runsc shim enables systemd cgroups only for the exact string '
               f'"true"' if want == "true" else f'systemd-cgroup = "{value}" with cgroup-driver = "cgroupfs"')
        yield finding(CODE, SEVERITY, doc, KEY, msg, fix, at_value=True)


def check(node, settings):
    checked = set()
    for doc in node.of_kind("containerd"):
        if doc.parsed is None or not isinstance(doc.data, dict):
            continue
        for h in C.read(doc.data).handlers:
            if not h.is_runsc:
                continue
            options = h.options
            if "SystemdCgroup" in options:
                msg = (f"SystemdCgroup in runsc handler '{h.name}' does nothing: the runsc shim reads its settings "
                       'from the runsc.toml named by ConfigPath (systemd-cgroup = "true" in [runsc_config])')
                yield finding(CODE, SEVERITY, doc, h.options_path + ("SystemdCgroup",), msg)
            config_path = options.get("ConfigPath")
            if not isinstance(config_path, str) or not config_path:
                msg = (f"runsc handler '{h.name}' has no ConfigPath in its options: the shim then reads no runsc.toml, "
                       'so runsc never gets systemd-cgroup = "true"')
                yield finding(CODE, SEVERITY, doc, h.table, msg)
                continue
            if node.mode != "root":
                continue
            target = node.at(config_path, "runsc")
            if target is None and not node.has_file(config_path):  # there but not read: NL003/NL004 say why
                msg = (f"runsc handler '{h.name}' names ConfigPath {config_path}, which does not exist on this node: "
                       "every gVisor container creation fails")
                yield finding(CODE, SEVERITY, doc, h.options_path + ("ConfigPath",), msg, at_value=True)
    for doc in node.of_kind("runsc"):
        if doc.parsed is not None and id(doc) not in checked:
            checked.add(id(doc))
            yield from check_runsc_toml(doc, settings)
