"""sysctl.d files, read as systemd-sysctl and procps ``sysctl --system`` read them.

The two programs read the same lines differently, so each line is read both ways:

- systemd-sysctl (src/sysctl/sysctl.c ``parse_file``): lines end at LF, CR or CRLF; each is
  stripped of spaces, tabs, CR and LF; ``#`` and ``;`` start comments; ``key = value``, where a
  leading ``-`` makes failures to set the key non-fatal; a ``-key`` line without ``=`` is a
  "negative match": it excludes the key from globs *and* replaces an earlier assignment of it.
  Keys are normalized (``sysctl_normalize``): when the first separator is ``.``, dots and
  slashes swap, so ``net.ipv4.conf.eth0/100.x`` is the file ``net/ipv4/conf/eth0.100/x``.
- procps (src/sysctl.c ``parse_setting_line``): lines end at LF only; the line is
  left-stripped of C whitespace (form feeds too); a ``-key`` line without ``=`` only excludes
  the key from globs; after ``-`` the key is not stripped again.

Keys are kept in dotted form (``fs.inotify.max_user_instances``; a ``/`` in it is a literal dot).
Lines systemd-sysctl would ignore are kept as ``problems`` (reported as NL001 warnings with
their line), never as a failure of the whole file.
"""
from __future__ import annotations

import fnmatch
import re
from ...values.record import record, fresh

from . import FormatSyntaxError, UnsupportedEdit
from ...values.edits import DeleteKey, Edit, SetKey
from .text import LineIndex, Splice, comment_block_start, line_end, newline_of


class SysctlSyntaxError(FormatSyntaxError):
    pass


_SWAP = str.maketrans("./", "/.")
_SYSTEMD_SPACE = " \t\n\r"  # systemd's WHITESPACE
_C_SPACE = " \t\n\v\f\r"  # isspace() in the C locale


def _simplify(path: str) -> str:
    """systemd's path_simplify for a key: no empty or "." parts, no leading or trailing slash."""
    if "//" not in path and "/./" not in path and not path.startswith(("/", "./")) and not path.endswith(("/", "/.")):
        return path
    parts = [p for p in path.split("/") if p not in ("", ".")]
    return "/".join(parts) or path


def normalize_key(raw: str) -> str:
    """The dotted form of a key as systemd-sysctl reads it (separator swap, path simplified)."""
    key = raw.strip(_SYSTEMD_SPACE)
    if "/" not in key and ".." not in key and key[:1] != "." and key[-1:] != ".":
        return key  # the usual dotted key: swapped, simplified (nothing to) and swapped back, it is itself
    return _systemd_normalized(key)


def _systemd_normalized(key: str) -> str:
    """sysctl_normalize, step by step (normalize_key skips it for keys it leaves alone)."""
    slash, dot = key.find("/"), key.find(".")
    path = key if slash != -1 and (dot == -1 or slash < dot) else key.translate(_SWAP)
    return _simplify(path).translate(_SWAP)


def procps_key(raw: str) -> str:
    """The dotted form of a key as procps reads it (its slashdot swap, nothing simplified)."""
    if "/" not in raw:
        return raw  # swapped twice: itself
    return _procps_swapped(raw)


def _procps_swapped(raw: str) -> str:
    """procps' slashdot swap, step by step (procps_key skips it for keys without a slash)."""
    slash, dot = raw.find("/"), raw.find(".")
    path = raw if slash != -1 and (dot == -1 or slash < dot) else raw.translate(_SWAP)
    return path.translate(_SWAP)


def proc_path(key: str) -> str:
    """``/proc/sys`` path of a normalized key: dots become slashes, slashes dots."""
    return key.translate(_SWAP)


_SPACE = re.compile(r"\s")


def is_glob(key: str) -> bool:
    return "*" in key or "?" in key or "[" in key


