"""What dockerd refuses in a daemon.json before it starts (checked with Debian's dockerd 20.10,
26.1 and 28.5 in tests/conformance).

- A top-level key that is not one of its options: "the following directives don't match any
  configuration option" (keys compared case by case: ``Bridge`` is not ``bridge``).  Which keys
  each release accepts is data (rules/docker-daemon-keys.toml), asked of each dockerd by
  scripts/docker-daemon-keys.  Duplicate keys are accepted, the last one winning (NL005).
- Comments and trailing commas: not JSON, refused by every release (the JSON reader's NL001).
- A UTF-8 byte order mark, or an empty file: refused before 23.0 (moby PRs 44770 and 42393),
  read by 23.0 and later.
"""
from __future__ import annotations

from ..read.data import load as load_data


def _releases() -> dict[str, set[str]]:
    return {label: set(table["keys"]) for label, table in load_data("docker-daemon-keys.toml").items()}


def refusals(doc) -> list[tuple[str, str, tuple]]:
    """(severity, message, top-level keys) of what dockerd refuses in ``doc``: an error when
    every release refuses it, a warning naming the releases when only some do."""
    out = []
    if doc.bom or not doc.text.strip():
        what = "a byte order mark" if doc.bom else "an empty file"
        out.append(("warning", f"dockerd before 23.0 (Debian 12's 20.10) refuses {what} in daemon.json; "
                               "23.0 and later read it", ()))
    data = doc.data if isinstance(doc.data, dict) else None
    if data is None:
        return out
    releases = _releases()
    unknown_to_all, unknown_to_some = [], {}
    for key in data:
        refusing = sorted(label for label, keys in releases.items() if key not in keys)
        if len(refusing) == len(releases):
            unknown_to_all.append(key)
        elif refusing:
            unknown_to_some[key] = refusing
    if unknown_to_all:
        names = ", ".join(repr(k) for k in unknown_to_all)
        out.append(("error", f"dockerd refuses to start: {names} "
                             f"{'is not a daemon.json option' if len(unknown_to_all) == 1 else 'are not daemon.json options'} "
                             "(keys are case-sensitive)", tuple(unknown_to_all)))
    for key, refusing in unknown_to_some.items():
        out.append(("warning", f"dockerd {', '.join(refusing)} refuse{'s' if len(refusing) == 1 else ''} to start: "
                               f"{key!r} is not an option there", (key,)))
    return out


OPTION = "native.cgroupdriver"


def cgroup_driver_entries(data) -> list[tuple[int, str]]:
    """(index, value) of each native.cgroupdriver entry in exec-opts."""
    opts = data.get("exec-opts") if isinstance(data, dict) else None
    if not isinstance(opts, list):
        return []
    out = []
    for i, entry in enumerate(opts):
        if isinstance(entry, str) and "=" in entry:
            key, value = entry.split("=", 1)
            if key.strip().lower() == OPTION:
                out.append((i, value.strip()))
    return out
