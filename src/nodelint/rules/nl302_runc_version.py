"""NL302: runc is older than a release that fixed a known advisory.

## What it does
Finds the runc version a node or image gets, from every source nodelint knows, and
reports each source whose version is below the fixed version of a known advisory in
``rules/advisories.toml``, listing every advisory it misses and the release to move to.
Sources (each finding names its own, with file and line where there is one):
declared (``--runtime-version runc=...``, ``[tool.nodelint.versions] runc = "..."``),
pins in image-build repos (``runc_version``), and under ``--root`` Debian's dpkg status, the rpm
database and Go build info in the binary, read without running anything
(``--live`` also runs ``runc --version`` on a running node).

"Below the fixed version" means: on a release line that got a fix and older than that
line's fix, or on a line that never got one (older than the newest fixed line); a line
newer than every fixed line passes.  A distribution package version (Debian ``~ds1-1+deb12u3``,
RPM ``-3.el9``) is compared by its upstream part, and the finding says that the package may
carry backported fixes: check the distribution's security tracker before acting or waiving.
Severity is that of the worst advisory (critical/high: error, medium: warning, low: info).

## Why it matters
runc is the process that sets up every container; its breakouts (CVE-2019-5736, CVE-2024-21626
"Leaky Vessels", the three 2025 procfs/mount advisories) hand the host to a container.  A node
image that ships an old runc next to a new containerd is still exposed.

## Example
```console
$ nodelint --root /mnt/image
/mnt/image/var/lib/dpkg/status:14703:10: NL302 error runc 1.1.5+ds1-1+deb12u1 (a Debian package of 1.1.5; ...) misses 6 fixes: CVE-2024-21626 (high, fixed in 1.1.12); ...
```

## Fix
Unsafe, applied only with ``--fix --unsafe-fixes``: a pin in a Packer or Ansible variables file is
raised to the newest fixed release on its own line, keeping its quoting (and a leading ``v``).
Moving to another line, upgrading an installed package, or rebuilding an image is left to you.
Waive an advisory that does not apply, with a reason:
``[tool.nodelint.versions] waive = [{{id = "CVE-...", reason = "..."}}]``.

## References
- runc security advisories: https://github.com/opencontainers/runc/security/advisories
- runc CHANGELOG: https://github.com/opencontainers/runc/blob/main/CHANGELOG.md
- ../shared/reference/facts.md section C, advisories.toml
"""
from __future__ import annotations

from ..models.versions import below_fixed

CODE = "NL302"
NAME = "runc-below-fixed-version"
SEVERITY = "error"
FIXABLE = "unsafe"  # raising a version pin changes what gets installed
SUMMARY = "runc version is below a release that fixed a known advisory"
KINDS = ("versions",)
SCOPE = "run"
COMPONENT = "runc"


def check(run, settings):
    yield from below_fixed(run, settings, COMPONENT, CODE)
