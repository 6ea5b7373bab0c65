"""``path:line:col: NL101 error message [*]`` lines and a summary."""
from __future__ import annotations

import os
import sys

from ..values.findings import Finding

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_BOLD, _RESET = "\033[1m", "\033[0m"


def use_color(no_color: bool, stream=None) -> bool:
    """Colours on a terminal, or wherever FORCE_COLOR asks for them; never with NO_COLOR or --no-color."""
    stream = sys.stdout if stream is None else stream
    if no_color or "NO_COLOR" in os.environ:
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def line(f: Finding, color: bool) -> str:
    mark = " [*]" if f.fixable else ""
    # a command-line option is no file: it has no line and column ("--runtime-version containerd=1.6.2:")
    where = f"{f.path}:" if f.path.startswith("--") else f"{f.path}:{f.line}:{f.column}:"
    if color:
        sev = f"{_COLORS[f.severity]}{f.severity}{_RESET}"
        return f"{_BOLD}{where}{_RESET} {_BOLD}{f.rule}{_RESET} {sev} {f.message}{mark}"
    return f"{where} {f.rule} {f.severity} {f.message}{mark}"


def summary(findings: list[Finding], files: int, fixed: int, fixing: bool, would: bool = False) -> str:
    """The last line of a report; ``would``: a --diff run, which wrote nothing."""
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
    parts = [f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n]
    fixable = sum(1 for f in findings if f.fixable)
    checked = f"{files} file{'s' if files != 1 else ''} checked"
    if not fixing:
        head = ""
    elif would:
        head = f"--fix would fix {fixed} finding{'s' if fixed != 1 else ''}. " if fixed else "Nothing to fix. "
    else:
        head = f"Fixed {fixed} finding{'s' if fixed != 1 else ''}. " if fixed else "Nothing to fix. "
    if not findings:
        return f"{head}No findings{' would remain' if would else ''} ({checked})."
    unsafe = sum(1 for f in findings if f.fix is not None and not f.fix.safe)
    tail = f"; {fixable} fixable with --fix" if fixable and not fixing else ""
    if unsafe:
        tail += f"; {unsafe} more with --fix --unsafe-fixes"
    remaining = (" would remain" if would else " remaining") if fixing else ""
    return f"{head}Found {len(findings)} finding{'s' if len(findings) != 1 else ''}{remaining} " \
           f"({', '.join(parts)}) in {checked}{tail}."


def live_facts(live: dict) -> str:
    """The running node's facts (--live) in one line, before the summary."""
    version = {2: "cgroup v2", 1: "cgroup v1"}.get(live.get("cgroup_version"), "cgroup version unknown")
    parts = [version, f"PID 1 {live.get('pid1') or 'unknown'}", f"{live.get('processes', 0)} processes read"]
    limits = live.get("inotify_limits", {})
    top = max(live.get("inotify_by_uid", {}).items(), key=lambda kv: kv[1]["instances"], default=None)
    if top is not None and limits.get("max_user_instances"):
        parts.append(f"inotify: uid {top[0]} holds {top[1]['instances']} of {limits['max_user_instances']} instances")
    return "Live node: " + ", ".join(parts) + "."


def render(findings: list[Finding], files: int, fixed: int, fixing: bool, quiet: bool, color: bool,
           would: bool = False, live: dict | None = None) -> str:
    out = [line(f, color) for f in findings]
    if not quiet:
        if live:
            out.append(live_facts(live))
        out.append(summary(findings, files, fixed, fixing, would))
    return "\n".join(out) + ("\n" if out else "")
