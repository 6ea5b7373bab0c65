"""How a document is written inside another: a region of the outer text and the way the inner
text is encoded there.  Each codec decodes the region to the inner text, encodes a new inner text
back into region text (the bytes outside the region are never touched), and maps an inner
line/column to the outer file's line/column.

- ``BlockScalar``: a YAML literal block scalar (``|``, ``|-``, ``|+``, with an indentation
  indicator or not): the inner lines, indented.
- ``FlowScalar``: a YAML or JSON quoted (or plain) scalar: escapes; one outer place for every
  inner line.
- ``Base64``: base64 (optionally of gzip) inside another codec's text, wrapped as it was.
- ``Heredoc``: a shell here-document body (``<<`` or ``<<-``, which strips leading tabs).
"""
from __future__ import annotations

import base64
import binascii
import gzip
import json
import re


class Unencodable(Exception):
    """A new inner text this codec cannot write back faithfully (the fix is withheld)."""


def _lines(text: str) -> list[str]:
    """Lines with their endings."""
    return text.splitlines(keepends=True)


def _eol(line: str) -> str:
    return "\r\n" if line.endswith("\r\n") else ("\n" if line.endswith("\n") else "")


class BlockScalar:
    """A literal block scalar.  ``start``..``end`` covers its content lines (from the line after
    the ``|`` header to the end of the last non-blank content line, its line break included)."""

    def __init__(self, outer: str, header_end: int, indent: int, start: int, end: int, first_line: int,
                 chomp: str):
        self.outer, self.header_end, self.indent = outer, header_end, indent
        self.start, self.end, self.first_line, self.chomp = start, end, first_line, chomp

    @classmethod
    def at(cls, outer: str, indicator: int, parent_indent: int, line_of) -> "BlockScalar | None":
        """The block scalar whose ``|`` is at ``indicator`` (None: folded, or not one)."""
        m = re.compile(r"\|([1-9]?)([+-]?)([1-9]?)[ \t]*(?:#[^\n]*)?\r?\n").match(outer, indicator)
        if m is None:
            return None
        digit = m.group(1) or m.group(3)
        start = m.end()
        pos, indent, end = start, int(digit) + parent_indent if digit else None, start
        while pos < len(outer):
            nl = outer.find("\n", pos)
            line_end = len(outer) if nl == -1 else nl + 1
            line = outer[pos:line_end]
            body = line.rstrip("\r\n")
            if body.strip(" "):
                lead = len(body) - len(body.lstrip(" "))
                if indent is None:
                    if lead <= parent_indent:
                        break
                    indent = lead
                if lead < indent:
                    break
                end = line_end
            pos = line_end
        if indent is None or end == start:
            return None
        return cls(outer, m.end(), indent, start, end, line_of(start), m.group(2))

    @property
    def _open_end(self) -> bool:
        """The region ends the file without a line break (so the value has none either)."""
        return not _eol(self.outer[self.start:self.end])

    @property
    def _kept(self) -> int:
        """Blank lines after the content that a keep (``|+``) scalar holds."""
        if self.chomp != "+":
            return 0
        n, pos = 0, self.end
        for line in _lines(self.outer[self.end:]):
            if line.strip(" \t\r\n"):
                break
            if line.endswith("\n"):
                n += 1
            pos += len(line)
        return n

    def decode(self) -> str:
        out = []
        for line in _lines(self.outer[self.start:self.end]):
            body = line.rstrip("\r\n")
            out.append(body[self.indent:] if body.strip(" ") else "")
        text = "\n".join(out)
        return text if self.chomp == "-" or self._open_end else text + "\n" + "\n" * self._kept

    def encode(self, inner: str) -> str:
        region = _lines(self.outer[self.start:self.end])
        eol = next((_eol(ln) for ln in region if _eol(ln)), "\r\n" if "\r\n" in self.outer else "\n")
        kept = self._kept
        if kept:
            if not inner.endswith("\n" * (kept + 1)):
                raise Unencodable("a keep scalar's trailing blank lines are outside the rewritten lines")
            inner = inner[:-kept]
        lines = inner.split("\n")
        if inner.endswith("\n") and not self._open_end:
            lines.pop()
        elif self.chomp != "-" and not self._open_end:
            raise Unencodable("a block scalar that keeps its final line break needs one")
        elif inner.endswith("\n"):
            raise Unencodable("a value at the end of the file without a line break cannot end with one")
        if not lines:
            raise Unencodable("empty content")
        pad = " " * self.indent
        text = "".join((pad + ln if ln.strip() else "") + eol for ln in lines)
        if region and not _eol(region[-1]):  # the region ends the file without a line break
            text = text[: -len(eol)]
        return text

    def outer_position(self, line: int, column: int) -> tuple[int, int]:
        return self.first_line + line - 1, column + self.indent


