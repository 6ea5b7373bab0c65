"""NL301: containerd is older than a release that fixed a known advisory (docs: version_rules.docs)."""
from __future__ import annotations

from .version_rules import FIXABLE, KINDS, SCOPE, SEVERITY, below_fixed, docs, summary

CODE = "NL301"
NAME = "containerd-below-fixed-version"
COMPONENT = "containerd"
SUMMARY = summary("containerd")
__all__ = ["CODE", "NAME", "SEVERITY", "FIXABLE", "SUMMARY", "KINDS", "SCOPE", "check"]

__doc__ = docs(CODE, COMPONENT, "containerd", pins="containerd_version", program="containerd", why="""
containerd before 1.6.0 (1.5.12 on the 1.5 line) leaked one inotify instance per container on
cgroup v2 until nodes ran out (``fs.inotify.max_user_instances``, NL201), and its security fixes
(CVE-2022-23648 host file reads, CVE-2024-25621 permissive state directories, ...) arrive only
by upgrading.  Image pins are where an old containerd quietly survives for months.
""", example="""
$ nodelint packer/config/containerd.json
packer/config/containerd.json:6:25: NL301 error containerd 1.6.22 (pin: containerd_version) misses 5 fixes: ...; move to 1.7.29 or later
""", references=[
    "containerd security advisories: https://github.com/containerd/containerd/security/advisories",
    "cgroup v2 inotify leak: https://github.com/containerd/cgroups/pull/212, https://github.com/containerd/containerd/pull/6498",
    "Fixed versions per release line, from release notes (e.g. https://github.com/containerd/containerd/blob/v1.7.29/releases/v1.7.29.toml); each entry in ``rules/advisories.toml`` lists its sources",
    "1.5 backport of the inotify fix: https://github.com/containerd/containerd/blob/v1.5.12/releases/v1.5.12.toml",
])


def check(run, settings):
    yield from below_fixed(run, settings, COMPONENT, CODE)
