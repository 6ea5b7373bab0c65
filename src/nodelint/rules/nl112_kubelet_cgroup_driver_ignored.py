"""NL112: kubelet's cgroupDriver is ignored: kubelet takes the runtime's driver, and it differs.

## What it does
When the versions nodelint knows (declared, pinned, dpkg, build info) say kubelet takes its
cgroup driver from the runtime (kubelet 1.31 or later, where ``KubeletCgroupDriverFromCRI`` is
on by default, with containerd 2.0 or later or CRI-O 1.28 or later), reports a kubelet
``cgroupDriver`` (or ``--cgroup-driver``, or kubeadm's ``KubeletConfiguration``) that differs
from the driver the runtime reports: containerd's default runc handler (``SystemdCgroup = true``
is systemd, anything else cgroupfs) or CRI-O's ``cgroup_manager``.

## Why it matters
The setting is dead: kubelet logs "Using cgroup driver setting received from the CRI runtime"
and uses the runtime's.  It misleads whoever reads the config (and NL107's older verdict, a
mismatch, no longer holds), and it comes back to life if the node is downgraded or the runtime
is swapped for one that does not report its driver.

## Example
``var/lib/kubelet/config.yaml`` with kubelet 1.33 and containerd 2.1:
```yaml
kind: KubeletConfiguration
cgroupDriver: cgroupfs
```
``etc/containerd/config.toml``:
```toml
version = 3
[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
  SystemdCgroup = true
```
```console
var/lib/kubelet/config.yaml:2:15: NL112 warning kubelet ignores cgroupDriver: cgroupfs: kubelet 1.33 with KubeletCgroupDriverFromCRI, containerd 2.1 reports its driver, systemd (etc/containerd/config.toml:3:19); set it to systemd so the files say what runs
```

## Fix
Safe: sets the kubelet's setting to the driver the runtime reports, which is what kubelet
already uses.  Nothing changes on the running node.

## References
- KEP-4033, cgroup driver detection over CRI (alpha 1.28, beta and on by default 1.31, GA 1.34): https://github.com/kubernetes/enhancements/blob/64765b4b02389318f2113119dd9e491479f978a0/keps/sig-node/4033-group-driver-detection-over-cri/README.md
- containerd's RuntimeConfig (default handler first; SystemdCgroup = true: systemd, else cgroupfs): https://github.com/containerd/containerd/blob/v2.0.0/internal/cri/server/runtime_config_linux.go#L34-L82
- kubelet takes the runtime's driver ("Using cgroup driver setting received from the CRI runtime"): https://github.com/kubernetes/kubernetes/pull/118770
"""
from __future__ import annotations

from ..read.kinds import templated_value
from ..values.findings import Fix, Related
from . import finding

CODE = "NL112"
NAME = "kubelet-cgroup-driver-ignored"
SEVERITY = "warning"
FIXABLE = True
SUMMARY = "kubelet cgroupDriver is ignored (kubelet takes the runtime's driver) and differs from it"
KINDS = ("kubelet", "kubeadm", "kubelet-env", "systemd")
SCOPE = "node"


def check(node, settings):
    from ..models.driver_source import driver_source
    from ..models.kubelet import kubelets
    from ..models.runtime_drivers import runtime_drivers

    runtimes = runtime_drivers(node)
    for kubelet in kubelets(node):
        source = driver_source(node, kubelet)
        winner = kubelet.winner("cgroupDriver", "cgroup-driver")
        if source.decides != "runtime" or winner is None or templated_value(winner.value):
            continue
        reported = [r for r in runtimes if r[0] == source.runtime and not r[4]]
        if len({r[1] for r in reported}) != 1 or reported[0][1] == winner.value:
            continue
        name, driver, rdoc, rkey, _ = reported[0]
        pos = rdoc.value_position(rkey) if rkey else rdoc.position(())
        related = (Related(rdoc.path, pos.line, pos.column, f"{name} reports the {driver} cgroup driver"),)
        what = f"cgroupDriver: {winner.value}" if winner.origin != "flag" else f"--cgroup-driver={winner.value}"
        fix = Fix((winner.set_to(driver),), f"set cgroupDriver to {driver}, the driver kubelet uses")
        yield finding(CODE, SEVERITY, winner.doc, winner.key,
                      f"kubelet ignores {what}: {source.why}, {driver} ({rdoc.path}:{pos.line}:{pos.column}); "
                      f"set it to {driver} so the files say what runs", fix, at_value=True, related=related)
