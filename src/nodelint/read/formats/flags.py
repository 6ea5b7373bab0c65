"""Command-line flags in environment files and systemd units.

Two file shapes carry kubelet flags:
- environment files (``/etc/default/kubelet``, ``/etc/sysconfig/kubelet``,
  ``/var/lib/kubelet/kubeadm-flags.env``): ``KUBELET_EXTRA_ARGS="--cgroup-driver=systemd"``;
- systemd units and drop-ins: ``Environment="KUBELET_EXTRA_ARGS=..."`` and ``ExecStart=``.

Every piece of text is kept with the offsets of its characters in the file, through
quotes and backslash continuations, so a flag value can be replaced in place.
"""
from __future__ import annotations

import re

from ...values.record import record, fresh

from . import FormatSyntaxError, UnsupportedEdit
from ...values.edits import DeleteKey, Edit, KeyPath, SetKey
from .text import LineIndex, Splice


@record
class Segment:
    """Text with the file offset of each of its characters."""

    text: str
    offsets: list[int]

    def span(self) -> tuple[int, int]:
        return (self.offsets[0], self.offsets[-1] + 1) if self.offsets else (0, 0)

    def __getitem__(self, s: slice) -> "Segment":
        return Segment(self.text[s], self.offsets[s])


def _logical_lines(text: str) -> list[Segment]:
    """Physical lines joined at trailing backslashes (the backslash becomes a space).

    A line that is not continued (nearly all) keeps its offsets as a ``range``: a 10 MB line
    costs no list of ten million ints, and slicing it (every word, every flag value) is O(1).
    """
    out: list[Segment] = []
    chars: list[str] = []
    offs: list[int] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        if body.endswith("\\") and not body.lstrip().startswith(("#", ";")):
            chars.append(body[:-1] + " ")
            offs += range(pos, pos + len(body))
        elif not chars:
            out.append(Segment(body, range(pos, pos + len(body))))
        else:
            chars.append(body)
            offs += range(pos, pos + len(body))
            out.append(Segment("".join(chars), offs))
            chars, offs = [], []
        pos += len(raw)
    if chars:
        out.append(Segment("".join(chars), offs))
    return out


# The pieces split_words reads a line as: blanks, an unquoted run, a double-quoted string (its
# backslash escapes read later; it runs to the end of the text when not closed), a single-quoted one.
# (The double-quoted string is written "normal* (escape normal*)*": re keeps a frame per repetition
# of an alternation, which a megabyte-long quoted value would turn into a gigabyte.)
_PIECE = re.compile(r"""[ \t]+|[^ \t"']+|"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)|'[^']*'?""", re.S)
_BLANK = re.compile(r"[^ \t]+")


def split_words(seg: Segment) -> list[Segment]:
    """Split on unquoted whitespace; quotes are removed, offsets kept for the rest.

    Reads the text a piece at a time (runs without quotes or blanks, quoted strings), not a
    character at a time: the same words as _split_words_scan (tests hold the two together), at
    a fraction of the cost on a line of thousands of flags.
    """
    text, offs = seg.text, seg.offsets
    if '"' not in text and "'" not in text:
        return [Segment(m.group(), offs[m.start():m.end()]) for m in _BLANK.finditer(text)]
    words: list[Segment] = []
    cur_t: list[str] = []
    cur_o: list = []  # slices of offs (ranges or lists)
    started = False
    for m in _PIECE.finditer(text):
        piece, start, end = m.group(), m.start(), m.end()
        c = piece[0]
        if c in " \t":
            if started:
                words.append(_joined(cur_t, cur_o))
            cur_t, cur_o, started = [], [], False
            continue
        started = True
        if c == "'":
            close = 1 if end - start > 1 and piece[-1] == "'" else 0
            cur_t.append(piece[1:len(piece) - close])
            cur_o.append(offs[start + 1:end - close])
        elif c == '"':
            close = 1 if end - start > 1 and piece[-1] == '"' and _closes(piece) else 0
            i, stop = start + 1, end - close
            while i < stop:
                j = text.find("\\", i, stop)
                if j == -1:
                    cur_t.append(text[i:stop])
                    cur_o.append(offs[i:stop])
                    break
                if j > i:
                    cur_t.append(text[i:j])
                    cur_o.append(offs[i:j])
                if j + 1 < stop:  # an escape: the next character as it is
                    cur_t.append(text[j + 1])
                    cur_o.append(offs[j + 1:j + 2])
                    i = j + 2
                else:  # a backslash that ends the text: kept as it is
                    cur_t.append("\\")
                    cur_o.append(offs[j:j + 1])
                    i = j + 1
        else:
            cur_t.append(piece)
            cur_o.append(offs[start:end])
    if started:
        words.append(_joined(cur_t, cur_o))
    return words


