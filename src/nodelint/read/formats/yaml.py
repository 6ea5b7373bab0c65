"""YAML documents (multi-document streams) with positions.

We compose (not construct): every node keeps its start and end marks, so findings
have exact positions and edits replace exactly one scalar or insert one line.
Values are built from the node graph with YAML 1.1 resolution, as Kubernetes'
sigs.k8s.io/yaml (go-yaml v2) reads them.  Alias expansion is bounded, so an
alias bomb is an error, not a hang.

Two composers, one node graph: libyaml's (through PyYAML's C extension, 25 times
faster than a pure-Python composer) reads documents and plans edits; ruamel.yaml's is
the reference: a document libyaml rejects is read again by ruamel.yaml, whose verdict and
error message stand, and it composes everything where PyYAML has no libyaml.  Both resolve
plain scalars with the same YAML 1.1 table (below), and tests hold them to the same
values, positions and planned edits on every YAML file of the corpus and on generated ones.
"""
from __future__ import annotations

import re
from functools import cache
from ...values.record import record
TYPE_CHECKING = False
if TYPE_CHECKING:  # names for annotations only: importing typing costs ~3 ms of start-up
    from typing import Any

from . import FormatSyntaxError, UnsupportedEdit
from ...values.edits import DeleteKey, Edit, KeyPath, RenameKey, SetKey
from .text import LineIndex, Splice, comment_block_start, insert_lines, line_end, newline_of

# Alias expansion is bounded, not the size of a document: max-file-size bounds that (a 10 MB
# KubeletConfiguration of 100,000 plain keys is 200,001 nodes and perfectly valid).  Only nodes
# built again, through an alias to them, count against MAX_ALIAS_NODES.
MAX_ALIAS_NODES = 200_000
MAX_NODES = MAX_ALIAS_NODES  # the old name (kept for plugins and tests that lower it)
MAX_DEPTH = 256
# A text libyaml rejects is read again by the pure-Python ruamel.yaml for its verdict and wording,
# at ~3 s a megabyte; a text over 256 KiB keeps libyaml's (go-yaml, which Kubernetes reads it with, is a
# port of libyaml), so a broken 10 MB file costs a second, not half a minute.
EXPLAIN_MAX_CHARS = 256 << 10
_PLAIN_SAFE = re.compile(r"[A-Za-z_./][A-Za-z0-9_./-]*\Z")
_YAML11_SPECIAL = re.compile(
    r"(?i:y|n|yes|no|on|off|true|false|null|~)\Z|[-+]?[0-9.]")
_BOOL_TRUE = {"y", "yes", "true", "on"}
_VERSION = re.compile(r"v?\d+\.\d+\.\d+(?:[-+.][0-9A-Za-z.]+)?\Z")


class YamlSyntaxError(FormatSyntaxError):
    pass


@record
class YamlDoc:
    node: Any  # ruamel Node or None for an empty document
    data: Any


@record
class YamlDocument:
    text: str
    docs: list[YamlDoc]
    lines: LineIndex
    duplicates: list[tuple[KeyPath, int]]
    exact: bool = True  # composed by ruamel.yaml (the reference), not libyaml

    @property
    def data(self) -> list[Any]:
        return [d.data for d in self.docs]

    def node(self, key: KeyPath):
        """(key_node, value_node) for a path starting with the document index."""
        if not key or key[0] >= len(self.docs):
            return None, None
        node, key_node = self.docs[key[0]].node, None
        for part in key[1:]:
            if node is None:
                return None, None
            if isinstance(part, int):
                if node.id != "sequence" or part >= len(node.value):
                    return None, None
                key_node, node = None, node.value[part]
            else:
                if node.id != "mapping":
                    return None, None
                found = self._entries(node).get(part)
                if found is None:
                    return None, None
                key_node, node = found
        return key_node, node

    def _entries(self, mapping) -> dict:
        """A mapping node's (key node, value node) by scalar key, the last of a duplicated key,
        worked out once per mapping: a scan of the mapping per lookup made N findings or edits in
        one mapping cost N*N.  (Kept by id: ruamel.yaml's nodes take no attributes.)"""
        memo = self.__dict__.setdefault("_entries_memo", {})
        known = memo.get(id(mapping))
        if known is None:
            entries = {}
            for k, v in mapping.value:
                if k.id == "scalar":
                    entries[k.value] = (k, v)
            known = memo[id(mapping)] = (entries, mapping)  # holding the node keeps its id its own
        return known[0]

    def position(self, key: KeyPath):
        key_node, node = self.node(key)
        target = key_node or node
        if target is None:
            return None
        return self.lines.position(target.start_mark.index)

    def value_position(self, key: KeyPath):
        key_node, node = self.node(key)
        if node is None:
            return None
        if _empty(node) and key_node is not None:  # ``key:`` with nothing after it: just past the colon
            return self.lines.position(_after_colon(self.text, key_node))
        return self.lines.position(_token_start(self.text, node))


