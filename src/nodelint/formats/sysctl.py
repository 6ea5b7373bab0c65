"""sysctl.d files, read as systemd-sysctl reads them (sysctl.d(5)).

``key = value`` lines; ``#`` and ``;`` start comments; a leading ``-`` makes failures
to set the key non-fatal; ``.`` and ``/`` both separate key parts (when the first
separator is ``/`` the two are swapped, so ``net/ipv4/conf/eth0.100/x`` is the key
``net.ipv4.conf.eth0/100.x``); a ``-key`` line without ``=`` excludes it from globs.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import FormatSyntaxError, UnsupportedEdit
from ..model import DeleteKey, Edit, SetKey
from .text import LineIndex, Splice, line_end


class SysctlSyntaxError(FormatSyntaxError):
    pass


def normalize_key(raw: str) -> str:
    """The dotted form of a key, with systemd's separator swap."""
    key = raw.strip()
    slash, dot = key.find("/"), key.find(".")
    if slash != -1 and (dot == -1 or slash < dot):
        key = key.translate(str.maketrans("./", "/."))
    return key


@dataclass
class Assignment:
    key: str  # normalized dotted key
    raw_key: str
    value: str | None  # None for a "-key" exclusion line
    line: int
    column: int
    value_start: int
    value_end: int
    line_start: int
    line_end: int
    ignore_failure: bool = False


@dataclass
class SysctlDocument:
    text: str
    assignments: list[Assignment] = field(default_factory=list)
    lines: LineIndex | None = None
    warnings: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def data(self) -> dict:
        out = {}
        for a in self.assignments:
            if a.value is not None:
                out[a.key] = a.value
        return out

    def last(self, key: str) -> Assignment | None:
        found = None
        for a in self.assignments:
            if a.key == key and a.value is not None:
                found = a
        return found

    def position(self, key):
        a = self.last(key[0]) if key else None
        return None if a is None else self.lines.position(a.line_start + (a.column - 1))

    def value_position(self, key):
        a = self.last(key[0]) if key else None
        return None if a is None else self.lines.position(a.value_start)


def load(text: str) -> SysctlDocument:
    doc = SysctlDocument(text, lines=LineIndex(text))
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
            if ignore:
                key = stripped[1:].strip()
                doc.assignments.append(Assignment(normalize_key(key), key, None, number, lead + 1, start + len(body),
                                                  start + len(body), start, pos, True))
                continue
            doc.warnings.append((number, lead + 1, "line is not an assignment (systemd-sysctl ignores it)"))
            continue
        eq = body.index("=")
        raw_key = body[lead + (1 if ignore else 0):eq].strip()
        if not raw_key or any(c.isspace() for c in raw_key):
            raise SysctlSyntaxError(f"invalid key {raw_key!r}", number, lead + 1)
        value_text = body[eq + 1:]
        vlead = len(value_text) - len(value_text.lstrip())
        value = value_text.strip()
        v_start = start + eq + 1 + vlead
        doc.assignments.append(Assignment(normalize_key(raw_key), raw_key, value, number, lead + 1, v_start,
                                          v_start + len(value), start, pos, ignore))
    return doc


def plan(doc: SysctlDocument, edit: Edit) -> list[Splice]:
    key = edit.key[0] if edit.key else None
    a = doc.last(str(key)) if key is not None else None
    if isinstance(edit, SetKey):
        if a is not None:
            return [Splice(a.value_start, a.value_end, str(edit.value))]
        newline = "\r\n" if "\r\n" in doc.text else "\n"
        line = f"{key} = {edit.value}"
        if doc.text and not doc.text.endswith("\n"):
            return [Splice(len(doc.text), len(doc.text), newline + line)]
        return [Splice(len(doc.text), len(doc.text), line + newline)]
    if isinstance(edit, DeleteKey):
        return [] if a is None else [Splice(a.line_start, line_end(doc.text, a.line_start), "")]
    raise UnsupportedEdit(f"unsupported edit {type(edit).__name__}")
