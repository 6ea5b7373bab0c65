"""NL106: CRI-O's or containers.conf's ``cgroup_manager`` is cgroupfs.

## What it does
Reads ``cgroup_manager`` in ``[crio.runtime]`` of CRI-O's ``crio.conf`` and its drop-ins
(``/etc/crio/crio.conf.d/*``, applied in name order, the last one winning), and in
``[engine]`` of ``containers.conf`` (Podman, Buildah; ``/usr/share/containers``, then
``/etc/containers``, then ``containers.conf.d/*.conf``).  Both default to ``systemd``; an
explicit ``cgroupfs`` where it wins is the finding.  Seen in a node view, only the
winning file is reported.

## Why it matters
CRI-O reports its driver to kubelet 1.31+ (CRI-O 1.28+), so ``cgroupfs`` here makes the
whole node use cgroupfs under systemd, the split ownership that let a container
escape its memory limit.  Older kubelets must match it by hand.

## Example
Bad:
```toml
[crio.runtime]
cgroup_manager = "cgroupfs"
conmon_cgroup = "pod"
```
Good:
```toml
[crio.runtime]
cgroup_manager = "systemd"
conmon_cgroup = "pod"
```

## Fix
Safe.  Sets ``cgroup_manager = "systemd"`` in the file that wins.  The fix is not
offered when ``conmon_cgroup`` holds a value only cgroupfs accepts (systemd wants
``pod`` or a ``.slice``): CRI-O would then refuse to start, so change both by hand.

## References
- crio.conf(5): https://github.com/cri-o/cri-o/blob/main/docs/crio.conf.5.md
- crio.conf.d(5): https://github.com/cri-o/cri-o/blob/main/docs/crio.conf.d.5.md
- containers.conf(5): https://github.com/containers/common/blob/main/docs/containers.conf.5.md
- CRI-O default cgroup manager (systemd): https://github.com/cri-o/cri-o/blob/v1.36.3/internal/config/cgmgr/cgmgr_linux.go
- CRI-O drop-in loading and conmon_cgroup rules: https://github.com/cri-o/cri-o/blob/v1.36.3/pkg/config/config.go
- CRI-O reports its driver over CRI since 1.28: https://github.com/cri-o/cri-o/blob/v1.28.0/server/runtime_config.go
"""
from __future__ import annotations

from ..models.crio import TABLES, winning
from ..read.kinds import templated_value
from ..values.findings import Fix
from ..values.edits import SetKey
from . import finding

CODE = "NL106"
NAME = "crio-cgroup-manager"
SEVERITY = "error"
FIXABLE = True
SUMMARY = "CRI-O or containers.conf cgroup_manager is cgroupfs"
KINDS = ("crio", "containers")
SCOPE = "node"

def check(node, settings):
    want = settings.cgroup_driver
    groups = [node.docs] if node.is_view else [[d] for d in node.docs]
    for docs in groups:
        for kind, table in TABLES.items():
            won = winning(docs, kind, "cgroup_manager")
            if won is None:
                continue
            doc, value = won
            if value == want or templated_value(value) or not isinstance(value, str):
                continue
            key = table + ("cgroup_manager",)
            conmon = winning(docs, kind, "conmon_cgroup") if kind == "crio" else None
            fix = Fix((SetKey(doc.path, key, want),), f'set cgroup_manager = "{want}"')
            extra = ""
            if want == "systemd" and conmon is not None:
                cv = conmon[1]
                if isinstance(cv, str) and cv not in ("", "pod") and not cv.endswith(".slice"):
                    fix = None
                    extra = f' (also set conmon_cgroup = "pod": "{cv}" is only valid with cgroupfs)'
            what = "CRI-O" if kind == "crio" else "containers.conf"
            yield finding(CODE, SEVERITY, doc, key, f'{what} uses cgroup_manager = "{value}", not "{want}"{extra}',
                          fix, at_value=True)