def _closes(piece: str) -> bool:
    """Whether a double-quoted piece ends with its closing quote (not an escaped quote at the end)."""
    backslashes = len(piece) - 1 - len(piece[:-1].rstrip("\\"))
    return len(piece) > 1 and backslashes % 2 == 0


def _joined(texts: list[str], offsets: list) -> Segment:
    if len(offsets) == 1:
        return Segment(texts[0], offsets[0])
    out: list[int] = []
    for o in offsets:
        out += o
    return Segment("".join(texts), out)


def _split_words_scan(seg: Segment) -> list[Segment]:
    """split_words, a character at a time (the reference the tests compare it with)."""
    words: list[Segment] = []
    cur_t: list[str] = []
    cur_o: list[int] = []
    quote = ""
    started = False
    text, offs = seg.text, seg.offsets
    i = 0
    while i < len(text):
        c = text[i]
        if quote:
            if c == quote:
                quote = ""
            elif c == "\\" and quote == '"' and i + 1 < len(text):
                i += 1
                cur_t.append(text[i])
                cur_o.append(offs[i])
            else:
                cur_t.append(c)
                cur_o.append(offs[i])
        elif c in "\"'":
            quote = c
            started = True
        elif c in " \t":
            if started or cur_t:
                words.append(Segment("".join(cur_t), cur_o))
            cur_t, cur_o, started = [], [], False
        else:
            cur_t.append(c)
            cur_o.append(offs[i])
            started = True
        i += 1
    if started or cur_t:
        words.append(Segment("".join(cur_t), cur_o))
    return words


@record
class Assignment:
    name: str
    value: Segment
    line: int
    column: int


@record
class Directive:
    section: str
    key: str
    value: Segment
    line: int
    column: int


@record
class FlagsDocument:
    """An environment file (``assignments``) or a systemd unit (``directives``)."""

    text: str
    shape: str  # "envfile" | "unit"
    assignments: list[Assignment] = fresh(list)
    directives: list[Directive] = fresh(list)
    lines: LineIndex | None = None

    @property
    def data(self) -> dict:
        if self.shape == "envfile":
            return {a.name: a.value.text for a in self.assignments}
        out: dict = {}
        for d in self.directives:
            out.setdefault(d.section, {}).setdefault(d.key, []).append(d.value.text)
        return out

    def flags(self, container: str) -> list["Flag"]:
        """The flags written in a variable (or "ExecStart"), read once per document: position
        lookups and edit plans ask for them again and again, and each reading of a long line costs
        its length."""
        memo = self.__dict__.setdefault("_memo", {})
        known = memo.get(("flags", container))
        if known is None:
            known = memo[("flags", container)] = [f for seg in _segments_for(self, container) for f in flags_in(seg)]
        return known

    def _last_flag(self, key):
        if len(key) != 2:
            return None
        found = [f for f in self.flags(str(key[0])) if f.name == key[1]]
        return found[-1] if found else None

    def position(self, key):
        """Where ``(variable or "ExecStart", flag)`` is written (its last occurrence)."""
        flag = self._last_flag(tuple(key))
        return None if flag is None else self.lines.position(flag.start)

    def value_position(self, key):
        flag = self._last_flag(tuple(key))
        return None if flag is None else self.lines.position(flag.value_span[0])

    def environment(self) -> list[Assignment]:
        """Variables this file defines: env-file lines, or a unit's Environment= items (read once)."""
        if self.shape == "envfile":
            return self.assignments
        memo = self.__dict__.setdefault("_memo", {})
        if "environment" not in memo:
            memo["environment"] = self._environment()
        return memo["environment"]

    def _environment(self) -> list[Assignment]:
        out = []
        for d in self.directives:
            if d.section == "Service" and d.key == "Environment":
                for word in split_words(d.value):
                    if "=" in word.text:
                        eq = word.text.index("=")
                        pos = self.lines.position(word.offsets[0]) if word.offsets else None
                        out.append(Assignment(word.text[:eq], word[eq + 1:], pos.line if pos else d.line,
                                              pos.column if pos else d.column))
        return out


class FlagsSyntaxError(FormatSyntaxError):
    pass


