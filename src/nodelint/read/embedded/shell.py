"""Shell scripts: the files their here-documents write (read/formats/shell.py finds them).

A body whose delimiter is unquoted and that holds ``$``-expansions or backquotes is what the
shell makes of it at run time: nodelint does not guess the values (NL002, template).
"""
from __future__ import annotations

from ..formats.shell import expands
from . import Found
import re

from .codecs import Heredoc, Joined, Nowhere, ShellWord


def find(outer) -> list[Found]:
    only = outer.extra.get("shell_only")
    out = []
    for h in outer.parsed.heredocs if only != "generated" else ():
        codec = Heredoc(outer.text, h.body_start, h.body_end, h.line + 1, h.strip_tabs)
        text = codec.decode()
        out.append(Found(f"line {h.line}", h.target, codec, text, append=h.append,
                         templated=not h.literal and expands(outer.text[h.body_start:h.body_end])))
    if only != "generated":
        out += echoed(outer)
    return out + (generated_configs(outer) if only != "heredocs" else [])


_ECHO = re.compile(r"""^[ \t]*(?:sudo[ \t]+)?(echo|printf)[ \t]+('[^'\n]*'|"[^"\\$`\n]*"|[A-Za-z0-9_.=/-]+)[ \t]*"""
                   r"""(?:(>>?)[ \t]*(/[^\s;|&]+)|\|[ \t]*(?:sudo[ \t]+)?tee[ \t]+(-a[ \t]+)?(/[^\s;|&>]+))""", re.M)


def echoed(outer) -> list[Found]:
    """Lines ``echo 'key = value' >> /etc/sysctl.d/...`` (or ``| tee [-a]``) write: one file per
    path, read as the script leaves it (not rewritten: each line is its own command)."""
    if "echo" not in outer.text and "printf" not in outer.text:
        return []
    lines = outer.parsed.lines
    by_path: dict[str, list] = {}
    for m in _ECHO.finditer(outer.text):
        program, word = m.group(1), m.group(2)
        path = m.group(4) or m.group(6)
        if not path.startswith("/etc/") or "/sysctl" not in path:
            continue
        value = word[1:-1] if word[0] in "'\"" else word
        if program == "printf":  # a format without directives: its escapes, no newline of its own
            if "%" in value.replace("%%", ""):
                continue
            written = value.replace("%%", "%").replace("\\n", "\n").replace("\\t", "\t")
        else:
            written = value + "\n"
        pos = lines.position(m.start(2))
        by_path.setdefault(path, []).append((ShellWord(m.start(2), m.end(2), value, pos.line, pos.column), written))
    out = []
    for path, parts in by_path.items():
        codec = Joined(parts)
        out.append(Found(f"the echo/printf at line{'s' if len(parts) > 1 else ''} " + ", ".join(str(p[0].line) for p in parts),
                         path, codec, codec.decode(), append=True))
    return out


def generated_configs(outer) -> list[Found]:
    """``containerd config default > PATH`` (and the sed edits after it), once for every distinct
    output of the releases nodelint knows (read/embedded/generated.py)."""
    if "containerd" not in outer.text or "default" not in outer.text:
        return []
    from . import generated as G

    out = []
    for gen in G.scan(outer.text):
        for releases, text, missed in G.outcomes(gen) or []:  # None: a sed nodelint cannot replay
            last = gen.edits[-1].line if gen.edits else gen.line
            label = f"containerd config default of {G.ranges(releases)} at line {gen.line}"
            if gen.edits:
                label += " and the sed at line" + ("s " if len(gen.edits) > 1 else " ") + \
                    ", ".join(str(e.line) for e in gen.edits)
            out.append(Found(label, gen.path, Nowhere(last, 1), text, extra={
                "containerd_releases": releases, "generated": True,
                "missed_edits": [(e.line, f"sed '{e.source}'") for e in missed]}))
    return out