def _empty(node) -> bool:
    """A value left out (``key:``): libyaml and ruamel.yaml place it differently, so it is placed by the key."""
    return node.id == "scalar" and node.value == "" and not node.style


def _after_colon(text: str, key_node) -> int:
    return text.index(":", key_node.end_mark.index) + 1


def _token_start(text: str, node) -> int:
    """Start of a node's own token, past any anchor (&a) or tag (!t) in front of it."""
    i = node.start_mark.index
    while i < len(text) and text[i] in "&!":
        while i < len(text) and text[i] not in " \t\r\n":
            i += 1
        while i < len(text) and text[i] in " \t":
            i += 1
    return i


class _Builder:
    def __init__(self):
        self.count = 0  # nodes built again: the expansion of aliases
        self.built: set[int] = set()  # ids of the composed nodes built once (the graph holds them all)
        self.duplicates: list[tuple[KeyPath, int]] = []

    def build(self, node, path: KeyPath, depth: int = 0):
        if id(node) in self.built:
            self.count += 1
            if self.count > MAX_NODES:
                mark = node.start_mark
                raise YamlSyntaxError(f"aliases expand to more than {MAX_NODES} nodes (alias expansion limit)",
                                      mark.line + 1, mark.column + 1)
        else:
            self.built.add(id(node))
        if depth > MAX_DEPTH:
            mark = node.start_mark
            raise YamlSyntaxError(f"nested deeper than {MAX_DEPTH} levels", mark.line + 1, mark.column + 1)
        if node.id == "mapping":
            out = {}
            for k, v in node.value:
                key = self.build(k, path, depth + 1)
                if not isinstance(key, (str, int, float, bool, type(None))):
                    key = str(key)
                if key == "<<" and k.tag.endswith(":merge"):
                    merged = self.build(v, path, depth + 1)
                    for m in merged if isinstance(merged, list) else [merged]:
                        if isinstance(m, dict):
                            for mk, mv in m.items():
                                out.setdefault(mk, mv)
                    continue
                if key in out:
                    self.duplicates.append((path + (key,), k.start_mark.index))
                out[key] = self.build(v, path + (key,), depth + 1)
            return out
        if node.id == "sequence":
            return [self.build(v, path + (i,), depth + 1) for i, v in enumerate(node.value)]
        return _scalar(node)


def _scalar(node) -> Any:
    """A scalar's value as its resolved tag says (YAML 1.1, as go-yaml v2)."""
    value = node.value
    kind = node.tag.rsplit(":", 1)[-1]
    if node.style or kind == "str":
        return value
    low = value.lower()
    if kind == "bool":
        return low in _BOOL_TRUE
    if kind == "null":
        return None
    if kind == "int":
        return _yaml11_int(value)
    if kind == "float":
        try:
            return float(value.replace("_", ""))
        except ValueError:
            return value
    return value


def _yaml11_int(value: str):
    """YAML 1.1 integers: 0b binary, 0x hex, leading-zero octal, base 60 with colons."""
    v = value.replace("_", "")
    sign = -1 if v.startswith("-") else 1
    v = v.lstrip("+-")
    try:
        if v.startswith("0b"):
            return sign * int(v[2:], 2)
        if v.startswith("0x"):
            return sign * int(v[2:], 16)
        if ":" in v:
            n = 0
            for part in v.split(":"):
                n = n * 60 + int(part)
            return sign * n
        if len(v) > 1 and v.startswith("0"):
            return sign * int(v, 8)
        return sign * int(v)
    except ValueError:
        return value


