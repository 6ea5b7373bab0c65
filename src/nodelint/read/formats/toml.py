"""TOML documents: values from tomli, positions from a small locator, edits as splices.

tomli (the stdlib tomllib's upstream, in its compiled build, pinned below 2.4: TOML 1.0,
as containerd's parsers read it) is the authority on whether a file is valid TOML and on its
values.  The locator below walks the same (already validated) text once more to
record where every table header and key/value entry sits, so findings carry
exact line:column and fixes can change only the lines they must.

Edits are planned as text splices.  The keys and values we write are quoted and escaped
as tomlkit does it (render_value; strings, booleans and integers without importing it), but
we place them ourselves: tomlkit's document-level inserts do not match the surrounding
indentation and put new tables after the comment block that belongs to the next table.
"""
from __future__ import annotations

import re
import tomli
from collections import Counter
from ...values.record import record, fresh
TYPE_CHECKING = False
if TYPE_CHECKING:  # names for annotations only: importing typing costs ~3 ms of start-up
    from typing import Any

from . import FormatSyntaxError, UnsupportedEdit
from ...values.edits import AppendToList, DeleteKey, Edit, KeyPath, RenameKey, RenameTable, SetKey
from .text import LineIndex, Splice, comment_block_start, indent_at, insert_lines, line_end, newline_of

BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# "normal* (escape normal*)*", not "(normal|escape)*": the same strings, but re keeps a frame per
# repetition of an alternation, ~115 bytes a character: a 10 MB string took 1.2 GB and a second.
_BASIC = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"')
_LITERAL = re.compile(r"'[^'\n]*'")
_SCALAR = re.compile(r"[^\n,\]}#]*")
# A whole line holding a bare key and a one-line scalar (a string that is not multi-line, or a
# number, boolean or date without spaces), up to its comment and newline: the common case,
# located in one match.  Anything else (dotted or quoted keys, arrays, inline tables,
# multi-line strings, dates with a space) goes through the scanner below, which gives the same
# spans (tests/formats/test_toml.py holds the two to the same index over the corpus).
_ONE_LINE_ENTRY = re.compile(
    rf"({BARE_KEY.pattern})[ \t]*=[ \t]*"
    rf"({_BASIC.pattern}(?!\")|{_LITERAL.pattern}(?!')|[A-Za-z0-9_+.:-]+)"
    r"[ \t]*(?:#[^\n]*)?(?:\n|\r\n|\Z)")
# Blanks, line ends and comments between entries (what _Cursor._ws_nl_comments skips), in one match.
_BLANKS_AND_COMMENTS = re.compile(r"(?:[ \t\r\n]+|#[^\n]*)*")
FAST_PATHS = True  # the two regex shortcuts here; tests turn them off to compare with the scanner
# One part of a dotted key with the blanks around it, when it needs no unescaping (group 1: the
# part as written, quotes included).
_KEY_PART = re.compile(rf"[ \t]*({BARE_KEY.pattern}|\"[^\"\\\n]*\"|{_LITERAL.pattern})[ \t]*")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\", "e": "\x1b"}


class TomlSyntaxError(FormatSyntaxError):
    pass


@record
class TomlEntry:
    key: KeyPath
    key_start: int
    key_end: int
    last_key_start: int
    last_key_end: int
    value_start: int
    value_end: int
    line_start: int
    line_end: int
    inline: bool = False


@record
class TomlTable:
    path: KeyPath
    kind: str  # root | header | array | implicit | dotted | inline
    raw_parts: tuple[str, ...] = ()
    header_start: int = 0
    header_end: int = 0
    body_end: int = 0
    entries: list[TomlEntry] = fresh(list)

    @property
    def defined_by_header(self) -> bool:
        return self.kind in ("header", "array", "root")


@record
class TomlIndex:
    tables: dict[KeyPath, TomlTable]
    entries: dict[KeyPath, TomlEntry]
    headers: list[TomlTable]  # header and array tables in file order
    prefers_literal: bool