_NOT_A_PLAIN_STRING = re.compile(  # YAML 1.1 would read these plain scalars as something else
    r"(?i:y|n|yes|no|true|false|on|off|null|~)|[-+]?(?:\.?\d[\d_.,:]*(?:e[-+]?\d+)?|\.inf|\.nan)|0x[0-9a-f_]+|0o?[0-7_]+")


def _plain_string(value: str) -> bool:
    """Whether ``value`` can be written as a plain YAML scalar and still read as this string."""
    if not value or "\n" in value or value != value.strip() or value[0] in ",[]{}#&*!|>'\"%@`":
        return False
    if value[0] in "-?:" and (len(value) == 1 or value[1] in " \t"):
        return False  # "- x" is a list item, "? x" a key, ": x" a value; "--flag" is a plain scalar
    return ": " not in value and " #" not in value and not value.endswith(":") \
        and not _NOT_A_PLAIN_STRING.fullmatch(value)


class FlowScalar:
    """A quoted or plain scalar: ``start``..``end`` is the token, quotes included."""

    def __init__(self, outer: str, start: int, end: int, value: str, style: str | None, line: int, column: int):
        self.outer, self.start, self.end, self.value, self.style = outer, start, end, value, style
        self.line, self.column = line, column

    def decode(self) -> str:
        return self.value

    def encode(self, inner: str) -> str:
        if self.style == "'" and "\n" not in inner:
            return "'" + inner.replace("'", "''") + "'"
        if not self.style and _plain_string(inner):
            return inner
        return json.dumps(inner, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar

    def outer_position(self, line: int, column: int) -> tuple[int, int]:
        return self.line, self.column


class Base64:
    """Base64 (of gzip when ``gzipped``) held in another codec's text."""

    def __init__(self, container, gzipped: bool):
        self.container, self.gzipped = container, gzipped
        self.start, self.end = container.start, container.end
        encoded = container.decode()
        widths = {len(ln) for ln in encoded.split("\n")[:-1] if ln}
        self.width = max(widths) if len(encoded.strip().split("\n")) > 1 and widths else 0

    def decode(self) -> str | None:
        """The inner text (None: not base64 of UTF-8 text)."""
        try:
            raw = base64.b64decode("".join(self.container.decode().split()), validate=True)
            if self.gzipped:
                raw = gzip.decompress(raw)
            return raw.decode("utf-8")
        except (binascii.Error, ValueError, OSError, EOFError, UnicodeDecodeError):
            return None

    def encode(self, inner: str) -> str:
        raw = inner.encode("utf-8")
        if self.gzipped:
            raw = gzip.compress(raw, mtime=0)
        text = base64.b64encode(raw).decode("ascii")
        if self.width:
            text = "\n".join(text[i:i + self.width] for i in range(0, len(text), self.width)) + "\n"
        elif isinstance(self.container, BlockScalar) and self.container.chomp != "-":
            text += "\n"
        return self.container.encode(text)

    def outer_position(self, line: int, column: int) -> tuple[int, int]:
        return self.container.outer_position(1, 1)


class Heredoc:
    """A here-document body: ``start``..``end`` covers the lines before the delimiter line."""

    def __init__(self, outer: str, start: int, end: int, first_line: int, strip_tabs: bool):
        self.outer, self.start, self.end, self.first_line, self.strip_tabs = outer, start, end, first_line, strip_tabs
        self.tabs = [len(ln) - len(ln.lstrip("\t")) if strip_tabs else 0 for ln in _lines(outer[start:end])]

    def decode(self) -> str:
        return "".join(ln[t:].replace("\r\n", "\n") for ln, t in zip(_lines(self.outer[self.start:self.end]), self.tabs))

    def encode(self, inner: str) -> str:
        if not inner.endswith("\n"):
            raise Unencodable("a here-document body ends with a line break")
        region = _lines(self.outer[self.start:self.end])
        eol = next((_eol(ln) for ln in region if _eol(ln)), "\r\n" if "\r\n" in self.outer else "\n")
        common = min(self.tabs) if self.tabs else 0
        out = []
        for i, line in enumerate(inner[:-1].split("\n")):
            tabs = self.tabs[i] if i < len(self.tabs) else common
            out.append("\t" * tabs + line + eol)
        return "".join(out)

    def outer_position(self, line: int, column: int) -> tuple[int, int]:
        tabs = self.tabs[line - 1] if 0 < line <= len(self.tabs) else 0
        return self.first_line + line - 1, column + tabs


class FlagValues:
    """kubelet flags kept as YAML values (Cluster API ``kubeletExtraArgs``: a map, or a list of
    ``name``/``value`` items), read as the line kubeadm writes to kubeadm-flags.env
    (``KUBELET_KUBEADM_ARGS="--name=value ..."``).  A fix may change values, not add or drop flags."""

    VARIABLE = "KUBELET_KUBEADM_ARGS"

    def __init__(self, outer: str, values: list, variable: str = VARIABLE, whole: bool = False):
        """``values``: (flag name, FlowScalar of its value) in the order written; ``whole``: each
        scalar holds the whole ``--name=value`` (EKS nodeadm ``spec.kubelet.flags``)."""
        self.outer, self.values, self.VARIABLE, self.whole = outer, values, variable, whole
        self.start = min(v.start for _, v in values)
        self.end = max(v.end for _, v in values)
        self.spans = []  # (start, end) of each flag in the inner line
        text = f'{self.VARIABLE}="'
        for name, value in values:
            begin = len(text)
            text += (value.value if whole else f"--{name}={value.value}") + " "
            self.spans.append((begin, len(text) - 1))
        self.text = text.rstrip(" ") + '"\n'

    def decode(self) -> str:
        return self.text

    def encode(self, inner: str) -> str:
        m = re.fullmatch(rf'{self.VARIABLE}="(.*)"\n?', inner)
        if m is None:
            raise Unencodable("the flags line is no longer one assignment")
        flags = [re.fullmatch(r"--([A-Za-z0-9-]+)=(.*)", word) for word in m.group(1).split(" ")]
        if any(f is None for f in flags) or [f.group(1) for f in flags] != [n for n, _ in self.values]:
            raise Unencodable("flags were added, removed or reordered")
        region = self.outer[self.start:self.end]
        for (name, value), flag in sorted(zip(self.values, flags), key=lambda p: -p[0][1].start):
            written = flag.group(0) if self.whole else flag.group(2)
            if written != value.value:
                a, b = value.start - self.start, value.end - self.start
                region = region[:a] + value.encode(written) + region[b:]
        return region

    def outer_position(self, line: int, column: int) -> tuple[int, int]:
        for (name, value), (a, b) in zip(self.values, self.spans):
            if a < column <= b + 1:
                return value.line, value.column
        first = self.values[0][1]
        return first.line, first.column


class Slice:
    """Text taken as it is written: a MIME part's body, a mapping's lines re-read alone."""

    def __init__(self, outer: str, start: int, end: int, first_line: int, indent: int = 0):
        self.outer, self.start, self.end, self.first_line, self.indent = outer, start, end, first_line, indent

    def decode(self) -> str:
        text = self.outer[self.start:self.end]
        if not self.indent:
            return text
        return "".join(ln[self.indent:] if ln.strip() else ln.lstrip(" ") for ln in _lines(text))

    def encode(self, inner: str) -> str:
        if not self.indent:
            return inner
        region = self.outer[self.start:self.end]
        if region.endswith("\n") and not inner.endswith("\n"):
            raise Unencodable("the lines must end with a line break")
        pad = " " * self.indent
        return "".join(pad + ln if ln.strip() else ln for ln in _lines(inner))

    def outer_position(self, line: int, column: int) -> tuple[int, int]:
        return self.first_line + line - 1, column + self.indent


class Nowhere:
    """Text the platform supplies (a base config) or a program prints (``containerd config
    default``): not in the outer file, never written."""

    writable = False

    def __init__(self, line: int, column: int):
        self.line, self.column = line, column
        self.start = self.end = -1

    def decode(self) -> str:
        raise Unencodable("supplied by the platform")

    def encode(self, inner: str) -> str:
        raise Unencodable("supplied by the platform, not written in the file")

    def outer_position(self, line: int, column: int) -> tuple[int, int]:
        return self.line, self.column


class TomlString:
    """A TOML string value's token (a scalar for KeyValueLines): rewritten as a basic string."""

    def __init__(self, start: int, end: int, value: str, line: int, column: int):
        self.start, self.end, self.value, self.line, self.column = start, end, value, line, column

    def encode(self, inner: str) -> str:
        return json.dumps(inner, ensure_ascii=False)  # a JSON string is a TOML basic string


class KeyValueLines:
    """``key = value`` lines made from values written elsewhere (Bottlerocket's
    ``settings.kernel.sysctl`` TOML table, Ansible sysctl tasks): a fix may change values, not
    add or drop keys.  ``values``: (key, scalar) with the scalar's token in the outer text
    (TomlString, FlowScalar)."""

    def __init__(self, outer: str, values: list):
        self.outer, self.values = outer, values
        self.start = min(v.start for _, v in values)
        self.end = max(v.end for _, v in values)
        self.text = "".join(f"{key} = {v.value}\n" for key, v in values)

    def decode(self) -> str:
        return self.text

    def encode(self, inner: str) -> str:
        lines = [ln for ln in inner.split("\n") if ln.strip() and not ln.lstrip().startswith("#")]
        pairs = [ln.split("=", 1) for ln in lines]
        if any(len(p) != 2 for p in pairs) or [p[0].strip() for p in pairs] != [k for k, _ in self.values]:
            raise Unencodable("keys were added, removed or reordered")
        region = self.outer[self.start:self.end]
        for (key, v), (_, new) in sorted(zip(self.values, pairs), key=lambda p: -p[0][1].start):
            if new.strip() != v.value:
                region = region[:v.start - self.start] + v.encode(new.strip()) + region[v.end - self.start:]
        return region

    def outer_position(self, line: int, column: int) -> tuple[int, int]:
        _, v = self.values[min(max(line, 1), len(self.values)) - 1]
        return v.line, v.column


class DataURL:
    """An RFC 2397 ``data:`` URL inside another codec's text (Ignition's ``contents.source``):
    percent-encoded (``data:,...``) or base64 (``data:;base64,...``); written back in the same
    form, escaping what Butane escapes (everything but ``A-Za-z0-9-_.!~*'()``)."""

    _SAFE = "-_.!~*'()"

    def __init__(self, container):
        self.container = container
        self.start, self.end = container.start, container.end
        url = container.decode()
        head, _, self.payload = url.partition(",")
        self.head = head
        self.base64 = head.endswith(";base64")

    def decode(self) -> str | None:
        import urllib.parse

        try:
            if self.base64:
                return base64.b64decode(urllib.parse.unquote(self.payload), validate=True).decode("utf-8")
            return urllib.parse.unquote(self.payload, errors="strict")
        except (binascii.Error, ValueError, UnicodeDecodeError):
            return None

    def encode(self, inner: str) -> str:
        import urllib.parse

        if self.base64:
            payload = base64.b64encode(inner.encode("utf-8")).decode("ascii")
        else:
            payload = urllib.parse.quote(inner, safe=self._SAFE)
        return self.container.encode(f"{self.head},{payload}")

    def outer_position(self, line: int, column: int) -> tuple[int, int]:
        return self.container.outer_position(1, 1)


class Joined:
    """Several YAML strings read as one text, one after the other (a ``runcmd`` list, run as one
    script): places map back to each string; nothing is written through it."""

    writable = False

    def __init__(self, parts: list):
        """``parts``: (codec, text) of each string, in order."""
        self.parts, self.first_lines, line = parts, [], 1
        for _, text in parts:
            self.first_lines.append(line)
            line += text.count("\n") + (0 if text.endswith("\n") else 1)
        self.start = self.end = -1

    def decode(self) -> str:
        return "".join(t if t.endswith("\n") else t + "\n" for _, t in self.parts)

    def encode(self, inner: str) -> str:
        raise Unencodable("a list of commands read as one script")

    def outer_position(self, line: int, column: int) -> tuple[int, int]:
        i = max(k for k, first in enumerate(self.first_lines) if first <= line) if line >= 1 else 0
        return self.parts[i][0].outer_position(line - self.first_lines[i] + 1, column)


class ShellWord:
    """A shell word's token (quotes included) holding a line ``echo`` writes."""

    writable = False

    def __init__(self, start: int, end: int, value: str, line: int, column: int):
        self.start, self.end, self.value, self.line, self.column = start, end, value, line, column

    def outer_position(self, line: int, column: int) -> tuple[int, int]:
        return self.line, self.column
