"""A rule's documentation as a terminal shows it (``nodelint explain``): headings stand out,
code blocks are indented without their fences, ``code`` spans lose their backticks (and are
coloured on a terminal that takes colour); plain text when not a terminal."""
from __future__ import annotations

import re

BOLD, CODE, RESET = "\033[1m", "\033[36m", "\033[0m"


def render(docs: str, color: bool) -> str:
    out: list[str] = []
    in_code = False
    open_span = False  # a ``code`` span that a line break cuts continues on the next line
    table: list[list[str]] = []
    for line in docs.splitlines() + [""]:
        if line.startswith("|") and not in_code:
            cells = [_spans(c.strip(), False) for c in line.strip().strip("|").split("|")]
            if not all(set(c) <= set("-: ") for c in cells):  # the |---| row
                table.append(cells)
            continue
        if table:
            out += _table(table)
            table = []
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            out.append("    " + (CODE + line + RESET if color and line else line))
            continue
        if line.startswith("## "):
            title = line[3:].strip()
            out.append(BOLD + title + RESET if color else title)
            out.append("" if color else "-" * len(title))
            continue
        if open_span:
            line = "``" + line
        open_span = line.count("``") % 2 == 1
        out.append(_spans(line + ("``" if open_span else ""), color))
    return "\n".join(out).rstrip() + "\n"


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) if i < len(r) else 0 for r in rows) for i in range(max(len(r) for r in rows))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]


def _spans(line: str, color: bool) -> str:
    def code(m):
        text = m.group(1) or m.group(2)
        return CODE + text + RESET if color else text

    return re.sub(r"``(.+?)``|`([^`]+)`", code, line)
