"""The part of HCL that Packer variable files use for version pins.

``*.pkrvars.hcl``: ``containerd_version = "1.7.2"``; ``variables.pkr.hcl``:
``variable "containerd_version" { type = string  default = "1.7.2" }``.  Only string
values are read (with their spans); other HCL is skipped over, braces and strings
and comments included, so nothing else is misread.
"""
from __future__ import annotations

import re
from ...values.record import record, fresh

from . import FormatSyntaxError, UnsupportedEdit
from ...values.edits import Edit, SetKey
from .text import LineIndex, Splice

_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|//[^\n]*|/\*.*?\*/|<<-?(\w+)\n.*?\n\s*\1|[{}]|[A-Za-z_][\w.-]*|=|\S',
                    re.S)


class HclSyntaxError(FormatSyntaxError):
    pass


@record
class Value:
    name: str
    value: str
    start: int  # span of the string's content, inside the quotes
    end: int


@record
class HclDocument:
    text: str
    values: dict[str, Value] = fresh(dict)
    lines: LineIndex | None = None

    @property
    def data(self) -> dict:
        return {k: v.value for k, v in self.values.items()}

    def position(self, key):
        v = self.values.get(str(key[0])) if key else None
        return None if v is None else self.lines.position(v.start - 1)

    def value_position(self, key):
        v = self.values.get(str(key[0])) if key else None
        return None if v is None else self.lines.position(v.start)


def load(text: str) -> HclDocument:
    doc = HclDocument(text, lines=LineIndex(text))
    tokens = [(m.group(0), m.start()) for m in _TOKEN.finditer(text)
              if not m.group(0).startswith(("#", "//", "/*"))]
    depth = 0
    variable = None  # name of the variable block we are in, and its depth
    for i, (tok, pos) in enumerate(tokens):
        if tok == "{":
            depth += 1
            if i >= 2 and tokens[i - 2][0] == "variable" and tokens[i - 1][0].startswith('"'):
                variable = (tokens[i - 1][0][1:-1], depth)
        elif tok == "}":
            if depth == 0:
                p = doc.lines.position(pos)
                raise HclSyntaxError("unbalanced '}'", p.line, p.column)
            if variable and variable[1] == depth:
                variable = None
            depth -= 1
        elif tok == "=" and i >= 1 and i + 1 < len(tokens) and tokens[i + 1][0].startswith('"'):
            name = tokens[i - 1][0]
            string, spos = tokens[i + 1]
            if depth == 0:
                doc.values[name] = Value(name, string[1:-1], spos + 1, spos + len(string) - 1)
            elif variable and variable[1] == depth and name == "default":
                doc.values[variable[0]] = Value(variable[0], string[1:-1], spos + 1, spos + len(string) - 1)
    if depth:
        p = doc.lines.position(len(text))
        raise HclSyntaxError("unclosed '{'", p.line, p.column)
    return doc


def plan(doc: HclDocument, edit: Edit) -> list[Splice]:
    if not isinstance(edit, SetKey) or not edit.key or str(edit.key[0]) not in doc.values:
        raise UnsupportedEdit("only existing string values are changed in HCL")
    v = doc.values[str(edit.key[0])]
    return [Splice(v.start, v.end, str(edit.value).replace("\\", "\\\\").replace('"', '\\"'))]
