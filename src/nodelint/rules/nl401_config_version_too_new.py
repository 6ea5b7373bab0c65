"""NL401: a containerd config version the node's containerd cannot read.

## What it does
When a containerd version is known for the node or the repo (declared, pinned, or found under
``--root``, see NL301), reports a config whose ``version`` that containerd cannot read:

- ``version = 3`` with containerd 1.x: 1.6.32+ and 1.7.17+ refuse to start
  (``unsupported config version `3` ``); older 1.x releases do not check, read the file as
  version 2 and silently ignore the ``io.containerd.cri.v1.runtime`` tables, so runc runs
  without ``SystemdCgroup``;
- ``version = 4`` with containerd before 2.3: 2.0-2.2 refuse to start (``expected containerd
  config version equal to or less than 3``); 1.x as above.

## Why it matters
The config looks right and is right, for another containerd: the node either never starts its
runtime or starts it with every CRI setting in the file ignored.

## Example
```toml
version = 3
[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
  SystemdCgroup = true
```
with ``containerd_version = "1.7.20"`` in the Packer variables.

## Fix
No automatic fix: write the config for the containerd you ship (``version = 2`` paths for 1.x), or
ship a containerd that reads it.

## References
- containerd config versions: https://github.com/containerd/containerd/blob/v2.0.0/docs/cri/config.md
- 1.x refuses ``version = 3`` from 1.6.32 / 1.7.17: https://github.com/containerd/containerd/blob/v1.7.17/services/server/config/config.go
- 2.x limit (``expected containerd config version equal to or less than``), 3 in 2.0-2.2, 4 in 2.3: https://github.com/containerd/containerd/blob/v2.0.0/cmd/containerd/server/config/config.go, https://github.com/containerd/containerd/blob/v2.3.0/version/version.go
- 1.x version check: https://github.com/containerd/containerd/blob/release/1.7/services/server/config/config.go
"""
from __future__ import annotations

from ..values.findings import Finding

CODE = "NL401"
NAME = "config-version-too-new"
SEVERITY = "error"
FIXABLE = False
SUMMARY = "containerd config version 3/4 with a containerd that cannot read it"
KINDS = ("containerd",)
SCOPE = "node"


def problem(config_version: int, v) -> str | None:
    from ..models.versions import parse

    if config_version >= 3 and v.major < 2:
        refuses = (v.minor == 6 and v >= parse("1.6.32").version) or (v.minor >= 7 and v >= parse("1.7.17").version)
        if refuses:
            return f"containerd {v} refuses to start with version {config_version} (unsupported config version)"
        return (f"containerd {v} does not check the config version: it reads the file as version 2 and ignores "
                "the io.containerd.cri.v1.runtime tables, so runc runs without SystemdCgroup")
    if config_version >= 4 and v < parse("2.3.0").version:
        return f"containerd {v} refuses to start: it reads config versions up to 3 (version 4 needs 2.3 or later)"
    return None


def check(node, settings):
    facts = [f for f in node.versions if f.component == "containerd"]
    for doc in node.of_kind("containerd"):
        data = doc.data if isinstance(doc.data, dict) else {}
        version = data.get("version")
        if doc.parsed is None or not isinstance(version, int) or isinstance(version, bool) or version < 3:
            continue
        if doc.extra.get("containerd_releases"):
            continue  # printed by `containerd config default` of releases that read it (read/embedded)
        for fact in facts:
            issue = problem(version, fact.release.version)
            if issue:
                pos = doc.value_position(("version",))
                yield Finding(CODE, SEVERITY, doc.path, pos.line, pos.column,
                              f"version = {version}, but {issue} ({fact.source}: {fact.detail} in {fact.path})")
