"""NL203: kubelet protects kernel defaults the node does not set.

## What it does
When kubelet runs with ``protectKernelDefaults: true`` (or ``--protect-kernel-defaults``),
it checks six sysctls at start and refuses to start if any differs from the value it
requires (kubelet's ``setupKernelTunables``):

| sysctl | required |
|---|---|
| vm.overcommit_memory | 1 |
| vm.panic_on_oom | 0 |
| kernel.panic | 10 |
| kernel.panic_on_oops | 1 |
| kernel.keys.root_maxkeys | 1000000 |
| kernel.keys.root_maxbytes | 25000000 |

In a node view, nodelint computes each key's effective value (as NL201 does; an unset
key has its kernel default, e.g. ``vm.overcommit_memory = 0``) and reports the kubelet
setting together with every key that would stop it, with where each value comes from.

## Why it matters
The CIS Kubernetes benchmark recommends ``protectKernelDefaults: true``; an image that
turns it on without setting the sysctls boots nodes whose kubelet exits with
``invalid kernel flag: vm/overcommit_memory, expected value: 1, actual value: 0``.

## Example
``var/lib/kubelet/config.yaml``:
```yaml
kind: KubeletConfiguration
protectKernelDefaults: true
```
with no sysctl file setting ``vm.overcommit_memory``, ``kernel.panic`` and
``kernel.panic_on_oops``.

## Fix
Safe.  Writes the required values where they win: in place in a winning ``/etc`` file,
otherwise in the nodelint drop-in (``/etc/sysctl.d/99-nodelint.conf``), never in vendor files.

## References
- kubelet ``setupKernelTunables``: https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/cm/container_manager_linux.go
- Required values: https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/component-helpers/node/util/sysctl/sysctl.go
- ``protectKernelDefaults`` (error if kernel flags differ, otherwise kubelet modifies them; default false): https://github.com/kubernetes/kubelet/blob/v0.35.0/config/v1beta1/types.go
- Required values, pinned: https://github.com/kubernetes/kubernetes/blob/04791b4906602ffda5ccf9bc4c84d3329f1d7080/staging/src/k8s.io/component-helpers/node/util/sysctl/sysctl.go
"""
from __future__ import annotations

from ..models import sysctl as S
from ..models.kubelet import kubelets
from ..values.findings import Finding, Fix, Related

CODE = "NL203"
NAME = "protect-kernel-defaults"
SEVERITY = "error"
FIXABLE = True
SUMMARY = "kubelet protectKernelDefaults is on but the node's sysctls differ from what kubelet requires"
KINDS = ("kubelet", "kubelet-env", "systemd")
SCOPE = "node"


def protect_kernel_defaults(kubelet) -> tuple[bool, object]:
    """Whether kubelet protects kernel defaults, and the source that decides it."""
    source = kubelet.winner("protectKernelDefaults", "protect-kernel-defaults")
    if source is None:
        return False, None
    value = source.value
    on = value is True or (isinstance(value, str) and value.lower() in ("true", "1", "t"))
    return on, source


def check(node, settings):
    if not node.is_view or node.fs is None:
        return
    conf = S.data(settings)
    required = conf["kubelet_protected"]
    for kubelet in kubelets(node):
        on, source = protect_kernel_defaults(kubelet)
        if not on:
            continue
        for m in S.model(node):
            bad, related = [], []
            for key, want in required.items():
                winner = m.effective(key)
                if winner is None and not m.judges_unset:
                    continue
                value = winner.value if winner is not None else conf["kernel_defaults"].get(key)
                if S.as_int(value or "") == int(want):
                    continue
                if winner is not None:
                    pos = winner.doc.parsed.lines.position(winner.assignment.value_start)
                    related.append(Related(winner.doc.path, pos.line, pos.column, f"{key} = {value} here"))
                    bad.append((key, want, f"{key} = {value} ({winner.where()})"))
                else:
                    bad.append((key, want, f"{key} = {value} (not set: kernel default)"))
            if not bad:
                continue
            edits = S.placement(node, m, settings, [(k, w, "required by kubelet protectKernelDefaults: true")
                                                    for k, w, _ in bad])
            fix = Fix(edits, "set the sysctls kubelet requires") if edits else None
            listing = "; ".join(f"{what}, needs {w}" for _, w, what in bad)
            pos = source.position
            yield Finding(CODE, SEVERITY, source.doc.path, pos.line, pos.column,
                          f"kubelet has protectKernelDefaults on and will refuse to start: {listing}", fix,
                          tuple(related))
