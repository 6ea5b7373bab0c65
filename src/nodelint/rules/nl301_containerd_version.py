"""NL301: containerd is older than a release that fixed a known advisory.

## What it does
Finds the containerd version a node or image gets, from every source nodelint knows, and
reports each source whose version is below the fixed version of a known advisory in
``rules/advisories.toml``, listing every advisory it misses and the release to move to.
Sources (each finding names its own, with file and line where there is one):
declared (``--runtime-version containerd=...``, ``[tool.nodelint.versions] containerd = "..."``),
pins in image-build repos (``containerd_version``), and under ``--root`` Debian's dpkg status, the rpm
database and Go build info in the binary, read without running anything
(``--live`` also runs ``containerd --version`` on a running node).

"Below the fixed version" means: on a release line that got a fix and older than that
line's fix, or on a line that never got one (older than the newest fixed line); a line
newer than every fixed line passes.  A distribution package version (Debian ``~ds1-1+deb12u3``,
RPM ``-3.el9``) is compared by its upstream part, and the finding says that the package may
carry backported fixes: check the distribution's security tracker before acting or waiving.
Severity is that of the worst advisory (critical/high: error, medium: warning, low: info).

## Why it matters
containerd before 1.6.0 (1.5.12 on the 1.5 line) leaked one inotify instance per container on
cgroup v2 until nodes ran out (``fs.inotify.max_user_instances``, NL201), and its security fixes
(CVE-2022-23648 host file reads, CVE-2024-25621 permissive state directories, ...) arrive only
by upgrading.  Image pins are where an old containerd quietly survives for months.

## Example
```console
$ nodelint packer/config/containerd.json
packer/config/containerd.json:6:25: NL301 error containerd 1.6.22 (pin: containerd_version) misses 5 fixes: ...; move to 1.7.29 or later
```

## Fix
Unsafe, applied only with ``--fix --unsafe-fixes``: a pin in a Packer or Ansible variables file is
raised to the newest fixed release on its own line, keeping its quoting (and a leading ``v``).
Moving to another line, upgrading an installed package, or rebuilding an image is left to you.
Waive an advisory that does not apply, with a reason:
``[tool.nodelint.versions] waive = [{{id = "CVE-...", reason = "..."}}]``.

## References
- containerd security advisories: https://github.com/containerd/containerd/security/advisories
- cgroup v2 inotify leak: https://github.com/containerd/cgroups/pull/212, https://github.com/containerd/containerd/pull/6498
- ../shared/reference/facts.md sections A and D, advisories.toml
"""
from __future__ import annotations

from ..models.versions import below_fixed

CODE = "NL301"
NAME = "containerd-below-fixed-version"
SEVERITY = "error"
FIXABLE = "unsafe"  # raising a version pin changes what gets installed
SUMMARY = "containerd version is below a release that fixed a known advisory"
KINDS = ("versions",)
SCOPE = "run"
COMPONENT = "containerd"


def check(run, settings):
    yield from below_fixed(run, settings, COMPONENT, CODE)
