"""Shell scripts, as far as nodelint reads them: the here-documents that write files.

``cat <<EOF > PATH``, ``cat > PATH <<'EOF'``, ``cat <<EOF | [sudo] tee [-a] PATH``, with
``<<-`` (leading tabs stripped from the body) or not, the delimiter quoted (the body is
literal) or not (``$VAR``, ``${VAR}``, ``$(...)`` and backquotes are expanded: such a body is
a template nodelint does not guess).  Nothing else of the script is interpreted; ``bash -n`` is
the judge of its syntax (tests).
"""
from __future__ import annotations

import re

from ...values.record import record
from . import UnsupportedEdit
from .text import LineIndex

_HEREDOC = re.compile(r"<<(-?)[ \t]*(?:'([^'\n]+)'|\"([^\"\n]+)\"|\\?([A-Za-z_][A-Za-z0-9_]*))")
_REDIRECT = re.compile(r"(?<![<>0-9&])(>>?)[ \t]*(['\"]?)(/[^\s'\";|&)<>]+)\2")
_TEE = re.compile(r"\btee\b((?:[ \t]+-{1,2}[A-Za-z-]+)*)[ \t]+(['\"]?)(/[^\s'\";|&)<>]+)\2")
_COMMAND = re.compile(r"\b(?:cat|tee)\b")
_EXPANSION = re.compile(r"(?<!\\)(?:\$[A-Za-z_{(0-9@*#?$!-]|`)|\\[$`\\]")


@record
class Heredoc:
    target: str  # the absolute path written
    append: bool
    delimiter: str
    literal: bool  # a quoted delimiter: the body is taken as written
    strip_tabs: bool  # <<-
    line: int  # 1-based line of the command
    body_start: int
    body_end: int  # offset of the delimiter line


@record
class ShellScript:
    text: str
    lines: LineIndex
    heredocs: list

    @property
    def data(self) -> list:
        return self.heredocs


def load(text: str) -> ShellScript:
    heredocs = []
    pos, number = 0, 0
    while pos < len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl == -1 else nl + 1
        line = text[pos:end]
        number += 1
        m = _HEREDOC.search(line) if "<<" in line else None
        if m is not None and not line.lstrip().startswith("#") and _COMMAND.search(line):
            found = _body(text, end, m)
            if found is not None:
                body_end, after = found
                target = _target(line[:m.start()] + " " + line[m.end():])
                if target is not None:
                    path, append = target
                    literal = m.group(4) is None or "\\" in m.group(0)  # 'EOF', "EOF" or \EOF
                    heredocs.append(Heredoc(path, append, _delimiter(m), literal, m.group(1) == "-",
                                            number, end, body_end))
                number += text.count("\n", end, after)
                pos = after
                continue
        pos = end
    return ShellScript(text, LineIndex(text), heredocs)


def _delimiter(m) -> str:
    return m.group(2) or m.group(3) or m.group(4)


def _body(text: str, start: int, m) -> tuple[int, int] | None:
    """(offset of the delimiter line, offset after it), or None when the body never ends."""
    delimiter, strip = _delimiter(m), m.group(1) == "-"
    pos = start
    while pos < len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl == -1 else nl + 1
        line = text[pos:end].rstrip("\r\n")
        if (line.lstrip("\t") if strip else line) == delimiter:
            return pos, end
        pos = end
    return None


def _target(command: str) -> tuple[str, bool] | None:
    m = _TEE.search(command)
    if m is not None:
        return m.group(3), any(opt.strip() in ("-a", "--append") for opt in m.group(1).split())
    m = _REDIRECT.search(command)
    if m is not None:
        return m.group(3), m.group(1) == ">>"
    return None


def expands(body: str) -> bool:
    """Whether an unquoted here-document body would be changed by the shell."""
    return bool(_EXPANSION.search(body))


def plan(doc, edit):
    raise UnsupportedEdit("shell scripts are not edited as such; the files they write are")
