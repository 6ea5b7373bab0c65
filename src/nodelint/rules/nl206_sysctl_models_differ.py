"""NL206: systemd-sysctl and ``sysctl --system`` end with different values.

## What it does
Computes each key's final value twice: as systemd-sysctl applies the files at boot, and as
procps ``sysctl --system`` does (the same directories, then ``/etc/sysctl.conf`` applied
last).  Reports keys where the two disagree, at the assignment ``sysctl --system`` ends with.
nodelint's other rules use systemd's result, since that is what a booting node gets.

## Why it matters
Operators test with ``sysctl --system`` and see their value; the node then boots with
another one, because a drop-in that sorts after ``99-sysctl.conf`` beats ``/etc/sysctl.conf``
at boot, while ``sysctl --system`` applies ``/etc/sysctl.conf`` last.

## Example
```ini
# /etc/sysctl.conf (linked as /etc/sysctl.d/99-sysctl.conf)
fs.inotify.max_user_instances = 8192
# /etc/sysctl.d/99-zz-vendor.conf
fs.inotify.max_user_instances = 512
```
Boot: 512.  ``sysctl --system``: 8192.

## Fix
Safe when ``/etc/sysctl.conf`` holds the differing value: it is changed to the value the
node boots with, so both agree (NL201/NL202 then judge that value).

## References
- procps-ng ``sysctl --system`` (``PreloadSystem``): https://gitlab.com/procps-ng/procps/-/blob/master/src/sysctl.c
- ../shared/reference/sysctl.md sections 1-2
"""
from __future__ import annotations

from .. import sysctl as S
from ..model import Finding, Fix, Related, SetKey

CODE = "NL206"
NAME = "sysctl-models-differ"
SEVERITY = "warning"
FIXABLE = True
SUMMARY = "systemd-sysctl and sysctl --system end with different values"
KINDS = ("sysctl",)
SCOPE = "node"


def check(node, settings):
    for m in S.model(node):
        if not m.view or m.procps_tail is None:
            continue
        for key in m.keys():
            boot, manual = m.effective(key), m.procps_effective(key)
            if manual is None or (boot is not None and " ".join(boot.value.split()) == " ".join(manual.value.split())):
                continue
            pos = manual.doc.parsed.lines.position(manual.assignment.value_start)
            if boot is None:
                at_boot, related = "does not set it at boot", ()
            else:
                bpos = boot.doc.parsed.lines.position(boot.assignment.value_start)
                at_boot = f"boots with {boot.value} ({boot.where()})"
                related = (Related(boot.doc.path, bpos.line, bpos.column, f"systemd-sysctl ends with {key} = {boot.value} here"),)
            fix = None
            if boot is not None and manual.editable and not S.is_glob(manual.assignment.key):
                fix = Fix((SetKey(manual.doc.path, (key,), boot.value),), f"set {key} = {boot.value}")
            link = " (assuming the distribution's 99-sysctl.conf link)" if m.assumed_link else ""
            yield Finding(CODE, SEVERITY, manual.doc.path, pos.line, pos.column,
                          f"sysctl --system ends with {key} = {manual.value} here, but systemd-sysctl {at_boot}"
                          f"{link}", fix, related)
