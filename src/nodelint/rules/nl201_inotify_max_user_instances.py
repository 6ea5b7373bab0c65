"""NL201: ``fs.inotify.max_user_instances`` is below 8192.

## What it does
Computes the value the node really ends up with, the way systemd-sysctl applies the
files at boot (directory priority, masking, order by file name across directories,
explicit keys over globs, ``/etc/sysctl.conf`` only through ``99-sysctl.conf``), and
reports it when it is below the threshold (default 8192, see ``rules/sysctl.toml``).
Under ``--root`` a key no file sets has the kernel default, 128; so it has in a repo tree
that mirrors a node and holds sysctl files (a tree without any may get them from its base
image).  A sysctl file named on its own is judged on what it sets.

## Why it matters
containerd before 1.6.0 leaked one inotify instance per container on cgroup v2, and
Kubernetes needs at least two per pod even without the leak.  With the kernel default of
128 per user (and everything on a node runs as root), nodes stop starting pods with
``too many open files``.  Operators raise the limit to 8192 and upgrade containerd.

## Example
Bad (``/etc/sysctl.d/50-inotify.conf``):
```ini
fs.inotify.max_user_instances = 128
```
Good:
```ini
fs.inotify.max_user_instances = 8192
```

## Fix
Safe.  Where the winning assignment is in a file under ``/etc``, its value is changed in
place.  Otherwise (the value comes from a vendor file in ``/usr/lib/sysctl.d``, or nothing
sets it) one drop-in is written, ``/etc/sysctl.d/99-nodelint.conf`` by default
(``[tool.nodelint.sysctl] dropin = "..."``), with a comment saying why; when a file that
sorts later sets the key, the drop-in gets a name that sorts after it, so it wins.
Vendor files are never edited.  The value applies at the next boot or
``systemctl restart systemd-sysctl``.

## References
- Kernel default: fs/notify/inotify/inotify_user.c ``inotify_user_setup()``
- containerd cgroup v2 inotify leak: https://github.com/containerd/cgroups/pull/212 (fixed in containerd 1.5.12 and 1.6.0)
- kOps nodeup sysctls (8192): https://github.com/kubernetes/kops/blob/master/nodeup/pkg/model/sysctls.go
- sysctl.d(5): https://www.freedesktop.org/software/systemd/man/latest/sysctl.d.html
- Kernel defaults (128 instances, 8192 watches before 5.11): https://github.com/torvalds/linux/blob/8ab7913675726e5ae23b91221c0b5442d986d44a/fs/notify/inotify/inotify_user.c
- cgroups v1.0.3 fix commit: https://github.com/containerd/cgroups/commit/35b5b55c686080de64facf127d6d6a5ca9a0fe6b
- containerd 1.5.12 release notes ("Fix inotify fd leak when cgroup is deleted"): https://github.com/containerd/containerd/blob/v1.5.12/releases/v1.5.12.toml
- containerd 1.6 gets cgroups v1.0.3 (PR #6498, in v1.6.0-rc.2): https://github.com/containerd/containerd/pull/6498
"""
from __future__ import annotations

from ..models.sysctl import below_minimum

CODE = "NL201"
NAME = "inotify-max-user-instances"
SEVERITY = "error"
FIXABLE = True
SUMMARY = "Effective fs.inotify.max_user_instances is below 8192"
KINDS = ("sysctl",)
SCOPE = "node"


def check(node, settings):
    yield from below_minimum(node, settings, CODE, SEVERITY)