# Plain scalars as YAML 1.1 (and go-yaml v2) resolve them: ruamel.yaml's 1.1 table, which
# libyaml's composer is given too (PyYAML's own table lacks y/n booleans and 1e3 floats).
_YAML11_RESOLVERS = [
    ("tag:yaml.org,2002:bool", r"""^(?:y|Y|yes|Yes|YES|n|N|no|No|NO
        |true|True|TRUE|false|False|FALSE
        |on|On|ON|off|Off|OFF)$""", "yYnNtTfFoO"),
    ("tag:yaml.org,2002:float", r"""^(?:
         [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""", "-+0123456789."),
    ("tag:yaml.org,2002:int", r"""^(?:[-+]?0b[0-1_]+
        |[-+]?0?[0-7_]+
        |[-+]?(?:0|[1-9][0-9_]*)
        |[-+]?0x[0-9a-fA-F_]+
        |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$""", "-+0123456789"),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", "<"),
    ("tag:yaml.org,2002:null", r"""^(?: ~
        |null|Null|NULL
        | )$""", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:timestamp", r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
        (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""", "0123456789"),
    ("tag:yaml.org,2002:value", r"^(?:=)$", "="),
]

_LIBYAML: list = []  # [composer class or None], once made


def _libyaml_loader():
    """libyaml's composer with the YAML 1.1 table above, as PyYAML's BaseResolver applies a table
    (formats/libyaml.py imports it without the rest of PyYAML); None without libyaml."""
    if not _LIBYAML:
        from . import libyaml

        found = libyaml.parser()
        if found is None:
            _LIBYAML.append(None)
        else:
            CParser, nodes, _ = found
            table: dict[str, list] = {}
            for tag, pattern, first in _YAML11_RESOLVERS:
                for ch in first:
                    table.setdefault(ch, []).append((tag, re.compile(pattern, re.X)))
            scalar, sequence = nodes.ScalarNode, nodes.SequenceNode

            class Composer(CParser):
                """CParser asks its resolver for each node's tag (BaseResolver.resolve, without path resolvers)."""

                def descend_resolver(self, current_node, current_index):
                    pass

                def ascend_resolver(self):
                    pass

                def resolve(self, kind, value, implicit):
                    if kind is scalar:
                        if implicit[0]:
                            for tag, regexp in table.get(value[0] if value else "", ()):
                                if regexp.match(value):
                                    return tag
                        return "tag:yaml.org,2002:str"
                    return "tag:yaml.org,2002:seq" if kind is sequence else "tag:yaml.org,2002:map"

            _LIBYAML.append(Composer)
    return _LIBYAML[0]


def _compose_all(text: str, composer):
    """Each document's root node (PyYAML's compose_all)."""
    parser = composer(text)
    try:
        while parser.check_node():
            yield parser.get_node()
    finally:
        parser.dispose()


@cache
def _ruamel_yaml11():
    from ruamel.yaml import YAML

    class YAML11(YAML):
        """YAML 1.1 for every document of a stream: ruamel.yaml's parser resets ``version`` at each
        document start, so a kubeadm file's second document would be read as YAML 1.2 (``y`` a string)."""

        version = property(lambda self: (1, 1), lambda self, value: None)

    return YAML11


def load(text: str, exact: bool = False, explain: bool = True) -> YamlDocument:
    """Compose ``text``: with libyaml when it can, with ruamel.yaml when ``exact`` (tests compare the two),
    when PyYAML has no libyaml, or when libyaml rejects the text (ruamel.yaml's error is reported).

    ``explain=False``: the caller does not show a syntax error's message (templates), so a text
    libyaml rejects is rejected with libyaml's own message, without importing ruamel.yaml (~30-75 ms).
    libyaml's verdict is the one that counts for Kubernetes: go-yaml, which reads kubelet and kubeadm
    configs, is a port of libyaml.
    """
    loader = None if exact else _libyaml_loader()
    if loader is not None:
        from .libyaml import parser

        builder = _Builder()
        docs: list[YamlDoc] = []
        try:
            for i, node in enumerate(_compose_all(text, loader)):
                docs.append(YamlDoc(node, None if node is None else builder.build(node, (i,))))
        except (parser()[2], RecursionError) as e:
            if not explain or len(text) > EXPLAIN_MAX_CHARS:
                mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
                problem = getattr(e, "problem", None) or "invalid YAML"
                raise YamlSyntaxError(problem, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1) from None
            # ruamel.yaml decides, and words the error
        except YamlSyntaxError:
            raise  # too large or deep: the same verdict either way
        else:
            return YamlDocument(text, docs, LineIndex(text), builder.duplicates, exact=False)
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = _ruamel_yaml11()(typ="safe", pure=True)
    builder = _Builder()
    docs: list[YamlDoc] = []
    try:
        for i, node in enumerate(yaml.compose_all(text)):
            docs.append(YamlDoc(node, None if node is None else builder.build(node, (i,))))
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        message = " ".join(x for x in (e.context, e.problem) if x) or "invalid YAML"
        raise YamlSyntaxError(message, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1) from None
    except YAMLError as e:
        raise YamlSyntaxError(str(e).splitlines()[0] if str(e) else "invalid YAML", 1, 1) from None
    except RecursionError:
        raise YamlSyntaxError("document too deeply nested", 1, 1) from None
    return YamlDocument(text, docs, LineIndex(text), builder.duplicates, exact=True)


# ----------------------------------------------------------------------- edits




def render_scalar(value: Any, style: str | None = None) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return str(value)
    s = str(value)
    if style == "'" and "\n" not in s:
        return "'" + s.replace("'", "''") + "'"
    if style is None and _VERSION.match(s):
        return s  # 1.6.38 is a string to every YAML reader (two dots: not a float)
    if style == '"' or not _PLAIN_SAFE.match(s) or _YAML11_SPECIAL.match(s):
        import json

        return json.dumps(s, ensure_ascii=False)
    return s


def _last_scalar_end(node) -> int:
    while node.id in ("mapping", "sequence") and node.value and not node.flow_style:
        last = node.value[-1]
        if node.id == "mapping" and _empty(last[1]):
            return last[0].end_mark.index  # a left-out value (``key:``) has no text: its key ends the block
        node = last[1] if node.id == "mapping" else last
    return node.end_mark.index


def _entry_end(key_node, node) -> int:
    """An offset on the last line of a mapping entry: its key's, when its value is left out."""
    last = key_node.end_mark.index if _empty(node) else _last_scalar_end(node) - 1
    return max(last, key_node.end_mark.index)


def plan(doc: YamlDocument, edit: Edit) -> list[Splice]:
    """Splices for ``edit``, from the document's own composition (libyaml's or ruamel.yaml's:
    the same nodes, marks and styles, which tests hold them to, plans included)."""
    key = tuple(edit.key)
    text = doc.text
    key_node, node = doc.node(key)
    if isinstance(edit, SetKey):
        if node is not None:
            if node.id != "scalar":
                raise UnsupportedEdit("only scalar values are replaced")
            if _empty(node) and key_node is not None:
                at = _after_colon(text, key_node)
                return [Splice(at, at, " " + render_scalar(edit.value))]
            start = _token_start(text, node)
            return [Splice(start, node.end_mark.index, render_scalar(edit.value, node.style))]
        _, parent = doc.node(key[:-1])
        if parent is None or parent.id != "mapping" or parent.flow_style or not parent.value:
            raise UnsupportedEdit("no block mapping to add the key to")
        name = key[-1]
        column = parent.value[0][0].start_mark.column
        line = " " * column + f"{render_scalar(name)}: {render_scalar(edit.value)}"
        names = [k.value for k, _ in parent.value if k.id == "scalar"]
        newline = newline_of(text)
        if len(names) > 2 and names == sorted(names):
            for k, _ in parent.value:
                if k.value > name:
                    at = comment_block_start(text, k.start_mark.index - k.start_mark.column)
                    return [insert_lines(text, at, [line], newline)]
        at = line_end(text, _entry_end(*parent.value[-1]))
        return [insert_lines(text, at, [line], newline)]
    if isinstance(edit, RenameKey):
        if key_node is None:
            raise UnsupportedEdit("no such key")
        return [Splice(key_node.start_mark.index, key_node.end_mark.index, render_scalar(edit.new_name, key_node.style))]
    if isinstance(edit, DeleteKey):
        if key_node is None:
            return []
        start = key_node.start_mark.index - key_node.start_mark.column
        end = line_end(text, _entry_end(key_node, node))
        if not text[start:key_node.start_mark.index].strip():
            start = comment_block_start(text, start)  # the key's own comments go with it
        return [Splice(start, end, "")]
    raise UnsupportedEdit(f"unsupported edit {type(edit).__name__}")
