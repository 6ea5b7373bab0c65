"""NL206: systemd-sysctl and ``sysctl --system`` end with different values.

## What it does
Computes each key's final value twice: as systemd-sysctl applies the files at boot, and as
procps ``sysctl --system`` does.  Reports keys where the two disagree, at the line
``sysctl --system`` ends with (or, when it leaves the key alone, the line systemd ends with).
nodelint's other rules use systemd's result, since that is what a booting node gets.

The two differ where (checked against systemd 252 and procps 4.0.2 on generated node roots):
``sysctl --system`` applies ``/etc/sysctl.conf`` last, while systemd reads it only through the
distribution's ``99-sysctl.conf`` link, in name order; a ``-key`` line without ``=`` takes an
earlier assignment back in systemd (the key is not written) but only keeps globs off the key in
procps; procps reads hidden files (``.x.conf``) that systemd skips.

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
- procps-ng ``sysctl --system`` (``PreloadSystem``, ``write_setting_list``): https://gitlab.com/procps-ng/procps/-/blob/v4.0.2/src/sysctl.c
- systemd-sysctl (``parse_file``, ``apply_all``): https://github.com/systemd/systemd/blob/v252/src/sysctl/sysctl.c
- sysctl.d(5): https://www.freedesktop.org/software/systemd/man/sysctl.d.html
"""
from __future__ import annotations

from ..models import sysctl as S
from ..values.findings import Finding, Fix, Related
from ..values.edits import SetKey

CODE = "NL206"
NAME = "sysctl-models-differ"
SEVERITY = "warning"
FIXABLE = True
SUMMARY = "systemd-sysctl and sysctl --system end with different values"
KINDS = ("sysctl",)
SCOPE = "node"


def _same(a, b) -> bool:
    return (a is None) == (b is None) and (a is None or " ".join(a.value.split()) == " ".join(b.value.split()))


def check(node, settings):
    for m in S.model(node):
        if not m.view:
            continue
        for key in m.keys():
            boot, manual = m.effective(key), m.procps_effective(key)
            if _same(boot, manual):
                continue
            link = " (assuming the distribution's 99-sysctl.conf link)" if m.assumed_link else ""
            if manual is None:
                pos = boot.doc.parsed.lines.position(boot.assignment.value_start)
                yield Finding(CODE, SEVERITY, boot.doc.path, pos.line, pos.column,
                              f"systemd-sysctl ends with {key} = {boot.value} here at boot, but sysctl --system "
                              f"does not set it{link}")
                continue
            pos = manual.doc.parsed.lines.position(manual.assignment.value_start)
            if boot is None:
                taken = m.mentions(key)
                at_boot = "does not set it at boot" + (
                    f" (a -{key} line takes it back: {taken[-1].where()})" if taken and taken[-1].value is None else "")
                related = ()
            else:
                bpos = boot.doc.parsed.lines.position(boot.assignment.value_start)
                at_boot = f"boots with {boot.value} ({boot.where()})"
                related = (Related(boot.doc.path, bpos.line, bpos.column, f"systemd-sysctl ends with {key} = {boot.value} here"),)
            fix = None
            if boot is not None and manual.editable and not S.is_glob(manual.assignment.key) \
                    and manual.doc.parsed.last(key) is not None:
                fix = Fix((SetKey(manual.doc.path, (key,), boot.value),), f"set {key} = {boot.value}")
            yield Finding(CODE, SEVERITY, manual.doc.path, pos.line, pos.column,
                          f"sysctl --system ends with {key} = {manual.value} here, but systemd-sysctl {at_boot}"
                          f"{link}", fix, related)
