"""The stable JSON report (format version 1)."""
from __future__ import annotations

import json

from ..values.findings import Finding

FORMAT_VERSION = 1


def as_dict(findings: list[Finding], files: int, fixed: int, would: bool = False) -> dict:
    """``would``: a --diff run: nothing was fixed, ``would_fix`` says what --fix would fix."""
    summary = {"files": files, "findings": len(findings), "fixed": 0 if would else fixed}
    if would:
        summary["would_fix"] = fixed
    return {
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


def render(findings: list[Finding], files: int, fixed: int, would: bool = False) -> str:
    return json.dumps(as_dict(findings, files, fixed, would), indent=2) + "\n"
