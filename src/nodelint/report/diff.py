"""Unified diffs of what --fix would write, as git prints them."""
from __future__ import annotations

import difflib


def unified(path: str, old: str, new: str, created: bool = False) -> str:
    label = path.lstrip("/")
    out = []
    for line in difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                     fromfile="/dev/null" if created else f"a/{label}", tofile=f"b/{label}"):
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)
