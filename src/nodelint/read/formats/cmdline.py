"""Kernel command lines as images configure them, with positions.

Three shapes, told apart by their lines (a ``GRUB_...=`` assignment; a BLS ``title``, ``linux``,
``options``... line; anything else is a command line):

- GRUB's defaults (``/etc/default/grub``, ``/etc/default/grub.d/*.cfg``): shell assignments;
  the parameters are the value of ``GRUB_CMDLINE_LINUX`` and ``GRUB_CMDLINE_LINUX_DEFAULT``
  (a later assignment replaces a variable, ``+=`` or a ``$VARIABLE`` reference to itself adds
  to it; a comment after the quoted value is not part of it);
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

_GRUB = re.compile(r"^\s*(?:export\s+)?(GRUB_CMDLINE_LINUX(?:_DEFAULT)?)\s*(\+?)=")
_GRUB_FILE = re.compile(r"^\s*(?:export\s+)?GRUB_[A-Z0-9_]*\+?=")
_BLS_FILE = re.compile(r"^\s*(title|linux|options|initrd|version)\s")
_PARAM = re.compile(r'(?:[^\s"]|"[^"]*")+')


@record
class Param:
    name: str
    value: str | None  # None for a bare name
    start: int  # offset of the name
    value_start: int  # offset of the value (of the name, for a bare one)
    source: str  # GRUB_CMDLINE_LINUX, GRUB_CMDLINE_LINUX_DEFAULT, options, cmdline


@record
class Assignment:
    """One line that sets parameters: a GRUB variable's assignment, a BLS ``options`` line, a line
    of ``/etc/kernel/cmdline``.  ``appends``: it adds to what is set before (``+=``, or the
    value refers to the variable itself) instead of replacing it."""

    var: str
    appends: bool
    params: list[Param] = fresh(list)


@record
class CmdlineDocument:
    text: str
    shape: str  # "grub" | "bls" | "cmdline"
    assignments: list[Assignment] = fresh(list)
    lines: LineIndex | None = None
    problems: tuple = ()
    duplicates: tuple = ()

    @property
    def params(self) -> list[Param]:
        """The parameters this file alone gives the kernel, in order."""
        return effective([self])

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


def effective(documents: list[CmdlineDocument]) -> list[Param]:
    """The command line files give when read in order: GRUB's files are shell, sourced one after
    the other (a variable's later assignment replaces it, ``+=`` or ``$VAR`` adds to it), and
    grub-mkconfig puts ``GRUB_CMDLINE_LINUX`` before ``GRUB_CMDLINE_LINUX_DEFAULT``; BLS
    ``options`` lines and ``/etc/kernel/cmdline`` lines add up."""
    by_var: dict[str, list[Param]] = {}
    for doc in documents:
        for a in doc.assignments:
            by_var[a.var] = (by_var.get(a.var, []) if a.appends else []) + a.params
    order = ["GRUB_CMDLINE_LINUX", "GRUB_CMDLINE_LINUX_DEFAULT"]
    return [p for var in order + [v for v in by_var if v not in order] for p in by_var.get(var, [])]


def load(text: str) -> CmdlineDocument:
    lines = text.splitlines(keepends=True)
    meaningful = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    if any(_GRUB_FILE.match(ln) for ln in meaningful):
        shape = "grub"
    elif any(_BLS_FILE.match(ln) for ln in meaningful):
        shape = "bls"
    else:
        shape = "cmdline"
    doc = CmdlineDocument(text, shape, lines=LineIndex(text))
    offset = 0
    for line in lines:
        body = line.rstrip("\r\n")
        if body.strip() and not body.lstrip().startswith("#"):
            found = _region(body, shape)
            if found is not None:
                start, end, var, appends = found
                assignment = Assignment(var, appends)
                _params(assignment, body[start:end], offset + start, var)
                doc.assignments.append(assignment)
        offset += len(line)
    return doc


def _region(line: str, shape: str) -> tuple[int, int, str, bool] | None:
    """Where a line's parameters are: (start, end, what holds them, whether it adds to it)."""
    if shape == "grub":
        m = _GRUB.match(line)
        if not m:
            return None
        var, start = m.group(1), m.end()
        if start < len(line) and line[start] in "\"'":
            quote = line[start]
            end = start + 1
            while end < len(line) and line[end] != quote:
                end += 2 if quote == '"' and line[end] == "\\" else 1
            start, end = start + 1, min(end, len(line))
        else:
            rest = re.match(r"[^\s#]*", line[start:])
            end = start + rest.end()
        value = line[start:end]
        appends = m.group(2) == "+" or f"${var}" in value or f"${{{var}}}" in value
        return start, end, var, appends
    if shape == "bls":
        m = re.match(r"^\s*options\s+", line)
        return (m.end(), len(line.rstrip()), "options", True) if m else None
    return 0, len(line.rstrip()), "cmdline", True


def _params(assignment: Assignment, region: str, base: int, source: str) -> None:
    for m in _PARAM.finditer(region):
        word = m.group(0)
        if word.startswith("$"):
            continue  # a shell variable (GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX ...")
        name, eq, value = word.partition("=")
        start = base + m.start()
        if eq:
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            assignment.params.append(Param(name.strip('"'), value, start, start + len(name) + 1, source))
        else:
            assignment.params.append(Param(word.strip('"'), None, start, start, source))


def plan(document, edit):
    raise UnsupportedEdit("nodelint does not edit kernel command lines")
