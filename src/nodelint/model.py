"""Core value types: findings, fixes and edits.

Everything here is small, frozen and free of behaviour.  Rules build these; the
engine filters and applies them; format modules turn edits into text splices.
They are frozen records (see record.py): hashable and immutable like frozen dataclasses,
without their start-up cost.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # names for annotations only: importing typing costs ~3 ms of start-up
    from typing import Any

from .record import record

SEVERITIES = ("info", "warning", "error")


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


# A key path inside a parsed document.  Strings are mapping keys, ints are list
# indexes.  YAML paths start with the document index (multi-document files).
KeyPath = tuple[str | int, ...]


@record(frozen=True)
class SetKey:
    """Set ``key`` to ``value``, creating the key (and its tables) if needed."""

    path: str
    key: KeyPath
    value: Any
    # Extra keys to write when the table holding ``key`` has to be created,
    # e.g. ``runtime_type`` for a new containerd runtime handler.
    create_with: tuple[tuple[KeyPath, Any], ...] = ()
    # A comment written above the key when it is added (formats with line comments).
    comment: str = ""


@record(frozen=True)
class DeleteKey:
    path: str
    key: KeyPath


@record(frozen=True)
class RenameKey:
    path: str
    key: KeyPath
    new_name: str


@record(frozen=True)
class RenameTable:
    """Give the table ``key`` a new path: every header below it is rewritten to start with
    ``new_key`` (e.g. ``plugins.cri`` to ``plugins."io.containerd.grpc.v1.cri"``)."""

    path: str
    key: KeyPath
    new_key: KeyPath


@record(frozen=True)
class AppendToList:
    path: str
    key: KeyPath
    value: Any


@record(frozen=True)
class CreateFile:
    """Write a new file (e.g. a sysctl drop-in) at ``node_path`` of the node ``path`` belongs to."""

    path: str
    text: str
    kind: str = ""
    node_path: str | None = None


Edit = SetKey | DeleteKey | RenameKey | RenameTable | AppendToList | CreateFile


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


@record(frozen=True)
class Position:
    """1-based line and column of something in a file."""

    line: int = 1
    column: int = 1
