"""The stable JSON report (format version 1)."""
from __future__ import annotations

import json

from ..values.findings import Finding

FORMAT_VERSION = 1


def as_dict(findings: list[Finding], files: int, fixed: int, would: bool = False, live: dict | None = None) -> dict:
    """``would``: a --diff run: nothing was fixed, ``would_fix`` says what --fix would fix;
    ``live``: the running node's facts (--live), as ``"live"``."""
    summary = {"files": files, "findings": len(findings), "fixed": 0 if would else fixed}
    if would:
        summary["would_fix"] = fixed
    report = {
        "version": FORMAT_VERSION,
        "findings": [
            {
                "rule": f.rule,
                "severity": f.severity,
                "path": f.path,
                "line": f.line,
                "column": f.column,
                "message": f.message,
                "fixable": f.fixable,
            }
            for f in findings
        ],
        "summary": summary,
    }
    if live is not None:
        report["live"] = live
    return report


def render(findings: list[Finding], files: int, fixed: int, would: bool = False, live: dict | None = None) -> str:
    return json.dumps(as_dict(findings, files, fixed, would, live), indent=2) + "\n"
