"""A Document is one parsed file: its kind, its text, its parsed tree and positions."""
from __future__ import annotations

from ..values.record import record, fresh, replace
TYPE_CHECKING = False
if TYPE_CHECKING:  # names for annotations only: importing typing costs ~3 ms of start-up
    from typing import Any

from . import kinds as K
from ..values.edits import Position

UTF8_BOM = "\ufeff"


class LoadError(Exception):
    """A file that cannot be read at all (exit code 2)."""


@record
class ParseError:
    message: str
    line: int
    column: int


@record(eq=False)
class Document:
    path: str  # as reported to the user
    fs_path: str  # where it is read from and written to
    kind: str
    text: str  # decoded, without a BOM
    raw: bytes = b""
    bom: bool = False
    role: str = "main"  # main | dropin | fragment
    node_path: str | None = None  # location on the node, e.g. "etc/containerd/config.toml"
    parsed: Any = None
    error: ParseError | None = None
    templated: bool = False  # template syntax we cannot check
    template_markers: bool = False  # template syntax present at all
    explicit: bool = False  # named on the command line
    extra: dict = fresh(dict)
    anchor: str | None = None  # the trusted directory it is read and written below (discover.Target)

    @property
    def data(self) -> Any:
        return None if self.parsed is None else self.parsed.data

    @property
    def syntax(self) -> str:
        return _syntax_of(self)

    def position(self, key) -> Position:
        """Where a key is written; the top of the file when it is not written."""
        if self.parsed is not None and hasattr(self.parsed, "position"):
            pos = self.parsed.position(tuple(key))
            if pos is not None:
                return pos
        return Position(1, 1)

    def value_position(self, key) -> Position:
        if self.parsed is not None and hasattr(self.parsed, "value_position"):
            pos = self.parsed.value_position(tuple(key))
            if pos is not None:
                return pos
        return self.position(key)

    def with_text(self, text: str) -> "Document":
        """The same file with new text, parsed again."""
        doc = replace(self, text=text, parsed=None, error=None, templated=False)
        return parse(doc)


def _syntax_of(doc: Document) -> str:
    fmt = K.KINDS.get(doc.kind, "")
    if fmt == "pins":
        stem = K.template_stem(doc.path)[0].lower()
        if stem.endswith(".hcl"):
            return "hcl"
        return "json" if stem.endswith(".json") or doc.text.lstrip().startswith("{") else "yaml"
    if fmt == "yaml-or-json":
        stem = K.template_stem(doc.path)[0].lower()
        if stem.endswith(".json") or doc.text.lstrip().startswith("{"):
            return "json"
        return "yaml"
    return fmt


def decode(raw: bytes) -> tuple[str, bool, ParseError | None]:
    """UTF-8 text, whether it had a BOM, or a ParseError pointing at the first bad byte."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        head = raw[: e.start]
        line = head.count(b"\n") + 1
        col = e.start - (head.rfind(b"\n") + 1) + 1
        return "", False, ParseError(f"not valid UTF-8 (byte 0x{raw[e.start]:02x})", line, col)
    if "\x00" in text:
        at = text.index("\x00")
        return "", False, ParseError("binary content (NUL byte)", text.count("\n", 0, at) + 1,
                                     at - (text.rfind("\n", 0, at) + 1) + 1)
    if text.startswith(UTF8_BOM):
        return text[1:], True, None
    return text, False, None


def parse(doc: Document) -> Document:
    """Parse ``doc.text`` with its kind's format; sets ``parsed`` or ``error``/``templated``.

    A template (or a here-document the shell expands: ``extra["shell_expansions"]``) that does
    not parse as written is parsed with its placeholders masked (placeholders.py); ``masked``
    then says so, and only a template that does not parse even so is ``templated`` (not checked)."""
    shell = bool(doc.extra.get("shell_expansions"))
    doc.template_markers = K.is_templated(doc.text) or shell
    if doc.error is not None:
        return doc
    syntax = _syntax_of(doc)
    if not doc.template_markers:
        try:
            doc.parsed = _parsed(syntax, doc.text, True)
        except _syntax_errors() as e:
            doc.error = ParseError(e.message, e.line, e.column)
        return doc
    from .placeholders import mask

    for text in (mask(doc.text, syntax, shell), doc.text):  # masked first: a value holding one is unknown
        try:
            doc.parsed = _parsed(syntax, text, False)
        except _syntax_errors():
            continue
        doc.extra["placeholders"] = True
        if shell or K.template_stem(doc.path)[1] or not _parses(syntax, doc.text):
            doc.extra["masked"] = True  # a template: said so (NL002), and checked around its placeholders
        return doc
    doc.templated = True
    return doc


def _parses(syntax: str, text: str) -> bool:
    try:
        _parsed(syntax, text, False)
    except _syntax_errors():
        return False
    return True


def _parsed(syntax: str, text: str, explain: bool):
    try:
        return _load(syntax, text, explain=explain)
    except RecursionError:
        from .formats import FormatSyntaxError

        raise FormatSyntaxError("nested too deeply to read", 1, 1) from None


def _has_template_values(doc: Document) -> bool:
    return bool(K.TEMPLATE_MARKERS.search(doc.text))


_FORMAT_MODULES: dict = {}


def format_module(syntax: str):
    """The module under formats/ that reads and edits ``syntax`` (imported on first use)."""
    module = _FORMAT_MODULES.get(syntax)
    if module is not None:
        return module
    import importlib

    name = {"toml": "toml", "json": "json", "yaml": "yaml", "envfile": "flags", "unit": "flags",
            "sysctl": "sysctl", "hcl": "hcl", "shell": "shell", "mime": "mime", "cmdline": "cmdline",
            "fstab": "fstab"}.get(syntax)
    if name is None:
        raise ValueError(f"no format for {syntax!r}")
    module = _FORMAT_MODULES[syntax] = importlib.import_module(f"nodelint.read.formats.{name}")
    return module


def _load(syntax: str, text: str, explain: bool = True):
    """Parse ``text``; with ``explain=False`` a syntax error's wording does not matter (a template's
    error is reported as "template: not checked"), which spares YAML a second, slower parser."""
    module = format_module(syntax)
    if syntax == "envfile":
        return module.load_envfile(text)
    if syntax == "unit":
        return module.load_unit(text)
    if syntax == "yaml":
        return module.load(text, explain=explain)
    return module.load(text)


def _syntax_errors():
    from .formats import SyntaxErrors

    return SyntaxErrors


def plan_edit(doc: Document, edit):
    """Splices that make ``edit`` in ``doc`` (format-specific)."""
    return format_module(_syntax_of(doc)).plan(doc.parsed, edit)
