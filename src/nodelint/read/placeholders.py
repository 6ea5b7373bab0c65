"""Placeholders are unknown, not absent: template expressions (Jinja and Go ``{{ }}``,
``{% %}``, ``{# #}``) and, in files a shell here-document writes, shell expansions (``$VAR``,
``${VAR}``, ``$(...)``, backquotes) are masked so that the file parses, and what does not depend
on them is judged.

Each expression becomes a filler of its own length (``NLPH___``; in TOML and JSON outside a
string, a quoted one), so every offset, line and column stays where it was; a line holding only
a control statement (``{% if %}``, ``{{ end }}``) becomes blank.  Values holding a filler are
unknown (kinds.templated_value), and a finding whose message names one is dropped: its verdict
depends on what is rendered.
"""
from __future__ import annotations

import re

from .kinds import PLACEHOLDER

_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_CONTROL = re.compile(r"^[ \t]*(?:\{%.*?%\}|\{\{-?\s*(?:if|else|end|range|with|define|template|block)\b.*?\}\}"
                      r"|\{#.*?#\})[ \t]*\r?$", re.M)
_SHELL = re.compile(r"\$\{[^}\n]*\}|\$\([^)\n]*\)|\$[A-Za-z_][A-Za-z0-9_]*|\$[0-9@*#?$!-]|`[^`\n]*`")


def _filler(n: int, quoted: bool) -> str:
    if quoted and n >= 2:
        return '"' + (PLACEHOLDER + "_" * n)[: n - 2] + '"'
    return (PLACEHOLDER + "_" * n)[:n]


def _inside_string(text: str, start: int) -> bool:
    line = text[text.rfind("\n", 0, start) + 1:start]
    return line.count('"') % 2 == 1 or line.count("'") % 2 == 1


def mask(text: str, syntax: str, shell: bool = False) -> str:
    """The text with each placeholder replaced by a filler of its length."""
    out = _CONTROL.sub(lambda m: " " * len(m.group(0).rstrip("\r")) + m.group(0)[len(m.group(0).rstrip("\r")):], text)
    quote = syntax in ("toml", "json")

    def fill(m):
        return _filler(len(m.group(0)), quote and not _inside_string(out, m.start()))

    out = _TEMPLATE.sub(fill, out)
    if shell:
        out = _SHELL.sub(fill, out)
    return out
