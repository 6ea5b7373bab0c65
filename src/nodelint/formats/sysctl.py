"""sysctl.d files, read as systemd-sysctl reads them (sysctl.d(5)).

``key = value`` lines; ``#`` and ``;`` start comments; a leading ``-`` makes failures
to set the key non-fatal; ``.`` and ``/`` both separate key parts (when the first
separator is ``/`` the two are swapped, so ``net/ipv4/conf/eth0.100/x`` is the key
``net.ipv4.conf.eth0/100.x``); a ``-key`` line without ``=`` excludes a key from globs.
Lines systemd-sysctl would ignore are kept as ``problems`` (reported as NL001
warnings with their line), never as a failure of the whole file.
"""
from __future__ import annotations

import fnmatch
import re
from ..record import record, fresh

from . import FormatSyntaxError, UnsupportedEdit
from ..model import DeleteKey, Edit, SetKey
from .text import LineIndex, Splice, line_end, newline_of


class SysctlSyntaxError(FormatSyntaxError):
    pass


def normalize_key(raw: str) -> str:
    """The dotted form of a key, with systemd's separator swap."""
    key = raw.strip()
    slash, dot = key.find("/"), key.find(".")
    if slash != -1 and (dot == -1 or slash < dot):
        key = key.translate(str.maketrans("./", "/."))
    return key


def proc_path(key: str) -> str:
    """``/proc/sys`` path of a normalized key: dots become slashes, slashes dots."""
    return key.translate(str.maketrans("./", "/."))


_SPACE = re.compile(r"\s")


def is_glob(key: str) -> bool:
    return "*" in key or "?" in key or "[" in key


@record
class Assignment:
    key: str  # normalized dotted key (may be a glob)
    raw_key: str
    value: str | None  # None for a "-key" exclusion line
    line: int
    column: int
    value_start: int
    value_end: int
    line_start: int
    line_end: int
    ignore_failure: bool = False


@record
class SysctlDocument:
    text: str
    assignments: list[Assignment] = fresh(list)
    problems: list[tuple[int, int, str]] = fresh(list)

    @property
    def lines(self) -> LineIndex:
        """Line starts, found on first use: most files of a sysctl.d never need a position."""
        known = self.__dict__.get("_lines")
        if known is None:
            known = self._lines = LineIndex(self.text)
        return known

    @property
    def data(self) -> dict:
        out = {}
        for a in self.assignments:
            if a.value is not None:
                out[a.key] = a.value
        return out

    def matching(self, key: str) -> list[Assignment]:
        """The lines that assign or exclude ``key``, by name or by glob, in file order."""
        if len(self.assignments) <= 8:  # most files: a scan costs less than an index
            return [a for a in self.assignments if a.key == key
                    or (is_glob(a.key) and fnmatch.fnmatchcase(key, a.key))]
        index = self.__dict__.get("_index")
        if index is None:  # built on first use (not a field): a document's assignments never change once loaded
            exact: dict[str, list[int]] = {}
            globs: list[int] = []
            for i, a in enumerate(self.assignments):
                if is_glob(a.key):
                    globs.append(i)
                else:
                    exact.setdefault(a.key, []).append(i)
            index = self._index = (exact, globs)
        exact, globs = index
        found = exact.get(key, [])
        if not globs:
            return [self.assignments[i] for i in found] if found else []
        if globs:
            found = sorted(found + [i for i in globs if fnmatch.fnmatchcase(key, self.assignments[i].key)])
        return [self.assignments[i] for i in found]

    def last(self, key: str) -> Assignment | None:
        """The assignment that wins for ``key`` in this file (explicit keys beat globs)."""
        matching = [a for a in self.matching(key) if a.value is not None]
        explicit = [a for a in matching if a.key == key]
        if explicit:
            return explicit[-1]
        return matching[-1] if matching else None

    def position(self, key):
        a = self.last(str(key[0])) if key else None
        return None if a is None else self.lines.position(a.line_start + a.column - 1)

    def value_position(self, key):
        a = self.last(str(key[0])) if key else None
        return None if a is None else self.lines.position(a.value_start)


def load(text: str) -> SysctlDocument:
    doc = SysctlDocument(text)
    pos = 0
    for number, raw_line in enumerate(text.splitlines(keepends=True), start=1):
        start = pos
        pos += len(raw_line)
        body = raw_line.rstrip("\r\n")
        stripped = body.strip()
        if not stripped or stripped[0] in "#;":
            continue
        lead = len(body) - len(body.lstrip())
        ignore = stripped.startswith("-")
        if "=" not in body:
            if ignore and len(stripped.split()) == 1:
                key = stripped[1:]
                doc.assignments.append(Assignment(normalize_key(key), key, None, number, lead + 1,
                                                  start + len(body), start + len(body), start, pos, True))
            else:
                doc.problems.append((number, lead + 1, "line is not an assignment; systemd-sysctl ignores it"))
            continue
        eq = body.index("=")
        raw_key = body[lead + (1 if ignore else 0):eq].strip()
        if not raw_key or _SPACE.search(raw_key):
            doc.problems.append((number, lead + 1, f"invalid key {raw_key!r}; systemd-sysctl ignores the line"))
            continue
        value_text = body[eq + 1:]
        vlead = len(value_text) - len(value_text.lstrip())
        value = value_text.strip()
        v_start = start + eq + 1 + vlead
        for mark in (" #", "\t#", " ;", "\t;") if "#" in value or ";" in value else ():
            if mark in value:
                doc.problems.append((number, eq + 2 + vlead + value.index(mark),
                                     "sysctl.d has no trailing comments: the value is the whole rest of the line "
                                     f"({value!r}), which the kernel rejects"))
                break
        doc.assignments.append(Assignment(normalize_key(raw_key), raw_key, value, number, lead + 1, v_start,
                                          v_start + len(value), start, pos, ignore))
    return doc


def plan(doc: SysctlDocument, edit: Edit) -> list[Splice]:
    key = str(edit.key[0]) if edit.key else None
    winner = doc.last(key) if key is not None else None
    explicit = winner if winner is not None and winner.key == key else None
    if isinstance(edit, SetKey):
        if explicit is not None:
            return [Splice(explicit.value_start, explicit.value_end, str(edit.value))]
        newline = newline_of(doc.text) if doc.text else "\n"
        lines = [f"# {line}" for line in edit.comment.splitlines()] + [f"{key} = {edit.value}"]
        body = newline.join(lines)
        end = len(doc.text)
        if doc.text and not doc.text.endswith("\n"):
            return [Splice(end, end, newline + body)]
        return [Splice(end, end, body + newline)]
    if isinstance(edit, DeleteKey):
        return [] if explicit is None else [Splice(explicit.line_start, line_end(doc.text, explicit.line_start), "")]
    raise UnsupportedEdit(f"unsupported edit {type(edit).__name__}")
