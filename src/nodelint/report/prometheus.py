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


def render(findings: list[Finding], success: bool, now: float | None = None, root: str | None = None) -> str:
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
    return "\n".join(out) + "\n"
