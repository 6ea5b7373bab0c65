"""GitHub Actions workflow commands: annotations on the pull request's files."""
from __future__ import annotations

from ..values.findings import Finding

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(findings: list[Finding]) -> str:
    lines = [f"::{COMMAND[f.severity]} file={_property(f.path)},line={f.line},col={f.column},"
             f"title={_property(f.rule)}::{_data(f.message)}" for f in findings]
    return "\n".join(lines) + ("\n" if lines else "")
