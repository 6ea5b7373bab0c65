"""Edits as data: what a fix changes in a document, and where things are in one.

Rules build these; format modules (read/formats) turn each into text splices; the engine
applies them in one place (engine/fixes.py).  Frozen records (values/record.py): hashable and
immutable, without dataclasses' start-up cost.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # names for annotations only: importing typing costs ~3 ms of start-up
    from typing import Any

from .record import record

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
class Position:
    """1-based line and column of something in a file."""

    line: int = 1
    column: int = 1
