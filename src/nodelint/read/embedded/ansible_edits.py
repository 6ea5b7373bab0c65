"""Ansible's ``lineinfile`` and ``replace`` modules, replayed on a text as the modules edit it.

``lineinfile`` (state present): the last line matching ``regexp`` (or equal to ``search_string``)
is replaced by ``line`` (with ``backrefs``, expanded from the match, and left alone when nothing
matches); otherwise, when ``line`` is not already a line, it is inserted after the last line
matching ``insertafter`` (``EOF``, or no match: at the end), or before the last line matching
``insertbefore`` (``BOF``: at the start; no match: at the end).  State absent removes lines
matching ``regexp``/``search_string``, or equal to ``line``.  ``replace``: every match of
``regexp`` (Python, MULTILINE) is replaced.  Sources:
https://github.com/ansible/ansible/blob/c9ac477e53a99e95781f333eec3329a935c1bf95/lib/ansible/modules/lineinfile.py
and replace.py (the same files' logic).
"""
from __future__ import annotations

import re


def lineinfile(text: str, args: dict) -> tuple[str, bool] | None:
    """(the edited text, whether the task changed it), or None when it cannot be replayed."""
    lines = text.splitlines(keepends=True)
    regexp, search, line = args.get("regexp"), args.get("search_string"), args.get("line")
    try:
        rx = re.compile(regexp) if isinstance(regexp, str) else None
        after = args.get("insertafter")
        before = args.get("insertbefore")
        after_rx = re.compile(after) if isinstance(after, str) and after != "EOF" else None
        before_rx = re.compile(before) if isinstance(before, str) and before != "BOF" else None
    except re.error:
        return None
    if args.get("firstmatch"):
        return None

    def matches(ln: str) -> bool:
        body = ln.rstrip("\r\n")
        if rx is not None:
            return bool(rx.search(body))
        if isinstance(search, str):
            return search in body
        return False

    if str(args.get("state", "present")) == "absent":
        kept = [ln for ln in lines if not (matches(ln) or (rx is None and search is None and ln.rstrip("\r\n") == line))]
        return "".join(kept), len(kept) != len(lines)
    if not isinstance(line, str):
        return None
    found = [i for i, ln in enumerate(lines) if matches(ln)] if (rx is not None or search is not None) else []
    if found:
        i = found[-1]
        new = rx.search(lines[i].rstrip("\r\n")).expand(line) if args.get("backrefs") and rx is not None else line
        eol = lines[i][len(lines[i].rstrip("\r\n")):] or "\n"
        changed = lines[i] != new + eol
        lines[i] = new + eol
        return "".join(lines), changed
    if args.get("backrefs"):
        return text, False
    if any(ln.rstrip("\r\n") == line for ln in lines):
        return text, False
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if before == "BOF":
        lines.insert(0, line + "\n")
    elif before_rx is not None:
        hits = [i for i, ln in enumerate(lines) if before_rx.search(ln.rstrip("\r\n"))]
        lines.insert(hits[-1] if hits else len(lines), line + "\n")
    elif after_rx is not None:
        hits = [i for i, ln in enumerate(lines) if after_rx.search(ln.rstrip("\r\n"))]
        lines.insert(hits[-1] + 1 if hits else len(lines), line + "\n")
    else:
        lines.append(line + "\n")
    return "".join(lines), True


def replace(text: str, args: dict) -> tuple[str, bool] | None:
    regexp, replacement = args.get("regexp"), args.get("replace", "")
    if not isinstance(regexp, str) or not isinstance(replacement, str) or "after" in args or "before" in args:
        return None
    try:
        new, n = re.subn(regexp, replacement, text, flags=re.MULTILINE)
    except (re.error, IndexError):
        return None
    return new, n > 0 and new != text
