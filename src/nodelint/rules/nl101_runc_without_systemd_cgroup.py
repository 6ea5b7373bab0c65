"""NL101: a containerd runc handler does not use the systemd cgroup driver.

## What it does
Checks every CRI runtime handler that runs through the runc shim
(``runtime_type = "io.containerd.runc.v2"`` or ``.v1``, including handlers such as
``nvidia`` that keep the runc shim with another ``BinaryName``) for
``SystemdCgroup = true`` in its ``options`` table, at the table path of the file's
config version:

| version | options table |
|---|---|
| 1 (or none) | ``[plugins.cri.containerd.runtimes.<name>.options]`` |
| 2 | ``[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.<name>.options]`` |
| 3, 4 | ``[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.<name>.options]`` |

Single- and double-quoted keys are the same key.  A config that enables CRI but
defines no ``runc`` handler gets the finding for containerd's built-in default
``runc`` handler, which uses cgroupfs (containerd 2.x keeps it next to the handlers
a file adds; 1.x keeps it when the file defines no handler at all).  Files that
disable CRI (``disabled_plugins = ["cri"]``, or the full plugin IDs) get none, and so
do drop-in fragments for the built-in handler: the main config owns the default.
When a config ``imports`` drop-ins that nodelint can see (``--root``, a repo tree),
the merged result is judged and the finding points at the file that wins.

With ``cgroup-driver = "cgroupfs"`` in the configuration (hosts without systemd)
the rule flips: ``SystemdCgroup = true`` is the finding.

## Why it matters
With the cgroupfs driver on a systemd host, two managers own the cgroup tree.  A
systemd-based container inside a pod escaped its memory limit this way and took
the node down; the fix was the systemd driver everywhere.  containerd's default is
still ``SystemdCgroup = false`` in 2.x, and kubelet must use the same driver.

## Example
Bad:
```toml
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = false
```
Good:
```toml
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = true
```

## Fix
Safe.  Sets ``SystemdCgroup = true`` in the handler's ``options`` table for the file's
config version, creating the table (and, for the built-in handler, the ``runc``
handler with ``runtime_type = "io.containerd.runc.v2"``) where needed, in the
file's own indentation and quoting.  containerd reads the file again only when it
restarts.

## References
- containerd CRI config: https://github.com/containerd/containerd/blob/main/docs/cri/config.md
- Kubernetes, cgroup drivers: https://kubernetes.io/docs/setup/production-environment/container-runtimes/#containerd-systemd
- ../shared/reference/containerd.md sections 1-3, facts.md section H
"""
from __future__ import annotations

from .. import containerd as C
from ..model import Fix, RenameKey, SetKey
from . import finding
from .nl108_cgroup_key_not_read import norm

CODE = "NL101"
NAME = "runc-without-systemd-cgroup"
SEVERITY = "error"
FIXABLE = True
SUMMARY = "containerd runc handler lacks SystemdCgroup = true"
KINDS = ("containerd",)
SCOPE = "node"


def _set(doc, handler: C.Handler, want: bool, create_handler: bool = False):
    create = ((handler.table + ("runtime_type",), "io.containerd.runc.v2"),) if create_handler else ()
    return SetKey(doc.path, handler.options_path + (C.CANONICAL,), want, create)


def check(node, settings):
    want = settings.cgroup_driver == "systemd"
    imported = node.imported_docs()
    for doc in node.of_kind("containerd"):
        if doc.parsed is None or id(doc) in imported or not isinstance(doc.data, dict):
            continue
        eff = C.effective(doc, C.imports_of(doc, node))
        if eff.config.cri_disabled:
            continue
        for h in eff.handlers.values():
            if not h.is_runc:
                continue
            s = h.systemd
            if s is not None and not isinstance(s.value, bool):
                continue  # a wrong type is NL108's finding
            if s is not None and not (s.readers & h.readers):
                continue  # a spelling only some versions read: NL108
            value = s is not None and s.value is True
            if value == want:
                continue
            if s is not None:
                fix = Fix((SetKey(s.doc.path, s.path, want),), f"set {s.key} = {str(want).lower()}")
                msg = (f"runtime handler '{h.name}' sets {s.key} = {str(s.value).lower()}: its containers use the "
                       f"{'cgroupfs' if not s.value else 'systemd'} cgroup driver, not {settings.cgroup_driver}")
                yield finding(CODE, SEVERITY, s.doc, s.path, msg, fix, at_value=True)
            else:
                misspelled = [k for k in h.handler.options if norm(k) in ("systemdcgroup", "systemdcgroups")
                              and isinstance(h.handler.options[k], bool)]
                if misspelled:  # reuse the line the user meant (the same edit as NL108's)
                    edit = RenameKey(h.doc.path, h.handler.options_path + (misspelled[-1],), C.CANONICAL)
                else:
                    edit = _set(h.doc, h.handler, True)
                fix = Fix((edit,), "set SystemdCgroup = true in the handler's options")
                hint = " (or in a file it imports)" if eff.config.data.get("imports") and not node.is_view else ""
                msg = (f"runtime handler '{h.name}' runs runc without SystemdCgroup = true in its options: "
                       f"containerd defaults to the cgroupfs driver{hint}")
                yield finding(CODE, SEVERITY, h.doc, h.handler.table, msg, fix)
        if want and eff.implicit_runc and doc.role != "fragment":
            view = eff.config.views[0] if eff.config.views else None
            if view is None:
                continue
            family = next((v for v in eff.config.views if 2 in v.readers), view)
            runc = C.Handler("runc", family.plugin + ("containerd", "runtimes", "runc"), None)
            fix = Fix((_set(doc, runc, True, create_handler=True),),
                      "add the runc handler with SystemdCgroup = true")
            msg = ("CRI's default runtime is containerd's built-in 'runc' handler, which uses the cgroupfs driver: "
                   "define it with SystemdCgroup = true")
            yield finding(CODE, SEVERITY, doc, C.implicit_runc_anchor(eff.config), msg, fix)