class TomlDocument:
    """Values from tomli; where each key and table is written (``index``), worked out on first
    use: a file no rule reports on and no fix touches never needs it."""

    __slots__ = ("text", "data", "_index", "_lines", "_style", "_anchors")

    def __init__(self, text: str, data: dict):
        self.text, self.data, self._index, self._lines = text, data, None, None
        self._style = self._anchors = None

    @property
    def style(self) -> "_Style":
        """The file's indentation habits (learnt once: every SetKey that adds a key asks)."""
        if self._style is None:
            self._style = _Style(self)
        return self._style

    @property
    def anchors(self) -> dict:
        """Key-path prefix -> the last header or array table whose path starts with it."""
        if self._anchors is None:
            out: dict = {}
            for h in self.index.headers:
                if h.kind in ("header", "array"):
                    for n in range(1, len(h.path) + 1):
                        out[h.path[:n]] = h
            self._anchors = out
        return self._anchors

    @property
    def index(self) -> TomlIndex:
        if self._index is None:
            self._index = _Locator(self.text).run()
        return self._index

    @property
    def lines(self) -> LineIndex:
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return self._lines

    def position(self, key: KeyPath):
        """Where a key (or table) is written, as a Position; None when absent."""
        entry = self.index.entries.get(tuple(key))
        if entry is not None:
            return self.lines.position(entry.key_start)
        table = self.index.tables.get(tuple(key))
        if table is not None and table.kind in ("header", "array"):
            return self.lines.position(table.header_start + len(indent_at(self.text, table.header_start)))
        return None

    def first_table_position(self, prefix: KeyPath):
        """Where the first table header at or below ``prefix`` is written (a table only dotted
        headers name, like ``[plugins."x".containerd]`` for ``("plugins", "x")``); None without one."""
        prefix = tuple(prefix)
        for table in self.index.headers:
            if table.kind in ("header", "array") and tuple(table.path[:len(prefix)]) == prefix:
                return self.lines.position(table.header_start)
        return None

    def value_position(self, key: KeyPath):
        entry = self.index.entries.get(tuple(key))
        return None if entry is None else self.lines.position(entry.value_start)


def load(text: str) -> TomlDocument:
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as e:
        raise TomlSyntaxError(e.msg, e.lineno, e.colno) from None
    return TomlDocument(text, data)


# --------------------------------------------------------------------- locator


def _unescape(body: str) -> str:
    if "\\" not in body:
        return body
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt in "uU":
            width = 4 if nxt == "u" else 8
            out.append(chr(int(body[i + 2:i + 2 + width], 16)))
            i += 2 + width
        elif nxt == "x":
            out.append(chr(int(body[i + 2:i + 4], 16)))
            i += 4
        else:  # line-ending backslash in multi-line strings; not used for keys
            out.append(nxt)
            i += 2
    return "".join(out)


class _Cursor:
    """A position in TOML text and the lexical steps from it: blanks, comments, line ends, keys."""

    def __init__(self, text: str):
        self.t = text
        self.n = len(text)
        self.pos = 0

    def _ws(self) -> None:
        t, p, n = self.t, self.pos, self.n
        while p < n and t[p] in " \t":
            p += 1
        self.pos = p

    def _ws_nl_comments(self) -> None:
        t, n = self.t, self.n
        while self.pos < n:
            c = t[self.pos]
            if c in " \t\r\n":
                self.pos += 1
            elif c == "#":
                e = t.find("\n", self.pos)
                self.pos = n if e == -1 else e
            else:
                return

    def _rest_of_line(self) -> int:
        """Skip trailing blanks and a comment; return the offset after the newline."""
        self._ws()
        if self.pos < self.n and self.t[self.pos] == "#":
            e = self.t.find("\n", self.pos)
            self.pos = self.n if e == -1 else e
        self.pos = line_end(self.t, self.pos) if self.pos < self.n else self.n
        return self.pos

    def _simple_key(self) -> tuple[str, str, int, int]:
        t, p = self.t, self.pos
        c = t[p]
        if c == '"':
            m = _BASIC.match(t, p)
            raw = m.group(0)
            value = _unescape(raw[1:-1])
        elif c == "'":
            m = _LITERAL.match(t, p)
            raw = m.group(0)
            value = raw[1:-1]
        else:
            m = BARE_KEY.match(t, p)
            raw = value = m.group(0)
        self.pos = m.end()
        return value, raw, p, m.end()

    def _dotted_key(self):
        parts, raws, spans = [], [], []
        t = self.t
        while True:
            m = _KEY_PART.match(t, self.pos) if FAST_PATHS else None
            if m is not None:  # a bare key or a quoted one without escapes, with the blanks around it
                s, e = m.span(1)
                raw = m.group(1)
                value = raw[1:-1] if raw[0] in "\"'" else raw
                self.pos = m.end()
            else:
                self._ws()
                value, raw, s, e = self._simple_key()
                self._ws()
            parts.append(value)
            raws.append(raw)
            spans.append((s, e))
            if self.pos < self.n and t[self.pos] == ".":
                self.pos += 1
                continue
            return tuple(parts), tuple(raws), spans

    def _multiline_string(self) -> int:
        """Skip a multi-line string starting at the cursor; returns its end."""
        t, p = self.t, self.pos
        q = t[p]
        i = p + 3
        while True:
            j = t.find(q * 3, i)
            if q == '"':  # skip escaped quotes
                k = j - 1
                slashes = 0
                while k >= i and t[k] == "\\":
                    slashes += 1
                    k -= 1
                if slashes % 2:
                    i = j + 1
                    continue
            end = j + 3
            while end < self.n and t[end] == q and end - j < 5:  # quotes just inside the closing ones
                end += 1
            self.pos = end
            return end


