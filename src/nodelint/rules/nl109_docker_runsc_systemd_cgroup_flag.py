"""NL109: Docker's runsc runtime gets ``--systemd-cgroup`` while Docker uses cgroupfs.

## What it does
Reports a Docker runtime that runs gVisor (its ``path`` is a ``runsc`` binary, or its
name is ``runsc``/``gvisor``) with ``--systemd-cgroup`` in ``runtimeArgs`` while Docker's
cgroup driver is ``cgroupfs`` (``native.cgroupdriver=cgroupfs`` in ``exec-opts``).

With the systemd driver Docker passes ``--systemd-cgroup`` to runsc itself, through the
runc v2 shim, so its absence is not a finding.

## Why it matters
With the flag, runsc expects systemd-style ``slice:prefix:name`` cgroup paths; a
cgroupfs Docker sends ``/docker/<id>`` instead, and container creation fails or the
sandbox lands outside the limits Docker set.

## Example
Bad:
```json
{
  "exec-opts": ["native.cgroupdriver=cgroupfs"],
  "runtimes": {"runsc": {"path": "/usr/local/bin/runsc", "runtimeArgs": ["--systemd-cgroup"]}}
}
```
Good:
```json
{
  "exec-opts": ["native.cgroupdriver=systemd"],
  "runtimes": {"runsc": {"path": "/usr/local/bin/runsc"}}
}
```

## Fix
No automatic fix: either switch Docker to the systemd driver (NL104's fix) or drop
the flag; which one depends on the host.

## References
- moby ``wrapRuntime`` / ``defaultV2ShimConfig``: https://github.com/moby/moby/blob/master/daemon/runtime_unix.go
- dockerd sets ``SystemdCgroup: UsingSystemd()`` for path runtimes and wraps runtimeArgs in a script: https://github.com/moby/moby/blob/v23.0.0/daemon/runtime_unix.go
- the runc v2 shim adds ``--systemd-cgroup`` when SystemdCgroup is set: https://github.com/containerd/containerd/blob/v1.7.24/vendor/github.com/containerd/go-runc/runc.go
"""
from __future__ import annotations

import posixpath

from . import finding
from ..models.docker import cgroup_driver_entries

CODE = "NL109"
NAME = "docker-runsc-systemd-cgroup-flag"
SEVERITY = "error"
FIXABLE = False
SUMMARY = "Docker's runsc runtime has --systemd-cgroup while Docker uses cgroupfs"
KINDS = ("docker",)
SCOPE = "document"


def _is_runsc(name: str, runtime: dict) -> bool:
    path = runtime.get("path")
    base = posixpath.basename(path) if isinstance(path, str) else ""
    return base.startswith("runsc") or name in ("runsc", "gvisor")


def check(doc, settings):
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("runtimes"), dict):
        return
    drivers = [value for _, value in cgroup_driver_entries(data)]
    if not drivers or "cgroupfs" not in drivers:
        return
    for name, runtime in data["runtimes"].items():
        if not isinstance(runtime, dict) or not _is_runsc(name, runtime):
            continue
        args = runtime.get("runtimeArgs")
        if not isinstance(args, list):
            continue
        for i, arg in enumerate(args):
            if isinstance(arg, str) and arg.split("=", 1)[0] == "--systemd-cgroup" and arg != "--systemd-cgroup=false":
                msg = (f"runtime '{name}' passes --systemd-cgroup to runsc but Docker uses the cgroupfs driver: "
                       "runsc then expects systemd cgroup paths Docker never sends")
                yield finding(CODE, SEVERITY, doc, ("runtimes", name, "runtimeArgs", i), msg, at_value=True)
