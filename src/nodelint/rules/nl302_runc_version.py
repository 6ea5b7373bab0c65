"""NL302: runc is older than a release that fixed a known advisory (docs: version_rules.docs)."""
from __future__ import annotations

from .version_rules import FIXABLE, KINDS, SCOPE, SEVERITY, below_fixed, docs, summary

CODE = "NL302"
NAME = "runc-below-fixed-version"
COMPONENT = "runc"
SUMMARY = summary("runc")
__all__ = ["CODE", "NAME", "SEVERITY", "FIXABLE", "SUMMARY", "KINDS", "SCOPE", "check"]

__doc__ = docs(CODE, COMPONENT, "runc", pins="runc_version", program="runc", why="""
runc is the process that sets up every container; its breakouts (CVE-2019-5736, CVE-2024-21626
"Leaky Vessels", the three 2025 procfs/mount advisories) hand the host to a container.  A node
image that ships an old runc next to a new containerd is still exposed.
""", example="""
$ nodelint --root /mnt/image
/mnt/image/var/lib/dpkg/status:14703:10: NL302 error runc 1.1.5+ds1-1+deb12u1 (a Debian package of 1.1.5; ...) misses 6 fixes: CVE-2024-21626 (high, fixed in 1.1.12); ...
""", references=[
    "runc security advisories: https://github.com/opencontainers/runc/security/advisories",
    "runc CHANGELOG: https://github.com/opencontainers/runc/blob/main/CHANGELOG.md",
    "runc CHANGELOG at a fixed tag: https://github.com/opencontainers/runc/blob/v1.5.1/CHANGELOG.md",
    "CVE-2019-5736 fix commit (first tag v1.0.0-rc7): https://github.com/opencontainers/runc/commit/0a8e4117e7f715d5fbeef398405813ce8e88558b",
])


def check(run, settings):
    yield from below_fixed(run, settings, COMPONENT, CODE)
