"""Core value types: findings, fixes and edits.

Everything here is small, frozen and free of behaviour.  Rules build these; the
engine filters and applies them; format modules turn edits into text splices.
They are NamedTuples: as frozen and typed as frozen dataclasses, and three times
cheaper to define, which every start-up pays.
"""
from __future__ import annotations

from typing import Any, NamedTuple, Union

SEVERITIES = ("info", "warning", "error")


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


# A key path inside a parsed document.  Strings are mapping keys, ints are list
# indexes.  YAML paths start with the document index (multi-document files).
KeyPath = tuple[Union[str, int], ...]


class SetKey(NamedTuple):
    """Set ``key`` to ``value``, creating the key (and its tables) if needed."""

    path: str
    key: KeyPath
    value: Any
    # Extra keys to write when the table holding ``key`` has to be created,
    # e.g. ``runtime_type`` for a new containerd runtime handler.
    create_with: tuple[tuple[KeyPath, Any], ...] = ()
    # A comment written above the key when it is added (formats with line comments).
    comment: str = ""


class DeleteKey(NamedTuple):
    path: str
    key: KeyPath


class RenameKey(NamedTuple):
    path: str
    key: KeyPath
    new_name: str


class AppendToList(NamedTuple):
    path: str
    key: KeyPath
    value: Any


class CreateFile(NamedTuple):
    """Write a new file (e.g. a sysctl drop-in) at ``node_path`` of the node ``path`` belongs to."""

    path: str
    text: str
    kind: str = ""
    node_path: str | None = None


Edit = Union[SetKey, DeleteKey, RenameKey, AppendToList, CreateFile]


class Fix(NamedTuple):
    """Edits that resolve one finding.  ``safe`` fixes run with ``--fix``."""

    edits: tuple[Edit, ...]
    description: str
    safe: bool = True


class Related(NamedTuple):
    """Another place that takes part in a finding (e.g. the other side of a mismatch)."""

    path: str
    line: int
    column: int
    message: str


class Finding(NamedTuple):
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


class Position(NamedTuple):
    """1-based line and column of something in a file."""

    line: int = 1
    column: int = 1
