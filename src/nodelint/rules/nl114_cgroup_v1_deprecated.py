"""NL114: the node boots cgroup v1, which its runtimes and kubelet are dropping.

## What it does
Finds where the node is put on cgroup v1, as NL113 does (``systemd.unified_cgroup_hierarchy=0``
on the kernel command line an image configures, or the running host with ``--live``), and
reports it when NL113 does not (kubelet's refusal is not known to apply).

## Why it matters
cgroup v1 is on its way out everywhere: kubelet keeps it in maintenance mode since 1.31 and
refuses to start on it by default from 1.35 (``failCgroupV1``); containerd deprecates it in 2.2
and Docker Engine in 29; systemd 256 refuses to boot on it without
``SYSTEMD_CGROUP_ENABLE_LEGACY_FORCE=1``, and systemd 258 removed it.  An image that pins v1
stops booting, or stops joining, at an upgrade that looks routine.

## Example
``boot/loader/entries/fedora.conf``:
```ini
options root=UUID=0b0c ro systemd.unified_cgroup_hierarchy=0
```
```console
boot/loader/entries/fedora.conf:1:28: NL114 warning systemd.unified_cgroup_hierarchy=0 (options) boots cgroup v1, deprecated: kubelet 1.35+ refuses it by default (failCgroupV1), containerd 2.2 and Docker 29 deprecate it, systemd 256+ refuses to boot on it unless forced and 258 removed it
```

## Fix
No automatic fix: remove the parameter and regenerate the boot configuration so the node boots
cgroup v2.

## References
- KEP-5573, removing cgroup v1 support from kubelet: https://github.com/kubernetes/enhancements/blob/64765b4b02389318f2113119dd9e491479f978a0/keps/sig-node/5573-remove-cgroup-v1/README.md#L204-L219
- containerd 2.2 deprecates cgroup v1: https://github.com/containerd/containerd/blob/v2.2.0/RELEASES.md#L478-L482
- Docker Engine 29 deprecates cgroup v1: https://github.com/moby/moby/pull/51360
- systemd 256 (refuses cgroup v1 unless ``SYSTEMD_CGROUP_ENABLE_LEGACY_FORCE=1``): https://github.com/systemd/systemd/releases/tag/v256
- kernel-command-line(7), ``systemd.unified_cgroup_hierarchy``: https://www.freedesktop.org/software/systemd/man/latest/kernel-command-line.html
"""
from __future__ import annotations

from ..models.cgroup_version import configured_v1, kubelet_fails_on_v1, live_v1, refuses
from ..values.findings import Finding

CODE = "NL114"
NAME = "cgroup-v1-deprecated"
SEVERITY = "warning"
FIXABLE = False
SUMMARY = "The node boots cgroup v1, deprecated by kubelet, containerd, Docker and systemd"
KINDS = ("kernel-cmdline",)
SCOPE = "node"


def check(node, settings):
    evidence = configured_v1(node) or live_v1(node, settings)
    if not evidence or any(refuses(s, v) for _, s, v in kubelet_fails_on_v1(node)):
        return  # NL113 reports it
    unknown = all(v is None for _, _, v in kubelet_fails_on_v1(node))
    tail = " (kubelet's version is not known: 1.35 and later refuse it)" if unknown else ""
    for e in evidence:
        yield Finding(CODE, SEVERITY, e.path, e.line, e.column,
                      f"{e.what} boots cgroup v1, deprecated: kubelet 1.35+ refuses it by default (failCgroupV1), "
                      "containerd 2.2 and Docker 29 deprecate it, systemd 256+ refuses to boot on it unless forced "
                      f"and 258 removed it{tail}")
