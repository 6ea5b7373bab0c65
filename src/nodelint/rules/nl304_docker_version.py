"""NL304: Docker Engine is older than a release that fixed a known advisory (docs: version_rules.docs)."""
from __future__ import annotations

from .version_rules import FIXABLE, KINDS, SCOPE, SEVERITY, below_fixed, docs, summary

CODE = "NL304"
NAME = "docker-below-fixed-version"
COMPONENT = "docker"
SUMMARY = summary("Docker Engine")
__all__ = ["CODE", "NAME", "SEVERITY", "FIXABLE", "SUMMARY", "KINDS", "SCOPE", "check"]

__doc__ = docs(CODE, COMPONENT, "Docker Engine", pins="docker_version", program="dockerd", why="""
Docker Engine's AuthZ plugin bypass (CVE-2024-41110, critical) was fixed on some lines only: 20.10
and 24.0 never got the fix, so those nodes must move to another line.  cgroup v2 support and the
systemd default on cgroup v2 hosts arrived in 20.10 (NL104).
""", example="""
$ nodelint roles/docker/vars/main.yml
roles/docker/vars/main.yml:3:17: NL304 error Docker Engine 19.03 (pin: docker_version) misses 2 fixes: CVE-2024-41110 (critical, no fix on this line: 23.0.15); ...
""", references=[
    "GHSA-v23v-6jw2-98fq (CVE-2024-41110): https://github.com/moby/moby/security/advisories/GHSA-v23v-6jw2-98fq",
    "systemd default on cgroup v2 hosts since 20.10.0: https://github.com/moby/moby/blob/v20.10.0/daemon/daemon_unix.go",
    "CVE-2024-41110 fixed-version tags: https://github.com/moby/moby/releases/tag/v23.0.15, https://github.com/moby/moby/releases/tag/v25.0.6, https://github.com/moby/moby/releases/tag/v26.1.5, https://github.com/moby/moby/releases/tag/v27.1.1",
])


def check(run, settings):
    yield from below_fixed(run, settings, COMPONENT, CODE)
