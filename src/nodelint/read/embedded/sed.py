"""GNU sed's ``s`` command, translated exactly to Python's ``re`` where it can be, refused
(None) where it cannot: nodelint replays the edits scripts make to generated configs
(``containerd config default | sed 's/SystemdCgroup = false/SystemdCgroup = true/'``).

Basic regular expressions (the default): ``\\(``, ``\\)``, ``\\{``, ``\\}``, and GNU's ``\\+``,
``\\?``, ``\\|`` are the operators and their unescaped forms are literal; ``*`` first in an
expression is literal.  Extended (``-E``, ``-r``): the operators are unescaped.  Both: bracket
expressions with POSIX classes, ``\\s``, ``\\w``, ``\\b``, ``\\<``/``\\>``, ``\\n``, ``\\t``.
Replacement: ``&``, ``\\1``-``\\9``, ``\\n``, escaped characters.  Flags: ``g``, ``I``/``i``.
Addresses, other commands, ``w``/``e``/``p``/``M`` flags and the Nth-match flag: refused.
Reference: https://www.gnu.org/software/sed/manual/sed.html (sections 3.3, 5.3-5.7).
"""
from __future__ import annotations

import re

_CLASSES = {"space": r"\s", "blank": r" \t", "digit": r"0-9", "alpha": r"a-zA-Z", "alnum": r"a-zA-Z0-9",
            "upper": r"A-Z", "lower": r"a-z", "xdigit": r"0-9A-Fa-f", "punct": r"!-/:-@\[-`{-~"}


class Substitution:
    def __init__(self, pattern: re.Pattern, replacement: str, every: bool, source: str):
        self.pattern, self.replacement, self.every, self.source = pattern, replacement, every, source

    def apply(self, text: str) -> tuple[str, bool]:
        """(text with this substitution made on every line, whether it matched any line)."""
        matched = False
        out = []
        for line in text.split("\n"):
            new, n = self.pattern.subn(self.replacement, line, count=0 if self.every else 1)
            matched = matched or n > 0
            out.append(new)
        return "\n".join(out), matched


def parse(script: str, extended: bool) -> list[Substitution] | None:
    """The ``s`` commands of a sed script (``;`` or newline separated), or None."""
    out, i = [], 0
    while i < len(script):
        while i < len(script) and script[i] in " \t\n;":
            i += 1
        if i >= len(script):
            break
        if script[i] != "s" or i + 1 >= len(script):
            return None
        delimiter = script[i + 1]
        if delimiter in "\\\n" or delimiter.isalnum():
            return None
        parts, j = [], i + 2
        for _ in range(2):
            k = j
            while k < len(script) and script[k] != delimiter:
                k += 2 if script[k] == "\\" else 1
            if k >= len(script):
                return None
            parts.append(script[j:k])
            j = k + 1
        k = j
        while k < len(script) and script[k] not in ";\n}":
            k += 1
        flags = script[j:k].strip()
        if any(c not in "gIi" for c in flags):
            return None
        regex = _regex(parts[0], delimiter, extended)
        replacement = _replacement(parts[1], delimiter)
        if regex is None or replacement is None:
            return None
        try:
            pattern = re.compile(regex, re.I if set(flags) & set("Ii") else 0)
        except re.error:
            return None
        out.append(Substitution(pattern, replacement, "g" in flags, script[i:k]))
        i = k
    return out


def _regex(source: str, delimiter: str, extended: bool) -> str | None:
    out, i = [], 0
    while i < len(source):
        c = source[i]
        if c == "\\" and i + 1 < len(source):
            n = source[i + 1]
            i += 2
            if n == delimiter:
                out.append(re.escape(n))
            elif n in "()" and not extended:
                out.append(n)
            elif n in "{}" and not extended:
                out.append(n)
            elif n in "+?|" and not extended:
                out.append(n)
            elif n.isdigit():
                out.append("\\" + n)
            elif n in "nt":
                out.append({"n": "\n", "t": "\t"}[n])
            elif n in "sSwWbB":
                out.append("\\" + n)
            elif n in "<>":
                out.append(r"\b")
            elif n in "`'":
                return None
            else:
                out.append(re.escape(n))
            continue
        if c == "[":
            end, cls = _bracket(source, i)
            if end is None:
                return None
            out.append(cls)
            i = end
            continue
        if c in "(){}+?|" and not extended:
            out.append(re.escape(c))
        elif c == "*" and (not out or out[-1] in ("^", "(") or (not extended and out[-1] == "(")):
            out.append(r"\*")
        else:
            out.append(c if c in ".*^$(){}+?|" else re.escape(c))
        i += 1
    return "".join(out)


def _bracket(source: str, i: int) -> tuple[int | None, str]:
    """A bracket expression starting at ``source[i] == '['``: (offset after it, Python class)."""
    j = i + 1
    out = "["
    if j < len(source) and source[j] == "^":
        out += "^"
        j += 1
    first = True
    while j < len(source):
        c = source[j]
        if c == "]" and not first:
            return j + 1, out + "]"
        if c == "[" and source.startswith("[:", j):
            end = source.find(":]", j)
            if end == -1 or source[j + 2:end] not in _CLASSES:
                return None, ""
            out += _CLASSES[source[j + 2:end]]
            j = end + 2
        else:
            out += "\\" + c if c in "\\[]^-" and not (c == "-" and 0 < j - i and source[j + 1:j + 2] not in ("]", "")) \
                else c
            j += 1
        first = False
    return None, ""


def _replacement(source: str, delimiter: str) -> str | None:
    out, i = [], 0
    while i < len(source):
        c = source[i]
        if c == "\\" and i + 1 < len(source):
            n = source[i + 1]
            i += 2
            if n.isdigit():
                out.append(f"\\g<{n}>")
            elif n == "n":
                out.append("\n")
            elif n == "t":
                out.append("\t")
            elif n in "lLuUE":
                return None  # GNU case conversion
            else:
                out.append("\\\\" if n == "\\" else n)
            continue
        if c == "&":
            out.append(r"\g<0>")
        else:
            out.append("\\\\" if c == "\\" else c)
        i += 1
    return "".join(out)
