"""NL304: Docker Engine is older than a release that fixed a known advisory.

## What it does
Finds the Docker Engine version a node or image gets, from every source nodelint knows, and
reports each source whose version is below the fixed version of a known advisory in
``rules/advisories.toml``, listing every advisory it misses and the release to move to.
Sources (each finding names its own, with file and line where there is one):
declared (``--runtime-version docker=...``, ``[tool.nodelint.versions] docker = "..."``),
pins in image-build repos (``docker_version``), and under ``--root`` Debian's dpkg status, the rpm
database and Go build info in the binary, read without running anything
(``--live`` also runs ``dockerd --version`` on a running node).

"Below the fixed version" means: on a release line that got a fix and older than that
line's fix, or on a line that never got one (older than the newest fixed line); a line
newer than every fixed line passes.  A distribution package version (Debian ``~ds1-1+deb12u3``,
RPM ``-3.el9``) is compared by its upstream part, and the finding says that the package may
carry backported fixes: check the distribution's security tracker before acting or waiving.
Severity is that of the worst advisory (critical/high: error, medium: warning, low: info).

## Why it matters
Docker Engine's AuthZ plugin bypass (CVE-2024-41110, critical) was fixed on some lines only: 20.10
and 24.0 never got the fix, so those nodes must move to another line.  cgroup v2 support and the
systemd default on cgroup v2 hosts arrived in 20.10 (NL104).

## Example
```console
$ nodelint roles/docker/vars/main.yml
roles/docker/vars/main.yml:3:17: NL304 error Docker Engine 19.03 (pin: docker_version) misses 2 fixes: CVE-2024-41110 (critical, no fix on this line: 23.0.15); ...
```

## Fix
Unsafe, applied only with ``--fix --unsafe-fixes``: a pin in a Packer or Ansible variables file is
raised to the newest fixed release on its own line, keeping its quoting (and a leading ``v``).
Moving to another line, upgrading an installed package, or rebuilding an image is left to you.
Waive an advisory that does not apply, with a reason:
``[tool.nodelint.versions] waive = [{{id = "CVE-...", reason = "..."}}]``.

## References
- GHSA-v23v-6jw2-98fq (CVE-2024-41110): https://github.com/moby/moby/security/advisories/GHSA-v23v-6jw2-98fq
- ../shared/reference/facts.md section E, docker.md
"""
from __future__ import annotations

from ..models.versions import below_fixed

CODE = "NL304"
NAME = "docker-below-fixed-version"
SEVERITY = "error"
FIXABLE = "unsafe"  # raising a version pin changes what gets installed
SUMMARY = "Docker Engine version is below a release that fixed a known advisory"
KINDS = ("versions",)
SCOPE = "run"
COMPONENT = "docker"


def check(run, settings):
    yield from below_fixed(run, settings, COMPONENT, CODE)