def load_envfile(text: str) -> FlagsDocument:
    doc = FlagsDocument(text, "envfile", lines=LineIndex(text))
    for seg in _logical_lines(text):
        stripped = seg.text.lstrip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        lead = len(seg.text) - len(stripped)
        body = seg[lead:]
        if body.text.startswith("export "):
            body = body[7:]
            body = body[len(body.text) - len(body.text.lstrip(" \t")):]
        eq = body.text.find("=")
        pos = doc.lines.position(body.offsets[0])
        name = body.text[:eq].strip() if eq > 0 else ""
        if eq <= 0 or not name.replace("_", "").isalnum():
            raise FlagsSyntaxError("expected NAME=value", pos.line, pos.column)
        raw_value = body[eq + 1:]
        value_text = raw_value.text.strip()
        start = len(raw_value.text) - len(raw_value.text.lstrip())
        raw_value = raw_value[start:start + len(value_text)]
        if len(value_text) >= 2 and value_text[0] == value_text[-1] and value_text[0] in "\"'":
            raw_value = raw_value[1:-1]
        doc.assignments.append(Assignment(name, raw_value, pos.line, pos.column))
    return doc


def load_unit(text: str) -> FlagsDocument:
    doc = FlagsDocument(text, "unit", lines=LineIndex(text))
    section = ""
    for seg in _logical_lines(text):
        stripped = seg.text.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        lead = len(seg.text) - len(seg.text.lstrip())
        pos = doc.lines.position(seg.offsets[lead])
        if stripped.startswith("["):
            if not stripped.endswith("]"):
                raise FlagsSyntaxError("unterminated section header", pos.line, pos.column)
            section = stripped[1:-1]
            continue
        eq = seg.text.find("=")
        if eq <= 0:
            raise FlagsSyntaxError("expected Key=Value", pos.line, pos.column)
        key = seg.text[:eq].strip()
        value = seg[eq + 1:]
        trim = len(value.text) - len(value.text.lstrip())
        value = value[trim:len(value.text.rstrip())] if value.text.strip() else value[0:0]
        doc.directives.append(Directive(section, key, value, pos.line, pos.column))
    return doc


@record
class Flag:
    """One ``--name=value`` (or ``--name value``) occurrence."""

    name: str
    value: str
    value_span: tuple[int, int]
    start: int  # offset of the flag's first character


def flags_in(seg: Segment) -> list[Flag]:
    return [flag for flag, _ in flags_from_words([(w, None) for w in split_words(seg)])]


def flags_from_words(words: list[tuple[Segment, object]]) -> list[tuple[Flag, object]]:
    """Flags in a command line of words, each word carrying where it came from."""
    out = []
    append = out.append
    last = len(words) - 1
    for i, (w, source) in enumerate(words):
        text = w.text
        if len(text) < 3 or not text.startswith("--"):
            continue
        offs = w.offsets  # as long as text: one offset per character
        start = offs[0]
        eq = text.find("=")
        if eq != -1:  # the value's span, without slicing the word (its offsets may be a long list)
            end = offs[-1] + 1
            append((Flag(text[2:eq], text[eq + 1:], (offs[eq + 1], end) if eq + 1 < len(text) else (end, end), start),
                    source))
        elif i < last and not words[i + 1][0].text.startswith("-") and words[i + 1][1] is source:
            val = words[i + 1][0]
            append((Flag(text[2:], val.text, val.span(), start), source))
        else:
            append((Flag(text[2:], "true", (start, start), start), source))
    return out


# ----------------------------------------------------------------------- edits




def _segments_for(doc: FlagsDocument, container: str) -> list[Segment]:
    if container == "ExecStart" and doc.shape == "unit":
        return [d.value for d in doc.directives if d.section == "Service" and d.key == "ExecStart"]
    return [a.value for a in doc.environment() if a.name == container]


def plan(doc: FlagsDocument, edit: Edit) -> list[Splice]:
    """Keys are (container, flag): container is a variable name or "ExecStart"."""
    key: KeyPath = tuple(edit.key)
    if len(key) != 2:
        raise UnsupportedEdit("flag keys are (variable, flag)")
    container, flag_name = key
    found = [f for f in doc.flags(str(container)) if f.name == flag_name]
    if isinstance(edit, SetKey):
        if not found:
            raise UnsupportedEdit(f"--{flag_name} is not set in {container}")
        return [Splice(f.value_span[0], f.value_span[1], str(edit.value)) for f in found if f.value != str(edit.value)]
    if isinstance(edit, DeleteKey):
        return []
    raise UnsupportedEdit(f"unsupported edit {type(edit).__name__}")
