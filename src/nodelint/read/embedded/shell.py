"""Shell scripts: the files their here-documents write (read/formats/shell.py finds them).

A body whose delimiter is unquoted and that holds ``$``-expansions or backquotes is what the
shell makes of it at run time: nodelint does not guess the values (NL002, template).
"""
from __future__ import annotations

from ..formats.shell import expands
from . import Found
from .codecs import Heredoc, Nowhere


def find(outer) -> list[Found]:
    only = outer.extra.get("shell_only")
    out = []
    for h in outer.parsed.heredocs if only != "generated" else ():
        codec = Heredoc(outer.text, h.body_start, h.body_end, h.line + 1, h.strip_tabs)
        text = codec.decode()
        out.append(Found(f"line {h.line}", h.target, codec, text, append=h.append,
                         templated=not h.literal and expands(outer.text[h.body_start:h.body_end])))
    return out + (generated_configs(outer) if only != "heredocs" else [])


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
