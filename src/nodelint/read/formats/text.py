"""Text helpers shared by the format modules: positions, newlines, splices."""
from __future__ import annotations

import bisect
from collections import namedtuple

from ...values.edits import Position


class LineIndex:
    """Maps character offsets to 1-based line and column numbers."""

    def __init__(self, text: str):
        starts = [0]
        find = text.find
        i = find("\n")
        while i != -1:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self.starts = starts
        self.length = len(text)

    def position(self, offset: int) -> Position:
        line = bisect.bisect_right(self.starts, offset) - 1
        return Position(line + 1, offset - self.starts[line] + 1)

    def line_start(self, offset: int) -> int:
        return self.starts[bisect.bisect_right(self.starts, offset) - 1]

    def offset(self, line: int, column: int = 1) -> int:
        """Offset of a 1-based line/column (clamped to the text)."""
        if line - 1 >= len(self.starts):
            return self.length
        return min(self.starts[line - 1] + column - 1, self.length)


def newline_of(text: str) -> str:
    """The file's dominant line ending ("\\r\\n" or "\\n")."""
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"


def line_end(text: str, offset: int) -> int:
    """Offset just past the newline that ends the line holding ``offset``."""
    i = text.find("\n", offset)
    return len(text) if i == -1 else i + 1


def comment_block_start(text: str, offset: int, markers: tuple[str, ...] = ("#",)) -> int:
    """Walk back from a line start over the comment lines directly above it (no blank line
    between): a key's own comment block, which goes with it when the key is deleted."""
    start = offset
    while start > 0:
        prev = text.rfind("\n", 0, start - 1) + 1
        if text[prev:start].strip().startswith(markers):
            start = prev
        else:
            break
    return start


def indent_at(text: str, line_start: int) -> str:
    i = line_start
    while i < len(text) and text[i] in " \t":
        i += 1
    return text[line_start:i]


class Splice(namedtuple("Splice", "start end replacement")):
    """Replace ``text[start:end]`` with ``replacement`` (start: int, end: int, replacement: str)."""

    __slots__ = ()


class EditConflict(Exception):
    pass


def apply_splices(text: str, splices: list[Splice]) -> str:
    """Apply splices: identical ones once, insertions at one offset in the order given.

    Raises EditConflict when two splices replace overlapping text.
    """
    unique = list(dict.fromkeys(splices))
    ordered = sorted(unique, key=lambda s: (s.start, s.end))  # stable: keeps the order of insertions
    for a, b in zip(ordered, ordered[1:]):
        if b.start < a.end or (b.start == a.start and a.end > a.start and b.end > b.start):
            raise EditConflict(f"overlapping edits at offset {b.start}")
    out = []
    cursor = 0
    for s in ordered:
        out.append(text[cursor:s.start])
        out.append(s.replacement)
        cursor = max(cursor, s.end)
    out.append(text[cursor:])
    return "".join(out)


def _overlap(a: Splice, b: Splice) -> bool:
    """Whether ``b`` (sorted after ``a`` by (start, end)) overlaps ``a``, as apply_splices judges it."""
    return b.start < a.end or (b.start == a.start and a.end > a.start and b.end > b.start)


class SplicePlan:
    """Splices planned for one text, kept sorted, so that whether more fit can be told without
    applying them all (``apply_splices(text, planned + more)`` per fix made N fixes to one file
    cost N times its size).  ``fits(more)`` is True exactly when that call would not raise.

    Overlap is monotone in the sorted order (if ``a <= b <= c`` and ``c`` overlaps ``a``, ``b``
    overlaps ``a``), so a set without overlapping neighbours has no overlapping pair, and a new
    splice need only be compared with its neighbours.
    """

    def __init__(self):
        self.splices: list[Splice] = []  # in the order added (apply_splices keeps insertions in order)
        self._sorted: list[Splice] = []
        self._keys: list[tuple[int, int]] = []
        self._set: set[Splice] = set()

    def fits(self, more: list[Splice]) -> bool:
        new = sorted({s for s in more if s not in self._set}, key=lambda s: (s.start, s.end))
        for a, b in zip(new, new[1:]):
            if _overlap(a, b):
                return False
        for s in new:
            i = bisect.bisect_right(self._keys, (s.start, s.end))
            if i > 0 and _overlap(self._sorted[i - 1], s):
                return False
            if i < len(self._sorted) and _overlap(s, self._sorted[i]):
                return False
        return True

    def add(self, more: list[Splice]) -> None:
        for s in more:
            self.splices.append(s)
            if s in self._set:
                continue
            self._set.add(s)
            i = bisect.bisect_right(self._keys, (s.start, s.end))
            self._keys.insert(i, (s.start, s.end))
            self._sorted.insert(i, s)


def insert_lines(text: str, offset: int, lines: list[str], newline: str) -> Splice:
    """A splice inserting whole lines at ``offset`` (a line start or EOF).

    Keeps a missing final newline missing: inserting at the end of a file that
    does not end with a newline puts the newline before the new lines instead.
    """
    body = newline.join(lines)
    if offset >= len(text) and text and not text.endswith("\n"):
        return Splice(len(text), len(text), newline + body)
    return Splice(offset, offset, body + newline)
