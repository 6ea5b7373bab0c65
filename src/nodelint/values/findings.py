"""Findings and fixes: what a rule reports, and the edits that resolve it.

Small, frozen and free of behaviour (values/record.py).  Rules build these; the engine filters
and applies them; reports render them.
"""
from __future__ import annotations

from .edits import Edit
from .record import record

SEVERITIES = ("info", "warning", "error")


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@record(frozen=True)
class Fix:
    """Edits that resolve one finding.  ``safe`` fixes run with ``--fix``."""

    edits: tuple[Edit, ...]
    description: str
    safe: bool = True


@record(frozen=True)
class Related:
    """Another place that takes part in a finding (e.g. the other side of a mismatch)."""

    path: str
    line: int
    column: int
    message: str


@record(frozen=True)
class Finding:
    rule: str
    severity: str
    path: str
    line: int
    column: int
    message: str
    fix: Fix | None = None
    related: tuple[Related, ...] = ()

    @property
    def fixable(self) -> bool:
        return self.fix is not None and self.fix.safe

    def as_reported(self) -> "Finding":
        """The finding as reports need it once its batch is done: whether a fix exists, is safe,
        and what it does, not its edits (a 100,000-file run keeps every finding to the end)."""
        if self.fix is None or not self.fix.edits:
            return self
        return Finding(self.rule, self.severity, self.path, self.line, self.column, self.message,
                       Fix((), self.fix.description, self.fix.safe), self.related)

    def without_fix(self) -> "Finding":
        """The same report, offering no fix (another fix of the file must land first)."""
        return Finding(self.rule, self.severity, self.path, self.line, self.column, self.message, None, self.related)

    @property
    def key(self) -> tuple:
        """What makes two findings the same report (the same rule, place and message)."""
        return (self.rule, self.path, self.line, self.column, self.message)

    @property
    def order(self) -> tuple:
        """Where a finding goes in a report: by file, line, column, then rule."""
        return (self.path, self.line, self.column, self.rule)