class _Locator(_Cursor):
    """Where every table and entry of a TOML text is: one pass over the text, no value parsed."""

    def __init__(self, text: str):
        super().__init__(text)
        root = TomlTable((), "root", header_start=0, header_end=0)
        self.tables: dict[KeyPath, TomlTable] = {(): root}
        self.entries: dict[KeyPath, TomlEntry] = {}
        self.headers: list[TomlTable] = [root]
        self.arrays: dict[KeyPath, int] = {}
        self.quotes = Counter()

    def _value(self, path: KeyPath) -> tuple[int, int]:
        t, p = self.t, self.pos
        c = t[p]
        if t.startswith('"""', p) or t.startswith("'''", p):
            self.quotes[c] += 1
            return p, self._multiline_string()
        if c == '"':
            m = _BASIC.match(t, p)
            self.quotes['"'] += 1
        elif c == "'":
            m = _LITERAL.match(t, p)
            self.quotes["'"] += 1
        elif c == "[":
            self.pos += 1
            i = 0
            while True:
                self._ws_nl_comments()
                if t[self.pos] == "]":
                    self.pos += 1
                    return p, self.pos
                self._value(path + (i,))
                i += 1
                self._ws_nl_comments()
                if t[self.pos] == ",":
                    self.pos += 1
        elif c == "{":
            self.pos += 1
            if path not in self.tables:
                self.tables[path] = TomlTable(path, "inline")
            while True:
                self._ws()
                if t[self.pos] == "}":
                    self.pos += 1
                    return p, self.pos
                self._entry(self.tables[path], inline=True)
                self._ws()
                if t[self.pos] == ",":
                    self.pos += 1
        else:
            m = _SCALAR.match(t, p)
            end = m.end()
            while end > p and t[end - 1] in " \t\r":
                end -= 1
            self.pos = end
            return p, end
        self.pos = m.end()
        return p, m.end()

    def _entry(self, table: TomlTable, inline: bool = False) -> None:
        """The entry at the cursor, read part by part (run() reads most lines with one regex)."""
        line_start = self.t.rfind("\n", 0, self.pos) + 1
        key_start = self.pos
        parts, _raws, spans = self._dotted_key()
        full = table.path + parts
        tables = self.tables
        for i in range(1, len(parts)):
            if table.path + parts[:i] not in tables:
                tables[table.path + parts[:i]] = TomlTable(table.path + parts[:i], "dotted")
        self._ws()
        self.pos += 1  # '='
        self._ws()
        vs, ve = self._value(full)
        entry = TomlEntry(full, key_start, spans[-1][1], spans[-1][0], spans[-1][1], vs, ve, line_start, 0, inline)
        if not inline:
            entry.line_end = self._rest_of_line()
        self.entries[full] = entry
        table.entries.append(entry)

    def _resolve(self, parts: KeyPath) -> KeyPath:
        resolved: tuple = ()
        for part in parts:
            resolved += (part,)
            if resolved in self.arrays:
                resolved += (self.arrays[resolved],)
        return resolved

    def _header(self) -> TomlTable:
        t = self.t
        start = t.rfind("\n", 0, self.pos) + 1
        is_array = t.startswith("[[", self.pos)
        self.pos += 2 if is_array else 1
        parts, raws, _ = self._dotted_key()
        self.pos += 2 if is_array else 1
        end = self._rest_of_line()
        if is_array:
            parent = self._resolve(parts[:-1]) + (parts[-1],)
            idx = self.arrays.get(parent, -1) + 1
            self.arrays[parent] = idx
            path = parent + (idx,)
            table = TomlTable(path, "array", raws, start, end)
        else:
            path = self._resolve(parts)
            table = self.tables.get(path)
            if table is None or table.kind == "implicit":
                table = TomlTable(path, "header", raws, start, end, entries=table.entries if table else [])
        tables = self.tables
        tables[path] = table
        for i in range(1, len(path)):
            if isinstance(path[i - 1], str) and path[:i] not in tables:
                tables[path[:i]] = TomlTable(path[:i], "implicit")
        return table

    def run(self) -> TomlIndex:
        current = self.tables[()]
        t, n = self.t, self.n
        skip = _BLANKS_AND_COMMENTS.match
        one_line = _ONE_LINE_ENTRY.match if FAST_PATHS else None
        entries, quotes = self.entries, self.quotes
        while True:
            pos = self.pos = skip(t, self.pos).end()
            if pos >= n:
                break
            if t[pos] == "[":
                previous = current
                current = self._header()
                previous.body_end = current.header_start
                self.headers.append(current)
                continue
            m = one_line(t, pos) if one_line is not None else None
            if m is None:
                self._entry(current)
                continue
            # most lines: `key = scalar  # comment`, read by one regex
            full = current.path + (m.group(1),)
            vs, ve = m.span(2)
            if t[vs] in "'\"":
                quotes[t[vs]] += 1
            key_end, self.pos = m.end(1), m.end()
            entry = TomlEntry(full, pos, key_end, pos, key_end, vs, ve, t.rfind("\n", 0, pos) + 1, self.pos)
            entries[full] = entry
            current.entries.append(entry)
        current.body_end = n
        prefers_literal = self.quotes["'"] > self.quotes['"']
        return TomlIndex(self.tables, self.entries, self.headers, prefers_literal)


