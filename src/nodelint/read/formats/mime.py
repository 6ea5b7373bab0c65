"""MIME multipart user data (cloud-init, EKS nodeadm, Karpenter), as far as nodelint reads it:
the parts, their headers, and where each part's body sits in the text.

RFC 2046: the body of a ``multipart/*`` entity is split at lines ``--BOUNDARY``; the line
break before a boundary line belongs to the boundary; ``--BOUNDARY--`` ends it.  Nested
multiparts are read the same way.  Python's email package is the judge of the split (tests).
"""
from __future__ import annotations

import re

from ...values.record import fresh, record
from . import FormatSyntaxError, UnsupportedEdit
from .text import LineIndex

_BOUNDARY = re.compile(r'boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))', re.I)


class MimeSyntaxError(FormatSyntaxError):
    pass


@record
class Part:
    headers: dict  # lower-cased name -> value
    body_start: int
    body_end: int
    line: int  # 1-based line of the body's first line

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "text/plain").split(";")[0].strip().lower()

    @property
    def transfer_encoding(self) -> str:
        return self.headers.get("content-transfer-encoding", "7bit").strip().lower()


@record
class MimeMessage:
    text: str
    lines: LineIndex
    parts: list = fresh(list)  # the leaves, in order

    @property
    def data(self) -> list:
        return self.parts


def load(text: str) -> MimeMessage:
    lines = LineIndex(text)
    message = MimeMessage(text, lines)
    headers, body = _headers(text, 0)
    _walk(text, headers, body, len(text), lines, message.parts)
    if not message.parts:
        raise MimeSyntaxError("no parts found in the multipart user data", 1, 1)
    return message


def _headers(text: str, start: int) -> tuple[dict, int]:
    """Headers from ``start`` to the first empty line (folded lines joined); the body's offset."""
    headers: dict = {}
    pos, last = start, None
    while pos < len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl == -1 else nl + 1
        line = text[pos:end].rstrip("\r\n")
        pos = end
        if not line:
            break
        if line[0] in " \t" and last is not None:
            headers[last] += " " + line.strip()
            continue
        name, sep, value = line.partition(":")
        if sep:
            last = name.strip().lower()
            headers[last] = value.strip()
    return headers, pos


def _walk(text: str, headers: dict, start: int, end: int, lines: LineIndex, out: list) -> None:
    kind = headers.get("content-type", "text/plain").split(";")[0].strip().lower()
    if not kind.startswith("multipart/"):
        out.append(Part(headers, start, end, lines.position(start).line))
        return
    m = _BOUNDARY.search(headers.get("content-type", ""))
    if m is None:
        raise MimeSyntaxError("multipart content without a boundary", lines.position(start).line, 1)
    boundary = "--" + (m.group(1) or m.group(2))
    delimiters = [d for d in re.finditer(rf"^{re.escape(boundary)}(--)?[ \t]*\r?$", text[:end], re.M)
                  if d.start() >= start]
    for here, after in zip(delimiters, delimiters[1:]):
        if here.group(1):
            break
        part_start = text.find("\n", here.end()) + 1
        part_end = after.start()
        part_end -= 2 if text[part_end - 2:part_end] == "\r\n" else (1 if text[part_end - 1:part_end] == "\n" else 0)
        part_headers, body = _headers(text, part_start)
        _walk(text, part_headers, body, max(body, part_end), lines, out)


def plan(doc, edit):
    raise UnsupportedEdit("MIME user data is not edited as such; the parts it holds are")
