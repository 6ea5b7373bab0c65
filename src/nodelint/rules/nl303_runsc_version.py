"""NL303: runsc (gVisor) is older than a release that fixed a known advisory (docs: version_rules.docs)."""
from __future__ import annotations

from .version_rules import FIXABLE, KINDS, SCOPE, SEVERITY, below_fixed, docs, summary

CODE = "NL303"
NAME = "runsc-below-fixed-version"
COMPONENT = "runsc"
SUMMARY = summary("runsc (gVisor)")
__all__ = ["CODE", "NAME", "SEVERITY", "FIXABLE", "SUMMARY", "KINDS", "SCOPE", "check"]

__doc__ = docs(CODE, COMPONENT, "runsc (gVisor)", pins="gvisor_version / runsc_version", program="runsc", why="""
gVisor pods with a 256 MiB limit ate a 500 GiB node: runsc before release-20231106.0 read the pod's
limits from the leaf cgroup (``max``) under cgroup v2 with the systemd driver and sized the
sandbox as unlimited; runsc before release-20220321.0 cannot use systemd cgroups at all.
Versions are gVisor release dates (``release-20240401.0`` or ``20240401.0``): one release line.
""", example="""
$ nodelint --runtime-version runsc=release-20230920.0
--runtime-version:1:1: NL303 warning runsc release-20230920.0 (declared: declared version) misses 3 fixes: runsc-cgroupv2-systemd-parent-limits (medium, fixed in 20231106.0); ...
""", references=[
    "gVisor PR #7287 (systemd cgroups), issue #9580 (pod limits under cgroup v2): https://github.com/google/gvisor/issues/9580",
    "systemd-cgroup support (first tag release-20220321.0): https://github.com/google/gvisor/commit/bf86207401cab99d859b25acd4911038608f0d33",
    "parent-slice limits under cgroup v2 (first tag release-20231106.0): https://github.com/google/gvisor/commit/42b69d0151b778b53cd23ec7dcca963903857294",
])


def check(run, settings):
    yield from below_fixed(run, settings, COMPONENT, CODE)