def glob_matches(pattern: str, key: str) -> bool:
    """Whether the glob ``pattern`` (a dotted key) matches ``key`` the way glob(3) matches the
    files below /proc/sys: component by component (``fs.*`` is ``fs.file-max``, never
    ``fs.inotify.max_user_instances``), and ``*`` or ``?`` never match a leading ``.``."""
    pattern_parts, key_parts = proc_path(pattern).split("/"), proc_path(key).split("/")
    if len(pattern_parts) != len(key_parts):
        return False
    for p, k in zip(pattern_parts, key_parts):
        if p == k:
            continue
        if k.startswith(".") and not p.startswith("."):
            return False
        if not fnmatch.fnmatchcase(k, p):
            return False
    return True


@record
class Assignment:
    key: str  # normalized dotted key (may be a glob)
    raw_key: str
    value: str | None  # None for a "-key" line (a negative match)
    line: int
    column: int
    value_start: int
    value_end: int
    line_start: int
    line_end: int
    ignore_failure: bool = False


@record
class SysctlDocument:
    text: str
    assignments: list[Assignment] = fresh(list)  # as systemd-sysctl reads the file
    problems: list[tuple[int, int, str]] = fresh(list)
    procps: list[Assignment] = fresh(list)  # as procps sysctl --system reads it (key: procps_key)

    @property
    def lines(self) -> LineIndex:
        """Line starts, found on first use: most files of a sysctl.d never need a position."""
        known = self.__dict__.get("_lines")
        if known is None:
            known = self._lines = LineIndex(self.text)
        return known

    @property
    def data(self) -> dict:
        out = {}
        for a in self.assignments:
            if a.value is not None:
                out[a.key] = a.value
        return out

    def matching(self, key: str) -> list[Assignment]:
        """The lines that assign or exclude ``key``, by name or by glob, in file order."""
        return [a for a in self.assignments if a.key == key or (is_glob(a.key) and glob_matches(a.key, key))]

    def last(self, key: str) -> Assignment | None:
        """The assignment that wins for ``key`` in this file alone (explicit keys beat globs; a
        later ``-key`` line takes an earlier assignment back)."""
        explicit = [a for a in self.assignments if a.key == key]
        if explicit:
            return explicit[-1] if explicit[-1].value is not None else None
        globs = [a for a in self.assignments if a.value is not None and is_glob(a.key) and glob_matches(a.key, key)]
        return globs[-1] if globs else None

    def position(self, key):
        a = self.last(str(key[0])) if key else None
        return None if a is None else self.lines.position(a.line_start + a.column - 1)

    def value_position(self, key):
        a = self.last(str(key[0])) if key else None
        return None if a is None else self.lines.position(a.value_start)


_SYSTEMD_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|\Z)")


def load(text: str) -> SysctlDocument:
    doc = SysctlDocument(text)
    _read_as_systemd(doc, text)
    _read_as_procps(doc, text)
    return doc


def _systemd_lines(text: str):
    """(number, start, end, line without its ending) of each line as systemd reads them: ended by
    LF, CR or CRLF.  Without a CR in the text, that is splitting at LF (a third faster)."""
    if "\r" in text:
        yield from _systemd_lines_matched(text)
        return
    start, size = 0, len(text)
    for number, body in enumerate(text.split("\n"), start=1):
        end = start + len(body) + 1
        if end > size:  # the text's last piece, after its last LF
            if body:
                yield number, start, size, body
            return
        yield number, start, end, body
        start = end


def _systemd_lines_matched(text: str):
    """_systemd_lines for any text, by regex."""
    number = 0
    for m in _SYSTEMD_LINES.finditer(text):
        start, end = m.span()
        if start == end:
            return
        number += 1
        yield number, start, end, m.group().rstrip("\r\n")


