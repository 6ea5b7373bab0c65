"""NL205: a running kernel parameter differs from what the node's files configure.

## What it does
With ``--live`` (on a running node: ``nodelint --live``, which implies ``--root /``), reads
each configured key's running value from ``/proc/sys`` under the root and compares it with
the effective value the files give.  A difference means the value was set on disk but
never applied (no reboot, no ``systemctl restart systemd-sysctl``), or was changed by hand
and will be lost at the next boot.

The six keys kubelet rewrites at start when ``protectKernelDefaults`` is false
(``vm.overcommit_memory``, ``vm.panic_on_oom``, ``kernel.panic``, ``kernel.panic_on_oops``,
``kernel.keys.root_maxkeys``, ``kernel.keys.root_maxbytes``) are not drift.  Keys missing
from ``/proc/sys`` (a module not loaded) are skipped.

## Why it matters
A fleet audit that reads only files says the node is fine while it runs with the old
limit; or the opposite: a hand-applied fix that evaporates at reboot.

## Example
```console
$ nodelint --live
/etc/sysctl.d/99-nodelint.conf:3:33: NL205 warning fs.inotify.max_user_instances is 128 on the running node but the files set 8192 (not applied yet, or changed by hand)
```

## Fix
No automatic fix: apply the files with ``systemctl restart systemd-sysctl`` (or
``sysctl --system``), or put the hand-set value into a file.

## References
- sysctl names map to /proc/sys paths ("." and "/" separators): https://manpages.ubuntu.com/manpages/xenial/man5/sysctl.d.5.html
- kubelet rewrites kernel flags unless ``protectKernelDefaults``: https://github.com/kubernetes/kubelet/blob/v0.35.0/config/v1beta1/types.go
- The six keys and values: https://github.com/kubernetes/kubernetes/blob/04791b4906602ffda5ccf9bc4c84d3329f1d7080/staging/src/k8s.io/component-helpers/node/util/sysctl/sysctl.go
"""
from __future__ import annotations

from ..models import sysctl as S
from ..read.files import open_regular
from ..read.formats.sysctl import proc_path
from ..models.kubelet import kubelets
from ..values.findings import Finding
from .nl203_protect_kernel_defaults import protect_kernel_defaults

CODE = "NL205"
NAME = "sysctl-live-drift"
SEVERITY = "warning"
FIXABLE = False
SUMMARY = "Running kernel parameter differs from the configured value (--live)"
KINDS = ("sysctl",)
SCOPE = "node"


def check(node, settings):
    if not getattr(settings, "live", False) or node.mode != "root" or node.fs is None:
        return
    protected = any(protect_kernel_defaults(k)[0] for k in kubelets(node))
    rewritten = set() if protected else set(S.data(settings)["kubelet_protected"])
    for m in S.model(node):
        for key in m.keys():
            if key in rewritten:
                continue
            winner = m.effective(key)
            if winner is None:
                continue
            try:
                with open_regular(node.fs.resolve("proc/sys/" + proc_path(key))) as f:
                    running = f.read(4096).decode("utf-8", "replace")  # a kernel parameter is a line
            except OSError:
                continue
            if " ".join(running.split()) == " ".join(winner.value.split()):
                continue
            pos = winner.doc.parsed.lines.position(winner.assignment.value_start)
            yield Finding(CODE, SEVERITY, winner.doc.path, pos.line, pos.column,
                          f"{key} is {' '.join(running.split())} on the running node but the files set "
                          f"{winner.value} (not applied yet, or changed by hand and lost at reboot)")
