"""The stable JSON report (format version 1)."""
from __future__ import annotations

import json

from ..values.findings import Finding

FORMAT_VERSION = 1


def as_dict(findings: list[Finding], files: int, fixed: int) -> dict:
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
        "summary": {"files": files, "findings": len(findings), "fixed": fixed},
    }


def render(findings: list[Finding], files: int, fixed: int) -> str:
    return json.dumps(as_dict(findings, files, fixed), indent=2) + "\n"
