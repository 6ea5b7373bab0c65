"""Bottlerocket user data: TOML settings.

``settings.kernel.sysctl`` (quoted keys, string values) is applied by Bottlerocket at boot over
its own defaults, which already set ``fs.inotify.max_user_instances = 8192`` and
``fs.inotify.max_user_watches = 524288`` (packages/release/release-sysctl.conf).  Bottlerocket's
kubelet and containerd run on the systemd cgroup driver whatever the settings say
(``cgroupDriver: systemd`` and ``SystemdCgroup = true`` are fixed in its templates).  Sources:
https://github.com/bottlerocket-os/bottlerocket/blob/v1.13.0/README.md (kernel settings),
https://github.com/bottlerocket-os/bottlerocket-core-kit/tree/v3.1.1/packages (release, kubernetes, containerd).
"""
from __future__ import annotations

from . import Found
from .codecs import KeyValueLines, Nowhere, TomlString

BASE_SYSCTL = "fs.inotify.max_user_instances = 8192\nfs.inotify.max_user_watches = 524288\n"


def find(outer) -> list[Found]:
    settings = outer.data.get("settings") if isinstance(outer.data, dict) else None
    if not isinstance(settings, dict):
        return []
    out = [Found("Bottlerocket's own kernel defaults", "/usr/lib/sysctl.d/80-bottlerocket-release.conf",
                 Nowhere(1, 1), BASE_SYSCTL)]
    table = (settings.get("kernel") or {}).get("sysctl") if isinstance(settings.get("kernel"), dict) else None
    if isinstance(table, dict) and table:
        index = outer.parsed.index
        lines = outer.parsed.lines
        values = []
        for key, value in table.items():
            entry = index.entries.get(("settings", "kernel", "sysctl", key))
            if entry is None or not isinstance(value, str):
                return out  # a value nodelint cannot place: not read
            pos = lines.position(entry.value_start)
            values.append((key.replace("/", "."), TomlString(entry.value_start, entry.value_end, value, pos.line,
                                                                 pos.column)))
        out.append(Found("settings.kernel.sysctl", "/etc/sysctl.d/99-bottlerocket-settings.conf",
                         KeyValueLines(outer.text, values), None, extra={"fixed_keys": True}))
    return out
