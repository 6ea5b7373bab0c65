"""JSON documents with positions, parsed as strictly as Go's encoding/json.

A small recursive-descent parser records where every member and element sits;
edits are splices that keep indentation, separators and key order.

Most documents never need a position (no finding, no fix in them), so a document's values
are read by the json module's C decoder first, and the positional parser runs only when a
position or an edit is asked for, or when the C decoder's reading might differ from it: a
syntax error (worded by the positional parser), a duplicate key (which it locates), NaN or
Infinity (Go rejects them), or enough brackets to nest as deep as the positional parser's
limits.  Tests hold the two readings to the same values on the corpus and generated documents.
"""
from __future__ import annotations

import json as _json
import re
from ...values.record import record, fresh
TYPE_CHECKING = False
if TYPE_CHECKING:  # names for annotations only: importing typing costs ~3 ms of start-up
    from typing import Any

from . import FormatSyntaxError, UnsupportedEdit
from ...values.edits import AppendToList, DeleteKey, Edit, KeyPath, RenameKey, SetKey
from .text import LineIndex, Splice, newline_of

_WS = re.compile(r"[ \t\r\n]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
# "normal* (escape normal*)*", not "(normal|escape)*": the same strings, but re keeps a frame per
# repetition of an alternation, ~115 bytes a character: a 10 MB string took 1.2 GB and a second.
_STRING = re.compile(r'"[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*"')
MAX_DEPTH = 512
_SCANS_BEFORE_PARSE = 8  # positions found by scanning one document before it is parsed for all of them


class JsonSyntaxError(FormatSyntaxError):
    pass


@record
class JsonNode:
    """Where one value sits; members (objects) and elements (arrays) in order."""

    start: int
    end: int
    key_start: int = -1  # for object members: span of the key string
    key_end: int = -1
    members: list[tuple[str, "JsonNode"]] = fresh(list)
    elements: list["JsonNode"] = fresh(list)
    kind: str = "scalar"  # scalar | object | array


@record
class JsonDocument:
    text: str
    data: Any
    positions: JsonNode | None  # None until asked for (``root``)
    lines: LineIndex
    duplicates: list[tuple[KeyPath, int]]  # (path, key offset) of keys seen twice

    @property
    def root(self) -> JsonNode:
        """Where every value sits, parsed on first use."""
        if self.positions is None:
            self.positions = _parse(self.text)[1]
        return self.positions

    def node(self, key: KeyPath) -> JsonNode | None:
        node = self.root
        for part in key:
            if isinstance(part, int):
                if node.kind != "array" or part >= len(node.elements):
                    return None
                node = node.elements[part]
            else:
                if node.kind != "object":
                    return None
                found = _members(node).get(part)  # the last one wins, as in Go
                if found is None:
                    return None
                node = found
        return node

    def position(self, key: KeyPath):
        found = self._spot(key)
        if found is None:
            return None
        return self.lines.position(found[0] if found[0] >= 0 else found[1])

    def value_position(self, key: KeyPath):
        found = self._spot(key)
        return None if found is None else self.lines.position(found[1])

    def _spot(self, key: KeyPath) -> tuple[int, int] | None:
        """(key offset or -1, value offset) of a value: from the positional parse when it ran, else
        by one scan along the key's path (the C decoder accepted the text: it is valid JSON).  Most
        documents of a tree have a finding or two; a scan costs a tenth of the full positional
        parse.  A document asked about many places (a finding per key) gets the full parse: a
        scan per place would make it N*N."""
        spots = self.__dict__.setdefault("_spots", {})
        if self.positions is not None or len(spots) >= _SCANS_BEFORE_PARSE:
            node = self.node(key)
            return None if node is None else (node.key_start, node.start)
        key = tuple(key)
        if key not in spots:
            spots[key] = locate(self.text, key)
        return spots[key]


_VALUE_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')  # strings (of valid JSON) and brackets
_SCALAR = re.compile(r"[^,\]}\s]+")
_VALID_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')


def _skip(t: str, p: int) -> int:
    """The end of the valid JSON value at ``p``: strings and brackets found by regex, in C."""
    c = t[p]
    if c == '"':
        return _VALID_STRING.match(t, p).end()
    if c in "{[":
        depth = 0
        for m in _VALUE_TOKENS.finditer(t, p):
            s = m.group()
            if s[0] == '"':
                continue
            depth += 1 if s in "{[" else -1
            if depth == 0:
                return m.end()
        return len(t)
    return _SCALAR.match(t, p).end()


def locate(t: str, key: KeyPath) -> tuple[int, int] | None:
    """(key offset or -1, value offset) of the value at ``key`` in valid JSON ``t`` (the last of a
    duplicated name, as Go reads it); None when there is none.  Only the containers on the path
    are walked; every other value is skipped by ``_skip``."""
    ws = _WS.match
    p = ws(t, 0).end()
    key_start = -1
    for part in key:
        if isinstance(part, str):
            if p >= len(t) or t[p] != "{":
                return None
            p = ws(t, p + 1).end()
            found = None
            while t[p] != "}":
                m = _VALID_STRING.match(t, p)
                raw = m.group()
                name = _json.loads(raw) if "\\" in raw else raw[1:-1]
                start = p
                p = ws(t, ws(t, m.end()).end() + 1).end()  # past the ':'
                if name == part:
                    found = (start, p)
                p = ws(t, _skip(t, p)).end()
                if t[p] == ",":
                    p = ws(t, p + 1).end()
            if found is None:
                return None
            key_start, p = found
        else:
            if p >= len(t) or t[p] != "[" or isinstance(part, bool):
                return None
            p = ws(t, p + 1).end()
            index = 0
            while t[p] != "]":
                if index == part:
                    break
                p = ws(t, _skip(t, p)).end()
                if t[p] == ",":
                    p = ws(t, p + 1).end()
                index += 1
            else:
                return None
            key_start = -1
    return key_start, p


def _members(node: JsonNode) -> dict:
    """An object's members by name (the last of a duplicated name), worked out once per node:
    a scan of the members per lookup made N findings or edits in one object cost N*N."""
    known = node.__dict__.get("_by_name")
    if known is None:
        known = node._by_name = dict(node.members)
    return known


def _children(node: JsonNode) -> tuple[list[JsonNode], dict[int, int]]:
    """A container's children in order and, by id, where each sits, worked out once per node
    (``list.index`` compared nodes field by field, members included, and the list was copied for
    every deletion: N*N for N deletions in one object)."""
    known = node.__dict__.get("_children")
    if known is None:
        children = [c for _, c in node.members] if node.kind == "object" else node.elements
        known = node._children = (children, {id(c): i for i, c in enumerate(children)})
    return known


class _Parser:
    def __init__(self, text: str):
        self.t = text
        self.pos = 0
        self.duplicates: list[tuple[KeyPath, int]] = []

    def error(self, message: str, at: int | None = None):
        pos = LineIndex(self.t).position(self.pos if at is None else at)
        raise JsonSyntaxError(message, pos.line, pos.column)

    def ws(self) -> None:
        p = self.pos
        if p < len(self.t) and self.t[p] in " \t\r\n":  # most calls find no blank: no regex for them
            self.pos = _WS.match(self.t, p).end()

    def string(self) -> tuple[str, int, int]:
        m = _STRING.match(self.t, self.pos)
        if not m:
            if self.t.startswith('"', self.pos):
                self.error("invalid or unterminated string")
            if self.t.startswith(("/", "#"), self.pos):
                self.error("comments are not allowed in JSON")
            self.error("expected a string")
        self.pos = end = m.end()
        raw = m.group(0)
        # the pattern has checked it; only escapes need decoding (json's C decoder, as Go decodes them)
        return (_json.loads(raw) if "\\" in raw else raw[1:-1]), m.start(), end

    def value(self, path: KeyPath, depth: int) -> tuple[Any, JsonNode]:
        # one frame per nesting level (objects and arrays are read here, not in helpers of their
        # own): MAX_DEPTH levels stay under Python's default recursion limit
        if depth > MAX_DEPTH:
            self.error(f"nesting deeper than {MAX_DEPTH} levels")
        self.ws()
        t, p = self.t, self.pos
        if p >= len(t):
            self.error("unexpected end of input")
        c = t[p]
        if c == "{":
            self.pos += 1
            node = JsonNode(p, p, kind="object")
            out: dict = {}
            self.ws()
            while not t.startswith("}", self.pos) or node.members:
                self.ws()
                key, ks, ke = self.string()
                self.ws()
                if not t.startswith(":", self.pos):
                    self.error("expected ':' after object key")
                self.pos += 1
                v, child = self.value(path + (key,), depth + 1)
                child.key_start, child.key_end = ks, ke
                if key in out:
                    self.duplicates.append((path + (key,), ks))
                out[key] = v
                node.members.append((key, child))
                if not self.separator("}", "object"):
                    break
            self.pos += 1
            node.end = self.pos
            return out, node
        if c == "[":
            self.pos += 1
            node = JsonNode(p, p, kind="array")
            items: list = []
            self.ws()
            while not t.startswith("]", self.pos) or items:
                v, child = self.value(path + (len(items),), depth + 1)
                items.append(v)
                node.elements.append(child)
                if not self.separator("]", "array"):
                    break
            self.pos += 1
            node.end = self.pos
            return items, node
        return self.scalar(p, c)

    def scalar(self, p: int, c: str) -> tuple[Any, JsonNode]:
        t = self.t
        if c == '"':
            s, start, end = self.string()
            return s, JsonNode(start, end)
        for word, val in (("true", True), ("false", False), ("null", None)):
            if t.startswith(word, p):
                self.pos = p + len(word)
                return val, JsonNode(p, self.pos)
        m = _NUMBER.match(t, p)
        if m and m.end() > p:
            self.pos = m.end()
            raw = m.group(0)
            number = int(raw) if raw.lstrip("-").isdigit() else float(raw)  # what json.loads gives
            return number, JsonNode(p, m.end())
        if c in "/#":
            self.error("comments are not allowed in JSON")
        self.error(f"unexpected character {c!r}")

    def separator(self, close: str, what: str) -> bool:
        """After a member: True at a ',' (another follows), False at ``close`` (left at it)."""
        t = self.t
        self.ws()
        if t.startswith(",", self.pos):
            self.pos += 1
            self.ws()
            if t.startswith(close, self.pos):
                self.error(f"trailing comma before '{close}' (not allowed in JSON)")
            return True
        if t.startswith(close, self.pos):
            return False
        self.error(f"expected ',' or '{close}' in {what}")


class _NotPlain(Exception):
    """The C decoder's reading might differ from the positional parser's: let that one decide."""


def _unique_members(pairs: list) -> dict:
    members = dict(pairs)
    if len(members) != len(pairs):
        raise _NotPlain  # a duplicate key: the positional parser records where
    return members


def _no_constant(name: str):
    raise _NotPlain  # NaN, Infinity, -Infinity: not JSON, and Go rejects them


# Values come from the C decoder (FAST_PATH) unless the text could meet a case where it reads
# differently from the positional parser; tests turn it off to compare the two.
FAST_PATH = True
FAST_PATH_BRACKETS = 256


def load(text: str) -> JsonDocument:
    if not text.strip():
        # dockerd accepts an empty daemon.json; treat it as an empty object.
        return JsonDocument(text, {}, JsonNode(0, 0, kind="empty"), LineIndex(text), [])
    # (fewer brackets than FAST_PATH_BRACKETS cannot nest deep enough to meet either parser's limits)
    if FAST_PATH and text.count("[") + text.count("{") < FAST_PATH_BRACKETS:
        try:
            data = _json.loads(text, object_pairs_hook=_unique_members, parse_constant=_no_constant)
        except (ValueError, _NotPlain, RecursionError):
            pass  # the positional parser decides, and words the error
        else:
            return JsonDocument(text, data, None, LineIndex(text), [])
    data, root, duplicates = _parse(text)
    return JsonDocument(text, data, root, LineIndex(text), duplicates)


def _parse(text: str) -> tuple[Any, JsonNode, list[tuple[KeyPath, int]]]:
    """The positional parser's reading: values, positions, duplicate keys."""
    parser = _Parser(text)
    data, root = parser.value((), 0)
    parser.ws()
    if parser.pos != len(text):
        parser.error("unexpected content after the JSON value")
    return data, root, parser.duplicates


# ----------------------------------------------------------------------- edits




def _render(value: Any) -> str:
    return _json.dumps(value, ensure_ascii=False)


def _separator(doc: JsonDocument, container: JsonNode, children: list[JsonNode]) -> str:
    """Whitespace that goes between ',' and the next member or element."""
    t = doc.text
    if len(children) >= 2:
        prev, cur = children[-2], children[-1]
        gap_start = t.find(",", prev.end) + 1
        first = cur.key_start if cur.key_start >= 0 else cur.start
        return t[gap_start:first]
    if children:
        first = children[0].key_start if children[0].key_start >= 0 else children[0].start
        gap = t[container.start + 1:first]
        return gap if gap else " "
    return " "


def _colon(doc: JsonDocument, obj: JsonNode) -> str:
    for _, child in obj.members:
        return doc.text[child.key_end:child.start]
    return ": "


def _insert_child(doc: JsonDocument, container: JsonNode, rendered: str) -> list[Splice]:
    # the last two children are all that is read (not a copy of every member per edit)
    children = [c for _, c in container.members[-2:]] if container.kind == "object" else container.elements
    if children:
        last = children[-1]
        return [Splice(last.end, last.end, "," + _separator(doc, container, children) + rendered)]
    inner = doc.text[container.start + 1:container.end - 1]
    if "\n" in inner:
        newline = newline_of(doc.text)
        line_start = doc.text.rfind("\n", 0, container.start) + 1
        outer = doc.text[line_start:container.start]
        outer = outer[:len(outer) - len(outer.lstrip(" \t"))]
        return [Splice(container.start + 1, container.end - 1, newline + outer + "  " + rendered + newline + outer)]
    return [Splice(container.start + 1, container.end - 1, rendered)]


def plan(doc: JsonDocument, edit: Edit) -> list[Splice]:
    key = tuple(edit.key)
    if isinstance(edit, SetKey):
        node = doc.node(key)
        if node is not None:
            return [Splice(node.start, node.end, _render(edit.value))]
        parent = doc.node(key[:-1])
        if doc.root.kind == "empty" and not key[:-1]:
            return [Splice(0, len(doc.text), "{" + _render(key[-1]) + ": " + _render(edit.value) + "}\n")]
        if parent is None or parent.kind != "object" or not isinstance(key[-1], str):
            raise UnsupportedEdit("parent object missing")
        return _insert_child(doc, parent, _render(key[-1]) + _colon(doc, parent) + _render(edit.value))
    if isinstance(edit, AppendToList):
        node = doc.node(key)
        if node is None or node.kind != "array":
            raise UnsupportedEdit("not a list")
        return _insert_child(doc, node, _render(edit.value))
    if isinstance(edit, RenameKey):
        node = doc.node(key)
        if node is None or node.key_start < 0:
            raise UnsupportedEdit("no such key")
        return [Splice(node.key_start, node.key_end, _render(edit.new_name))]
    if isinstance(edit, DeleteKey):
        parent = doc.node(key[:-1])
        node = doc.node(key)
        if node is None or parent is None:
            return []
        children, where = _children(parent)
        i = where[id(node)]
        start = node.key_start if node.key_start >= 0 else node.start
        t = doc.text
        if len(children) == 1:
            return [Splice(parent.start + 1, parent.end - 1, "")]
        if i == len(children) - 1:
            prev = children[i - 1]
            return [Splice(prev.end, node.end, "")]
        nxt = children[i + 1]
        nxt_start = nxt.key_start if nxt.key_start >= 0 else nxt.start
        # remove "member," plus the gap up to the next member, keeping the line's indentation
        line_start = t.rfind("\n", 0, start) + 1
        if t[line_start:start].strip() == "" and t.rfind("\n", 0, nxt_start) + 1 > start:
            return [Splice(line_start, t.rfind("\n", 0, nxt_start) + 1, "")]
        return [Splice(start, nxt_start, "")]
    raise UnsupportedEdit(f"unsupported edit {type(edit).__name__}")
