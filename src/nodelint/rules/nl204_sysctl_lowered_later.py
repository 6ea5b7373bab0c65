"""NL204: a kernel parameter raised in one file is lowered again by a file applied later.

## What it does
For the keys with a minimum (``fs.inotify.max_user_instances``, ``fs.inotify.max_user_watches``
and any added in ``[tool.nodelint.sysctl.minimums]``), follows every assignment in the order
systemd-sysctl applies them and reports the winning one when an earlier file set a higher
value, showing both.

## Why it matters
"It is set, why isn't it working?": someone raised the limit in ``/etc/sysctl.d/20-k8s.conf``,
and a package or another role lowered it in ``90-defaults.conf``, which sorts later and wins.
The file you read says 8192; the node runs with 128.

## Example
```ini
# /etc/sysctl.d/20-k8s.conf
fs.inotify.max_user_instances = 8192
# /etc/sysctl.d/90-defaults.conf
fs.inotify.max_user_instances = 128
```
```console
etc/sysctl.d/90-defaults.conf:2:33: NL204 warning fs.inotify.max_user_instances = 128 lowers 8192 set in etc/sysctl.d/20-k8s.conf:1:33; this file is applied later and wins
```

## Fix
No fix of its own: NL201/NL202 raise the winning value, in place when it is in ``/etc``.

## References
- sysctl.d(5), "later files override earlier ones": https://www.freedesktop.org/software/systemd/man/latest/sysctl.d.html
- ``sysctl --system`` orders files by basename across directories and applies /etc/sysctl.conf last: https://gitlab.com/procps-ng/procps/-/issues/200, https://gitlab.com/procps-ng/procps/-/issues/20
"""
from __future__ import annotations

from ..models import sysctl as S
from ..values.findings import Finding, Related

CODE = "NL204"
NAME = "sysctl-lowered-later"
SEVERITY = "warning"
FIXABLE = False
SUMMARY = "A kernel parameter raised in one file is lowered by a file applied later"
KINDS = ("sysctl",)
SCOPE = "node"


def check(node, settings):
    for key in S.data(settings)["minimums"]:
        for m in S.model(node):
            history = m.history(key)
            winner = m.effective(key) if m.view else (history[-1] if history else None)
            if winner is None:
                continue
            final = S.as_int(winner.value)
            if final is None:
                continue
            # the settings applied before the winner: by position, found once (history.index() per
            # setting compared records field by field, N*N times for a key set on N lines)
            at = next((i for i, s in enumerate(history) if s is winner), None)
            if at is None:
                at = history.index(winner)
            higher = [s for s in history[:at] if (v := S.as_int(s.value)) is not None and v > final]
            if not higher:
                continue
            top = max(higher, key=lambda s: S.as_int(s.value))
            pos = winner.doc.parsed.lines.position(winner.assignment.value_start)
            top_pos = top.doc.parsed.lines.position(top.assignment.value_start)
            place = "this line comes later in the same file" if top.doc is winner.doc else \
                "this file is applied later and wins"
            yield Finding(CODE, SEVERITY, winner.doc.path, pos.line, pos.column,
                          f"{key} = {winner.value} lowers {top.value} set in {top.doc.path}:{top_pos.line}:"
                          f"{top_pos.column}; {place}", None,
                          (Related(top.doc.path, top_pos.line, top_pos.column, f"{key} = {top.value} here"),))
