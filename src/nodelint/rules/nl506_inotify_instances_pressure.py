"""NL506: a user holds most of the inotify instances the kernel allows.

## What it does
With ``--live``, counts each user's inotify instances on the running node (every
``/proc/PID/fd/N`` that links to ``anon_inode:inotify``, by the process's real user ID) and
compares the count with ``fs.inotify.max_user_instances`` (``/proc/sys/fs/inotify``): a warning
at 80 %, an error at 95 % (``rules/live.toml``), naming the processes that hold the most, with
their containers.  Reading other users' descriptors needs root (NL508 says when they could not
be read).

## Why it matters
When a user reaches the limit, the next ``inotify_init`` fails with "too many open files":
kubelet cannot watch new pods' volumes, containers fail to start.  containerd before 1.6.0
leaked one instance per container on cgroup v2: the leak shows as one ``containerd`` process
holding hundreds, days before the node stops.

## Example
```console
$ nodelint --live
/proc/sys/fs/inotify/max_user_instances:1:1: NL506 error uid 0 holds 124 of 128 inotify instances (97%): containerd (pid 812) 117, kubelet (pid 901) 5, systemd (pid 1) 2
```

## Fix
No automatic fix on a running node: raise the limit (NL201 checks the files; ``sysctl -w``
applies it now), and upgrade a leaking containerd (NL301).

## References
- proc(5): ``/proc/PID/fd`` links (``anon_inode:inotify``) and ``/proc/PID/fdinfo`` (``inotify wd:`` lines): https://man7.org/linux/man-pages/man5/proc.5.html
- inotify(7), ``/proc/sys/fs/inotify/max_user_instances`` (per real user ID; newer kernels count per user namespace and user): https://man7.org/linux/man-pages/man7/inotify.7.html
- proc.rst, the fdinfo of an inotify descriptor: https://github.com/torvalds/linux/blob/94220f1123f37ad40fd278468ee56f0c64308d5a/Documentation/filesystems/proc.rst
- The containerd cgroup v2 inotify leak: https://github.com/containerd/cgroups/pull/212
"""
from __future__ import annotations

from .live import inotify_pressure, snapshot

CODE = "NL506"
NAME = "inotify-instances-pressure"
SEVERITY = "warning"
FIXABLE = False
SUMMARY = "A user holds 80% or more of fs.inotify.max_user_instances (--live)"
KINDS = ()
SCOPE = "node"
LIMIT, ATTRIBUTE, WHAT = "max_user_instances", "inotify_instances", "inotify instances"


def check(node, settings):
    snap = snapshot(node, settings)
    if snap is None:
        return
    yield from inotify_pressure(CODE, node, snap, LIMIT, ATTRIBUTE, WHAT)
