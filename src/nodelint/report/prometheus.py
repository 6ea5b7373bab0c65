"""Prometheus text format for node_exporter's textfile collector (``--output`` into its directory)."""
from __future__ import annotations

import time
from collections import Counter

from ..values.findings import Finding


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def node_path(path: str, root: str | None) -> str:
    """A path as the node knows it: under ``--root /host``, ``/host/etc/x`` is ``/etc/x``."""
    if not root:
        return path
    import os

    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    return path if rel.startswith("..") else "/" + rel.replace(os.sep, "/").lstrip("./")


def render(findings: list[Finding], success: bool, now: float | None = None, root: str | None = None,
           live: dict | None = None) -> str:
    counts = Counter((f.rule, f.severity, node_path(f.path, root)) for f in findings)
    out = ["# HELP nodelint_findings Findings nodelint reported in its last run, by rule, severity and file.",
           "# TYPE nodelint_findings gauge"]
    for (rule, severity, path), n in sorted(counts.items()):
        out.append(f'nodelint_findings{{rule="{_label(rule)}",severity="{_label(severity)}",path="{_label(path)}"}} {n}')
    out += ["# HELP nodelint_last_run_timestamp_seconds When nodelint last ran (Unix time).",
            "# TYPE nodelint_last_run_timestamp_seconds gauge",
            f"nodelint_last_run_timestamp_seconds {now if now is not None else time.time():.3f}",
            "# HELP nodelint_run_success 1 when the last run completed, 0 when it failed with an error.",
            "# TYPE nodelint_run_success gauge",
            f"nodelint_run_success {1 if success else 0}"]
    if live is not None:
        out += _live(findings, live)
    return "\n".join(out) + "\n"


def _live(findings: list[Finding], live: dict) -> list[str]:
    """Gauges of the running node (--live), so an alert fires before the node runs out."""
    out = []
    usage = live.get("inotify_by_uid", {})
    for what in ("instances", "watches"):
        out += [f"# HELP nodelint_inotify_{what} inotify {what} held per user on the running node.",
                f"# TYPE nodelint_inotify_{what} gauge"]
        out += [f'nodelint_inotify_{what}{{uid="{_label(uid)}"}} {use[what]}' for uid, use in usage.items()]
        limit = live.get("inotify_limits", {}).get(f"max_user_{what}")
        if limit is not None:
            out += [f"# HELP nodelint_inotify_max_user_{what} fs.inotify.max_user_{what} on the running node.",
                    f"# TYPE nodelint_inotify_max_user_{what} gauge", f"nodelint_inotify_max_user_{what} {limit}"]
    outside = sum(1 for f in findings if f.rule == "NL502")
    out += ["# HELP nodelint_processes_outside_pod_cgroup Pod processes running outside their pod's cgroup (NL502).",
            "# TYPE nodelint_processes_outside_pod_cgroup gauge", f"nodelint_processes_outside_pod_cgroup {outside}",
            "# HELP nodelint_live_processes Processes the live audit read.",
            "# TYPE nodelint_live_processes gauge", f"nodelint_live_processes {live.get('processes', 0)}"]
    if live.get("cgroup_version"):
        out += ["# HELP nodelint_cgroup_version The cgroup version of the running node (1 includes hybrid).",
                "# TYPE nodelint_cgroup_version gauge", f"nodelint_cgroup_version {live['cgroup_version']}"]
    return out