# ----------------------------------------------------------------------- edits


def render_key(name: str, prefer_literal: bool) -> str:
    if BARE_KEY.fullmatch(name):
        return name
    return render_value(name, prefer_literal)


_BASIC_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def render_value(value: Any, prefer_literal: bool = False) -> str:
    """TOML for a value a fix writes.  Strings, booleans and integers (what fixes write) are
    rendered here as tomlkit renders them (a test holds the two to the same text), so a fix
    does not import tomlkit (25 ms a process); anything else goes to tomlkit."""
    if isinstance(value, str):
        # literal strings cannot hold ' or control characters (DEL included)
        if prefer_literal and "'" not in value and not any(ord(c) < 32 or c == "\x7f" for c in value):
            return f"'{value}'"
        out = []
        for c in value:
            escaped = _BASIC_ESCAPES.get(c)
            if escaped is None and (ord(c) < 32 or c == "\x7f"):
                escaped = f"\\u{ord(c):04x}"
            out.append(escaped or c)
        return '"' + "".join(out) + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(render_value(v, prefer_literal) for v in value) + "]"
    import tomlkit

    return tomlkit.item(value).as_string()


def _quote_style_of(text: str, entry: TomlEntry | None, default: bool) -> bool:
    if entry is not None:
        first = text[entry.value_start:entry.value_start + 1]
        if first in "'\"":
            return first == "'"
    return default


