"""``/etc/fstab`` (fstab(5)): one mount per line, ``spec file vfstype mntopts freq passno``.

Read-only: nodelint reports swap entries, it does not edit fstab.
"""
from __future__ import annotations

from ...values.record import fresh, record
from . import UnsupportedEdit
from .text import LineIndex


@record
class Entry:
    spec: str
    file: str
    vfstype: str
    options: list[str]
    start: int  # offset of the line's first field


@record
class FstabDocument:
    text: str
    entries: list[Entry] = fresh(list)
    lines: LineIndex | None = None
    problems: tuple = ()
    duplicates: tuple = ()

    @property
    def data(self) -> dict:
        return {i: {"spec": e.spec, "file": e.file, "type": e.vfstype, "options": e.options}
                for i, e in enumerate(self.entries)}

    def position(self, key):
        i = key[0] if key and isinstance(key[0], int) and key[0] < len(self.entries) else None
        return self.lines.position(self.entries[i].start if i is not None else 0)

    value_position = position


def load(text: str) -> FstabDocument:
    doc = FstabDocument(text, lines=LineIndex(text))
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.split("#", 1)[0]
        fields = body.split()
        if len(fields) >= 3:
            lead = len(body) - len(body.lstrip())
            options = fields[3].split(",") if len(fields) > 3 else ["defaults"]
            doc.entries.append(Entry(fields[0], fields[1], fields[2], options, offset + lead))
        offset += len(line)
    return doc


def plan(document, edit):
    raise UnsupportedEdit("nodelint does not edit fstab")
