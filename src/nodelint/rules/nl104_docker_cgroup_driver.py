"""NL104: Docker's cgroup driver is not systemd.

## What it does
Reads ``exec-opts`` in Docker's ``daemon.json``.  Each entry is ``key=value``; dockerd
lower-cases and trims the key, trims the value.

- ``native.cgroupdriver=cgroupfs`` (or any value other than the target) is an **error**;
- no ``native.cgroupdriver`` entry is a **warning**: Docker 20.10+ then picks systemd
  only on a cgroup v2 host booted with systemd, and cgroupfs on cgroup v1 hosts, so
  the image's behaviour depends on the host it boots on.

Several ``native.cgroupdriver`` entries are judged one by one (Docker 27 and older
use the first, 28+ the last).

## Why it matters
With cri-dockerd, kubelet and Docker must use the same driver; with Docker's own
containers on a systemd host, cgroupfs means two cgroup managers.  A systemd
container escaped its memory limit on exactly such a node.

## Example
Bad:
```json
{ "exec-opts": ["native.cgroupdriver=cgroupfs"] }
```
Good:
```json
{ "exec-opts": ["native.cgroupdriver=systemd"] }
```

## Fix
Safe.  Replaces every cgroupdriver entry with ``native.cgroupdriver=systemd``, or adds
it to ``exec-opts`` (creating the key), keeping the file's indentation and key order.
Do not also pass ``--exec-opt`` in docker.service: dockerd refuses an option given
both as a flag and in daemon.json.

## References
- dockerd exec-opts: https://docs.docker.com/reference/cli/dockerd/#options-for-the-runtime
- moby ``UsingSystemd`` default (PR #40846): https://github.com/moby/moby/pull/40846
- exec-opts parsing (key lower-cased and trimmed; unknown keys fatal from 28.0): https://github.com/moby/moby/blob/v28.0.0/daemon/config/config.go
- systemd default on cgroup v2 hosts running systemd (20.10): https://github.com/moby/moby/blob/v20.10.0/daemon/daemon_unix.go
- Docker 27 uses the first ``native.cgroupdriver`` entry (``getCD``): https://github.com/moby/moby/blob/v27.5.1/daemon/daemon_unix.go
"""
from __future__ import annotations

from ..models.docker import OPTION, cgroup_driver_entries

from ..values.edits import AppendToList, SetKey
from ..values.findings import Fix
from . import finding

CODE = "NL104"
NAME = "docker-cgroup-driver"
SEVERITY = "error"
FIXABLE = True
SUMMARY = "Docker daemon.json does not set native.cgroupdriver=systemd"
KINDS = ("docker",)
SCOPE = "document"



def check(doc, settings):
    data = doc.data
    if not isinstance(data, dict):
        return
    want = settings.cgroup_driver
    wanted_entry = f"{OPTION}={want}"
    entries = cgroup_driver_entries(data)
    for i, value in entries:
        if value == want:
            continue
        fix = Fix((SetKey(doc.path, ("exec-opts", i), wanted_entry),), f'use "{wanted_entry}"')
        msg = f"Docker uses the {value} cgroup driver ({OPTION}={value} in exec-opts), not {want}"
        yield finding(CODE, "error", doc, ("exec-opts", i), msg, fix, at_value=True)
    if entries:
        return
    opts = data.get("exec-opts")
    if isinstance(opts, list):
        edit = AppendToList(doc.path, ("exec-opts",), wanted_entry)
        where = ("exec-opts",)
    elif opts is None:
        edit = SetKey(doc.path, ("exec-opts",), [wanted_entry])
        where = ()
    else:
        return  # a malformed exec-opts is dockerd's start-up error, reported by NL108
    msg = (f"no {OPTION} in exec-opts: Docker picks systemd only on cgroup v2 hosts booted with systemd and "
           f"cgroupfs elsewhere; set {wanted_entry}")
    yield finding(CODE, "warning", doc, where, msg, Fix((edit,), f'add "{wanted_entry}" to exec-opts'))
