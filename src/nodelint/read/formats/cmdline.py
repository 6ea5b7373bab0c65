"""Kernel command lines as images configure them, with positions.

Three shapes, told apart by their lines:

- GRUB's defaults (``/etc/default/grub``, ``/etc/default/grub.d/*.cfg``): shell assignments;
  the parameters are the value of ``GRUB_CMDLINE_LINUX`` and ``GRUB_CMDLINE_LINUX_DEFAULT``
  (``$VARIABLE`` references in them are skipped);
- Boot Loader Specification entries (``/boot/loader/entries/*.conf``): ``key value`` lines; the
  parameters are the ``options`` lines;
- ``/etc/kernel/cmdline`` (kernel-install, unified kernel images): every line is parameters.

A parameter is ``name`` or ``name=value`` (the value may be double-quoted, as the kernel reads
it).  Read-only: nodelint does not edit kernel command lines.
"""
from __future__ import annotations

import re

from ...values.record import fresh, record
from . import UnsupportedEdit
from .text import LineIndex

_GRUB = re.compile(r"^\s*(?:export\s+)?(GRUB_CMDLINE_LINUX(?:_DEFAULT)?)\s*=\s*")
_SHELL_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?[A-Z_][A-Z0-9_]*=")
_BLS_KEYS = re.compile(r"^\s*(title|version|machine-id|sort-key|linux|initrd|efi|options|devicetree|architecture)"
                       r"(\s|$)")
_PARAM = re.compile(r'(?:[^\s"]|"[^"]*")+')


@record
class Param:
    name: str
    value: str | None  # None for a bare name
    start: int  # offset of the name
    value_start: int  # offset of the value (of the name, for a bare one)
    source: str  # GRUB_CMDLINE_LINUX, options, cmdline


@record
class CmdlineDocument:
    text: str
    shape: str  # "grub" | "bls" | "cmdline"
    params: list[Param] = fresh(list)
    lines: LineIndex | None = None
    problems: tuple = ()
    duplicates: tuple = ()

    @property
    def data(self) -> dict:
        return {p.name: p.value for p in self.params}

    def last(self, name: str) -> Param | None:
        found = [p for p in self.params if p.name == name]
        return found[-1] if found else None

    def position(self, key):
        p = self.last(key[0]) if key else None
        return self.lines.position(p.start) if p is not None else self.lines.position(0)

    def value_position(self, key):
        p = self.last(key[0]) if key else None
        return self.lines.position(p.value_start) if p is not None else self.lines.position(0)


def load(text: str) -> CmdlineDocument:
    lines = text.splitlines(keepends=True)
    meaningful = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    if any(_SHELL_ASSIGNMENT.match(ln) for ln in meaningful):
        shape = "grub"
    elif meaningful and all(_BLS_KEYS.match(ln) for ln in meaningful):
        shape = "bls"
    else:
        shape = "cmdline"
    doc = CmdlineDocument(text, shape, lines=LineIndex(text))
    offset = 0
    for line in lines:
        body = line.rstrip("\r\n")
        if body.strip() and not body.lstrip().startswith("#"):
            region = _region(body, shape)
            if region is not None:
                start, end, source = region
                _params(doc, body[start:end], offset + start, source)
        offset += len(line)
    return doc


def _region(line: str, shape: str) -> tuple[int, int, str] | None:
    """Where a line's parameters are: (start, end, what holds them)."""
    if shape == "grub":
        m = _GRUB.match(line)
        if not m:
            return None
        start, end = m.end(), len(line.rstrip())
        if end > start and line[start] in "\"'" and line[end - 1] == line[start]:
            start, end = start + 1, end - 1
        return start, end, m.group(1)
    if shape == "bls":
        m = re.match(r"^\s*options\s+", line)
        return (m.end(), len(line.rstrip()), "options") if m else None
    return 0, len(line.rstrip()), "cmdline"


def _params(doc: CmdlineDocument, region: str, base: int, source: str) -> None:
    for m in _PARAM.finditer(region):
        word = m.group(0)
        if word.startswith("$"):
            continue  # a shell variable (GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX ...")
        name, eq, value = word.partition("=")
        start = base + m.start()
        if eq:
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            doc.params.append(Param(name.strip('"'), value, start, start + len(name) + 1, source))
        else:
            doc.params.append(Param(word.strip('"'), None, start, start, source))


def plan(document, edit):
    raise UnsupportedEdit("nodelint does not edit kernel command lines")
