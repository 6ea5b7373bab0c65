"""NL202: ``fs.inotify.max_user_watches`` is below 524288.

## What it does
Computes the node's effective ``fs.inotify.max_user_watches`` exactly as NL201 does for
instances, and reports it when it is below the threshold (default 524288, see
``rules/sysctl.toml``).  In a node view a key no file sets has the kernel default:
8192 before Linux 5.11; since 5.11, 1% of low memory divided by the cost of a watch,
clamped to [8192, 1048576] (about 75000 on an 8 GiB node).

## Why it matters
kubelet, containerd shims, log shippers and CNI plugins each hold many watches, and
all of them run as root, so they share one budget.  When it runs out, ``inotify_add_watch``
fails with ``no space left on device`` and things stop reloading or logging.

## Example
Bad (``/etc/sysctl.d/50-fs-inotify.conf``):
```ini
fs.inotify.max_user_watches = 65536
```
Good:
```ini
fs.inotify.max_user_watches = 524288
```

## Fix
Safe, placed like NL201's: in place in the winning ``/etc`` file, otherwise in the
nodelint drop-in that sorts last.  Vendor files are never edited.

## References
- Kernel default: commit 92890123749b "inotify: Increase default inotify.max_user_watches limit to 1048576"
- kind known issues: https://kind.sigs.k8s.io/docs/user/known-issues/#pod-errors-due-to-too-many-open-files
- kOps nodeup sysctls (524288): https://github.com/kubernetes/kops/blob/master/nodeup/pkg/model/sysctls.go
- Pre-5.11 kernel default 8192: https://github.com/torvalds/linux/blob/8ab7913675726e5ae23b91221c0b5442d986d44a/fs/notify/inotify/inotify_user.c
"""
from __future__ import annotations

from ..models.sysctl import below_minimum

CODE = "NL202"
NAME = "inotify-max-user-watches"
SEVERITY = "warning"
FIXABLE = True
SUMMARY = "Effective fs.inotify.max_user_watches is below 524288"
KINDS = ("sysctl",)
SCOPE = "node"


def check(node, settings):
    yield from below_minimum(node, settings, CODE, SEVERITY)
