"""NL402: a version 1 or 2 containerd config on containerd 2.x.

## What it does
When the node's or repo's containerd is known to be 2.x (see NL301 for the sources), reports a
config without ``version = 3`` (or 4): containerd 2.x migrates version 2 files on every start
(``Configuration migrated from version N, use containerd config migrate to avoid migration``).
Version 1 and 2 files are deprecated.

A version 1 file (or one without a version line) is *not* migrated by containerd 2.0-2.2: the
loader takes it as version 3, so its CRI runtime settings are ignored (``Ignoring unknown key``);
NL101 reports what that does to runc.  2.3 and later migrate it like a version 2 file.

## Why it matters
Every start runs a migration whose result nobody reviewed; plugin settings that do not migrate
cleanly are dropped with a warning in the log.  ``containerd config migrate`` prints the
version 3 file to ship instead.

## Example
```toml
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = true
```
with ``containerd_version = "2.1.4"``.

## Fix
No automatic fix: run ``containerd config migrate`` with the containerd you ship and review the
result (it does not migrate imported files).

## References
- containerd config migration: https://github.com/containerd/containerd/blob/main/RELEASES.md
- Migration warning logged on start: https://github.com/containerd/containerd/blob/v2.0.0/cmd/containerd/server/server.go
- 2.0-2.2 loader migrates v0/v1 files only to the global version, skipping plugin migration: https://github.com/containerd/containerd/blob/v2.0.0/cmd/containerd/server/config/config.go
- Fixed in 2.3 ("Update plugin config migration to run on load"): https://github.com/containerd/containerd/pull/12608
"""
from __future__ import annotations

from ..values.findings import Finding

CODE = "NL402"
NAME = "config-version-migrated"
SEVERITY = "warning"
FIXABLE = False
SUMMARY = "containerd config version 1/2 with containerd 2.x (migrated on every start)"
KINDS = ("containerd",)
SCOPE = "node"


def check(node, settings):
    facts = [f for f in node.versions if f.component == "containerd" and f.release.version.major >= 2]
    for doc in node.of_kind("containerd"):
        data = doc.data if isinstance(doc.data, dict) else {}
        if doc.parsed is None or doc.role == "fragment" or doc.extra.get("containerd_releases"):
            continue  # (a default printed by `containerd config default` is its releases' own)
        version = data.get("version")
        version = version if isinstance(version, int) and not isinstance(version, bool) and version > 0 else 1
        if version >= 3:
            continue
        for fact in facts:
            pos = doc.position(("version",))
            v = fact.release.version
            if version == 1 and (v.major, v.minor) < (2, 3):
                what = ("containerd 2.0-2.2 do not migrate a version 1 file: its CRI settings are ignored (NL101); "
                        "ship a version 3 file")
            else:
                what = "containerd 2.x migrates it on every start; ship the output of `containerd config migrate` (version 3)"
            yield Finding(CODE, SEVERITY, doc.path, pos.line, pos.column,
                          f"config version {version} with containerd {fact.release.raw} ({fact.source}: {fact.detail} "
                          f"in {fact.path}): {what}")