def _read_as_systemd(doc: SysctlDocument, text: str) -> None:
    for number, start, pos, body in _systemd_lines(text):
        stripped = body.strip(_SYSTEMD_SPACE)
        if not stripped or stripped[0] in "#;":
            continue
        lead = len(body) - len(body.lstrip(_SYSTEMD_SPACE))
        ignore = stripped.startswith("-")
        if "=" not in body:
            if ignore:
                key = stripped[1:].strip(_SYSTEMD_SPACE)
                doc.assignments.append(Assignment(normalize_key(key), key, None, number, lead + 1,
                                                  start + len(body), start + len(body), start, pos, True))
            else:
                doc.problems.append((number, lead + 1, "line is not an assignment; systemd-sysctl ignores it"))
            continue
        eq = body.index("=")
        raw_key = body[lead + (1 if ignore else 0):eq].strip(_SYSTEMD_SPACE)
        if not raw_key or _SPACE.search(raw_key):
            doc.problems.append((number, lead + 1, f"invalid key {raw_key!r}; systemd-sysctl ignores the line"))
            continue
        value_text = body[eq + 1:]
        vlead = len(value_text) - len(value_text.lstrip(_SYSTEMD_SPACE))
        value = value_text.strip(_SYSTEMD_SPACE)
        v_start = start + eq + 1 + vlead
        for mark in (" #", "\t#", " ;", "\t;") if "#" in value or ";" in value else ():
            if mark in value:
                doc.problems.append((number, eq + 2 + vlead + value.index(mark),
                                     "sysctl.d has no trailing comments: the value is the whole rest of the line "
                                     f"({value!r}), which the kernel rejects"))
                break
        doc.assignments.append(Assignment(normalize_key(raw_key), raw_key, value, number, lead + 1, v_start,
                                          v_start + len(value), start, pos, ignore))


def _read_as_procps(doc: SysctlDocument, text: str) -> None:
    """procps' reading: getline() lines, each left-stripped; see the module's docstring."""
    pos = 0
    for number, raw_line in enumerate(text.split("\n"), start=1):
        start = pos
        pos += len(raw_line) + 1
        if len(raw_line) + 1 < 2:  # "rlen < 2": an empty line
            continue
        key = raw_line.lstrip(_C_SPACE)
        if len(key) < 2 or key[0] in "#;":
            continue
        if "=" not in key:
            if key[0] != "-":
                continue  # "invalid syntax, continuing..."
            name = key[1:].rstrip(_C_SPACE)
            doc.procps.append(Assignment(procps_key(name), name, None, number, 1, start, start, start, pos, True))
            continue
        eq = key.index("=")
        name, value = key[:eq].rstrip(_C_SPACE), key[eq + 1:].strip(_C_SPACE)
        ignore = name.startswith("-")
        if ignore:
            name = name[1:]
        offset = start + (len(raw_line) - len(key)) + eq + 1
        doc.procps.append(Assignment(procps_key(name), name, value, number, 1, offset, offset + len(value), start, pos,
                                     ignore))


def plan(doc: SysctlDocument, edit: Edit) -> list[Splice]:
    key = str(edit.key[0]) if edit.key else None
    winner = doc.last(key) if key is not None else None
    explicit = winner if winner is not None and winner.key == key else None
    if isinstance(edit, SetKey):
        if explicit is not None:
            return [Splice(explicit.value_start, explicit.value_end, str(edit.value))]
        newline = newline_of(doc.text) if doc.text else "\n"
        lines = [f"# {line}" for line in edit.comment.splitlines()] + [f"{key} = {edit.value}"]
        body = newline.join(lines)
        end = len(doc.text)
        if doc.text and not doc.text.endswith("\n"):
            return [Splice(end, end, newline + body)]
        return [Splice(end, end, body + newline)]
    if isinstance(edit, DeleteKey):
        if explicit is None:
            return []
        start = comment_block_start(doc.text, explicit.line_start, ("#", ";"))
        return [Splice(start, line_end(doc.text, explicit.line_start), "")]
    raise UnsupportedEdit(f"unsupported edit {type(edit).__name__}")
