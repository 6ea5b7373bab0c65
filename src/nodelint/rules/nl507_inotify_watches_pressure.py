"""NL507: a user holds most of the inotify watches the kernel allows.

## What it does
With ``--live``, counts each user's inotify watches on the running node (the ``inotify wd:``
lines of ``/proc/PID/fdinfo/N`` for every inotify descriptor, by the process's real user ID) and
compares the count with ``fs.inotify.max_user_watches``: a warning at 80 %, an error at 95 %
(``rules/live.toml``), naming the processes that hold the most.

## Why it matters
At the limit, new watches fail with ENOSPC ("no space left on device"): kubelet and the
runtime miss file changes, log tailing and config reloads in pods stop working.

## Example
```console
$ nodelint --live
/proc/sys/fs/inotify/max_user_watches:1:1: NL507 warning uid 1000 holds 7000 of 8192 inotify watches (85%): node (pid 3301, container 9ab3c0d1e2f4) 6950, ...
```

## Fix
No automatic fix on a running node: raise ``fs.inotify.max_user_watches`` (NL202 checks the
files) or find the process that watches too much.

## References
- proc(5), ``/proc/PID/fdinfo`` of an inotify descriptor: https://man7.org/linux/man-pages/man5/proc.5.html
- inotify(7), ``/proc/sys/fs/inotify/max_user_watches``: https://man7.org/linux/man-pages/man7/inotify.7.html
"""
from __future__ import annotations

from .live import inotify_pressure, snapshot

CODE = "NL507"
NAME = "inotify-watches-pressure"
SEVERITY = "warning"
FIXABLE = False
SUMMARY = "A user holds 80% or more of fs.inotify.max_user_watches (--live)"
KINDS = ()
SCOPE = "node"
LIMIT, ATTRIBUTE, WHAT = "max_user_watches", "inotify_watches", "inotify watches"


def check(node, settings):
    snap = snapshot(node, settings)
    if snap is None:
        return
    yield from inotify_pressure(CODE, node, snap, LIMIT, ATTRIBUTE, WHAT)
