"""NL508: the live audit could not read everything.

## What it does
With ``--live``, says what the live audit could not read, so that a short report is not taken
for a clean node: another user's open files when nodelint does not run as root (inotify counts
incomplete), processes hidden by ``hidepid``, a root whose ``proc/`` is not a mounted procfs.

## Why it matters
A DaemonSet without ``hostPID`` or root, or a procfs mounted with ``hidepid=2``, shows only some
processes: the other NL5xx checks then see only part of the node.

## Example
```console
$ nodelint --live
/proc:1:1: NL508 info live audit incomplete: the open files of 212 of 230 processes could not be read (run as root): their inotify instances are not counted
```

## Fix
Run as root with the host's PID namespace (``hostPID: true`` in the DaemonSet example) and the
host's ``/proc`` under the root.

## References
- proc(5), ``hidepid`` and the access rules of ``/proc/PID/fd``: https://man7.org/linux/man-pages/man5/proc.5.html
"""
from __future__ import annotations

from ..values.findings import Finding
from .live import shown, snapshot

CODE = "NL508"
NAME = "live-audit-incomplete"
SEVERITY = "info"
FIXABLE = False
SUMMARY = "The live audit could not read everything (--live)"
KINDS = ()
SCOPE = "node"


def check(node, settings):
    snap = snapshot(node, settings)
    if snap is None:
        return
    for note in snap.notes:
        yield Finding(CODE, SEVERITY, shown(node, "proc"), 1, 1, f"live audit incomplete: {note}")
