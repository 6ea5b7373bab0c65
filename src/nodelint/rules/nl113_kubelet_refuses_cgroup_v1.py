"""NL113: kubelet will refuse to start: the node boots cgroup v1 and kubelet fails on it.

## What it does
Finds where the node is put on cgroup v1: ``systemd.unified_cgroup_hierarchy=0`` (or ``false``,
``no``, ``off``) on the kernel command line an image configures (``GRUB_CMDLINE_LINUX`` and
``GRUB_CMDLINE_LINUX_DEFAULT`` in ``/etc/default/grub`` and ``/etc/default/grub.d/*.cfg``,
``options`` in ``/boot/loader/entries/*.conf``, ``/etc/kernel/cmdline``) or, with ``--live``,
the running host.  Then reports it when kubelet will refuse to start there: its
``failCgroupV1`` (``--fail-cgroupv1``) is true, or unset on kubelet 1.35 or later, where the
default became true.  The kubelet version comes from what nodelint knows (declared, pinned,
dpkg, build info); without one, NL114 reports the deprecated setup instead.

## Why it matters
kubelet 1.35 stops at start on a cgroup v1 host ("kubelet is configured to not run on a host
using cgroup v1"): a node image that worked with 1.34 never joins after the upgrade.  A hybrid
hierarchy counts as v1.

## Example
``etc/default/grub`` on an image with kubelet 1.35:
```ini
GRUB_CMDLINE_LINUX="console=ttyS0 systemd.unified_cgroup_hierarchy=0"
```
```console
etc/default/grub:1:35: NL113 error kubelet 1.35 refuses to start on cgroup v1 (failCgroupV1 is true by default from 1.35), and systemd.unified_cgroup_hierarchy=0 (GRUB_CMDLINE_LINUX) boots it: remove it to boot cgroup v2
```

## Fix
No automatic fix: remove the parameter (and regenerate the boot configuration:
``update-grub``/``grub2-mkconfig``, ``kernel-install``) so the node boots cgroup v2, which every
supported runtime uses; or, for a while, set ``failCgroupV1: false`` in the kubelet config.

## References
- kubelet's failCgroupV1 validation (added in 1.31, true by default from 1.35): https://github.com/kubernetes/kubernetes/blob/0428b0fd07fedac134c97b3c802733c02ec06adb/pkg/kubelet/apis/config/validation/validation_linux.go#L30-L34
- KEP-5573, removing cgroup v1 support: https://github.com/kubernetes/enhancements/blob/64765b4b02389318f2113119dd9e491479f978a0/keps/sig-node/5573-remove-cgroup-v1/README.md#L204-L219
- Kubernetes, about cgroup v2 (``systemd.unified_cgroup_hierarchy``, ``stat -fc %T /sys/fs/cgroup``): https://kubernetes.io/docs/concepts/architecture/cgroups/
- systemd.unified_cgroup_hierarchy (kernel-command-line(7)): https://www.freedesktop.org/software/systemd/man/latest/kernel-command-line.html
- Boot Loader Specification (``options``): https://uapi-group.org/specifications/specs/boot_loader_specification/
"""
from __future__ import annotations

from ..models.cgroup_version import configured_v1, kubelet_fails_on_v1, live_v1, refuses
from ..values.findings import Finding, Related

CODE = "NL113"
NAME = "kubelet-refuses-cgroup-v1"
SEVERITY = "error"
FIXABLE = False
SUMMARY = "The node boots cgroup v1 and its kubelet refuses to start on it (failCgroupV1)"
KINDS = ("kernel-cmdline",)
SCOPE = "node"


def check(node, settings):
    evidence = configured_v1(node) or live_v1(node, settings)
    if not evidence:
        return
    for _, setting, version in kubelet_fails_on_v1(node):
        if not refuses(setting, version):
            continue
        name = f"kubelet {'.'.join(map(str, version))}" if version else "kubelet"
        if setting is not None:
            why = f"failCgroupV1 is {setting.value} ({setting.describe()})"
            related = (Related(setting.doc.path, setting.position.line, setting.position.column,
                               "kubelet's failCgroupV1"),)
        else:
            why, related = "failCgroupV1 is true by default from 1.35", ()
        for e in evidence:
            yield Finding(CODE, SEVERITY, e.path, e.line, e.column,
                          f"{name} refuses to start on cgroup v1 ({why}), and {e.what} boots it: "
                          "remove it to boot cgroup v2", related=related)
        return
