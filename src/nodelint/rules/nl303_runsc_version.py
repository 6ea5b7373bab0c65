"""NL303: runsc (gVisor) is older than a release that fixed a known advisory.

## What it does
Finds the runsc (gVisor) version a node or image gets, from every source nodelint knows, and
reports each source whose version is below the fixed version of a known advisory in
``rules/advisories.toml``, listing every advisory it misses and the release to move to.
Sources (each finding names its own, with file and line where there is one):
declared (``--runtime-version runsc=...``, ``[tool.nodelint.versions] runsc = "..."``),
pins in image-build repos (``gvisor_version / runsc_version``), and under ``--root`` Debian's dpkg status, the rpm
database and Go build info in the binary, read without running anything
(``--live`` also runs ``runsc --version`` on a running node).

"Below the fixed version" means: on a release line that got a fix and older than that
line's fix, or on a line that never got one (older than the newest fixed line); a line
newer than every fixed line passes.  A distribution package version (Debian ``~ds1-1+deb12u3``,
RPM ``-3.el9``) is compared by its upstream part, and the finding says that the package may
carry backported fixes: check the distribution's security tracker before acting or waiving.
Severity is that of the worst advisory (critical/high: error, medium: warning, low: info).

## Why it matters
gVisor pods with a 256 MiB limit ate a 500 GiB node: runsc before release-20231106.0 read the pod's
limits from the leaf cgroup (``max``) under cgroup v2 with the systemd driver and sized the
sandbox as unlimited; runsc before release-20220321.0 cannot use systemd cgroups at all.
Versions are gVisor release dates (``release-20240401.0`` or ``20240401.0``): one release line.

## Example
```console
$ nodelint --runtime-version runsc=release-20230920.0
--runtime-version:1:1: NL303 warning runsc release-20230920.0 (declared: declared version) misses 3 fixes: runsc-cgroupv2-systemd-parent-limits (medium, fixed in 20231106.0); ...
```

## Fix
Unsafe, applied only with ``--fix --unsafe-fixes``: a pin in a Packer or Ansible variables file is
raised to the newest fixed release on its own line, keeping its quoting (and a leading ``v``).
Moving to another line, upgrading an installed package, or rebuilding an image is left to you.
Waive an advisory that does not apply, with a reason:
``[tool.nodelint.versions] waive = [{{id = "CVE-...", reason = "..."}}]``.

## References
- gVisor PR #7287 (systemd cgroups), issue #9580 (pod limits under cgroup v2): https://github.com/google/gvisor/issues/9580
- ../shared/reference/facts.md section B, runsc.md
"""
from __future__ import annotations

from ..models.versions import below_fixed

CODE = "NL303"
NAME = "runsc-below-fixed-version"
SEVERITY = "error"
FIXABLE = "unsafe"  # raising a version pin changes what gets installed
SUMMARY = "runsc (gVisor) version is below a release that fixed a known advisory"
KINDS = ("versions",)
SCOPE = "run"
COMPONENT = "runsc"


def check(run, settings):
    yield from below_fixed(run, settings, COMPONENT, CODE)