class _Style:
    """Indentation habits of one file, learnt from its existing tables."""

    def __init__(self, doc: TomlDocument):
        text, index = doc.text, doc.index
        self.newline = newline_of(text)
        key_steps: Counter = Counter()
        header_steps: Counter = Counter()
        blank_before_header = 0
        headers = [h for h in index.headers if h.kind in ("header", "array")]
        for h in headers:
            h_indent = len(indent_at(text, h.header_start))
            if h.entries:
                key_steps[len(indent_at(text, h.entries[0].line_start)) - h_indent] += 1
            parent = index.tables.get(h.path[:-1])
            if parent is not None and parent.kind in ("header", "array") and parent.header_start < h.header_start:
                header_steps[h_indent - len(indent_at(text, parent.header_start))] += 1
            if h.header_start >= 2 and _blank_line_before(text, h.header_start):
                blank_before_header += 1
        self.key_step = max(0, key_steps.most_common(1)[0][0]) if key_steps else 0
        self.header_step = max(0, header_steps.most_common(1)[0][0]) if header_steps else 0
        self.blank_before_header = bool(headers) and blank_before_header * 2 >= len(headers)


def _blank_line_before(text: str, at: int) -> bool:
    """Whether ``text[:at]``, without trailing blanks, ends with an empty line (without copying it)."""
    i = at
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    return text.endswith("\n\n", 0, i) or text.endswith("\n\r\n", 0, i)


def _last_content_end(doc: TomlDocument, table: TomlTable) -> int:
    """Offset after the table's last key/value line (or its header line)."""
    ends = [e.line_end for e in table.entries if not e.inline]
    return max(ends) if ends else table.header_end


def _anchor_for(doc: TomlDocument, path: KeyPath) -> tuple[TomlTable, int]:
    """The header table after which a new table at ``path`` goes, and the common depth: the last
    header sharing the longest prefix with ``path`` (looked up by prefix, not by a scan of every
    header per edit)."""
    anchors = doc.anchors
    for n in range(len(path), 0, -1):
        h = anchors.get(tuple(path[:n]))
        if h is not None:
            return h, n
    return doc.index.headers[0], 0


def _plan_set(doc: TomlDocument, edit: SetKey) -> list[Splice]:
    text, index = doc.text, doc.index
    key = tuple(edit.key)
    existing = index.entries.get(key)
    if existing is not None:
        literal = _quote_style_of(text, existing, index.prefers_literal)
        return [Splice(existing.value_start, existing.value_end, render_value(edit.value, literal))]

    wanted = [(key, edit.value)] + [(tuple(k), v) for k, v in edit.create_with if tuple(k) not in index.entries]
    by_table: dict[KeyPath, list[tuple[str, Any]]] = {}
    for k, v in wanted:
        table = index.tables.get(k[:-1])
        if (k, v) != (key, edit.value) and table is not None:
            continue  # create_with keys only go into tables this edit creates
        by_table.setdefault(k[:-1], []).append((k[-1], v))

    style = doc.style
    splices = []
    new_tables = []
    for table_path, items in by_table.items():
        table = index.tables.get(table_path)
        if table is None or table.kind == "implicit":
            new_tables.append((table_path, items))
            continue
        if table.kind not in ("header", "array", "root"):
            raise UnsupportedEdit(f"cannot add a key to the {table.kind} table {'.'.join(map(str, table_path))}")
        at = _last_content_end(doc, table)
        if table.entries:
            last = max((e for e in table.entries if not e.inline), key=lambda e: e.line_end)
            indent = indent_at(text, last.line_start)
        else:
            indent = indent_at(text, table.header_start) + " " * style.key_step if table.kind != "root" else ""
        lines = [f"{indent}{render_key(name, index.prefers_literal)} = {render_value(v, index.prefers_literal)}"
                 for name, v in items]
        if table.kind == "root" and not table.entries:
            at = 0
        splices.append(insert_lines(text, at, lines, style.newline))

    if new_tables:
        new_tables.sort(key=lambda item: item[0])
        anchor, common = _anchor_for(doc, new_tables[0][0])
        at = _last_content_end(doc, anchor) if anchor.kind != "root" else len(text)
        if anchor.kind == "root":
            base_depth, prefix_raw = 0, ()
        else:
            base_depth = len(anchor.path)
            prefix_raw = anchor.raw_parts[:common] if anchor.kind == "header" else ()
            if len(prefix_raw) != common:
                prefix_raw = ()
                common = 0
        # indentation nests below the nearest ancestor written as a header, one step per new header
        ancestor = next((index.tables[new_tables[0][0][:n]] for n in range(len(new_tables[0][0]) - 1, 0, -1)
                         if index.tables.get(new_tables[0][0][:n]) is not None
                         and index.tables[new_tables[0][0][:n]].kind in ("header", "array")), None)
        ancestor_indent = len(indent_at(text, ancestor.header_start)) if ancestor is not None else -1
        lines: list[str] = []
        for level, (table_path, items) in enumerate(new_tables, start=1):
            if ancestor is None:
                h_indent = " " * (style.header_step * (level - 1)) if base_depth else ""
            else:
                h_indent = " " * (ancestor_indent + style.header_step * level)
            raw = list(prefix_raw) + [render_key(str(p), index.prefers_literal) for p in table_path[common:]]
            if style.blank_before_header:
                lines.append("")
            lines.append(f"{h_indent}[{'.'.join(raw)}]")
            k_indent = h_indent + " " * style.key_step
            lines += [f"{k_indent}{render_key(n, index.prefers_literal)} = {render_value(v, index.prefers_literal)}"
                      for n, v in items]
        splices.append(insert_lines(text, at, lines, style.newline))
    return splices


