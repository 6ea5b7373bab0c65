"""Shell scripts: the files their here-documents write (read/formats/shell.py finds them).

A body whose delimiter is unquoted and that holds ``$``-expansions or backquotes is what the
shell makes of it at run time: nodelint does not guess the values (NL002, template).
"""
from __future__ import annotations

from ..formats.shell import expands
from . import Found
from .codecs import Heredoc


def find(outer) -> list[Found]:
    out = []
    for h in outer.parsed.heredocs:
        codec = Heredoc(outer.text, h.body_start, h.body_end, h.line + 1, h.strip_tabs)
        text = codec.decode()
        out.append(Found(f"line {h.line}", h.target, codec, text, append=h.append,
                         templated=not h.literal and expands(outer.text[h.body_start:h.body_end])))
    return out