def _header_key_span(text: str, header_start: int) -> tuple[int, int]:
    """(start, end) of the dotted key between a header's brackets."""
    i = header_start
    while text[i] in " \t":
        i += 1
    i += 2 if text.startswith("[[", i) else 1
    start = i
    while i < len(text) and text[i] != "]":
        if text[i] in "\"'":
            quote = text[i]
            i += 1
            while i < len(text) and text[i] != quote:
                i += 2 if quote == '"' and text[i] == "\\" else 1
        i += 1
    return start, i


def _plan_rename_table(doc: TomlDocument, edit: RenameTable) -> list[Splice]:
    index, key, n = doc.index, tuple(edit.key), len(edit.key)
    for path, entry in index.entries.items():
        if path[:n] == key and not any(t.path[:n] == key for t in [index.tables.get(path[:-1])] if t) \
                and len(path) > n:
            raise UnsupportedEdit("a dotted key outside the table's headers names it")
    splices = []
    new = [render_key(str(p), index.prefers_literal) for p in edit.new_key]
    for h in index.headers:
        if h.kind not in ("header", "array") or tuple(h.path[:n]) != key:
            continue
        if len(h.raw_parts) < n:
            raise UnsupportedEdit("a header names the table in parts")
        start, end = _header_key_span(doc.text, h.header_start)
        splices.append(Splice(start, end, ".".join(new + [r.strip() for r in h.raw_parts[n:]])))
    return splices


def plan(doc: TomlDocument, edit: Edit) -> list[Splice]:
    index = doc.index
    if isinstance(edit, SetKey):
        return _plan_set(doc, edit)
    if isinstance(edit, RenameTable):
        return _plan_rename_table(doc, edit)
    entry = index.entries.get(tuple(edit.key))
    if entry is None:
        if isinstance(edit, DeleteKey):
            return []
        raise UnsupportedEdit(f"no key {'.'.join(map(str, edit.key))}")
    if entry.inline:
        raise UnsupportedEdit("keys inside inline tables are not edited")
    if isinstance(edit, DeleteKey):  # with the key's own comment lines directly above it
        return [Splice(comment_block_start(doc.text, entry.line_start), entry.line_end, "")]
    if isinstance(edit, RenameKey):
        return [Splice(entry.last_key_start, entry.last_key_end, render_key(edit.new_name, index.prefers_literal))]
    if isinstance(edit, AppendToList):
        value_text = doc.text[entry.value_start:entry.value_end]
        inner = value_text[1:-1]
        rendered = render_value(edit.value, _quote_style_of(doc.text, None, index.prefers_literal))
        close = entry.value_end - 1
        if inner.strip() == "":
            return [Splice(entry.value_start + 1, close, rendered)]
        stripped = inner.rstrip()
        trailing_comma = stripped.endswith(",")
        insert_at = entry.value_start + 1 + len(stripped)
        return [Splice(insert_at, insert_at, ("" if trailing_comma else ",") + " " + rendered)]
    raise UnsupportedEdit(f"unsupported edit {type(edit).__name__}")
