"""The YAML string values carriers write files from: where each sits and how it is encoded."""
from __future__ import annotations

from .codecs import Base64, BlockScalar, FlowScalar


def string_value(outer, key: tuple):
    """(codec, text) of the string at ``key`` of a parsed YAML document (None: not a string
    nodelint can place, e.g. a folded ``>`` scalar or an alias)."""
    parsed = outer.parsed
    key_node, node = parsed.node(key)
    if node is None or node.id != "scalar" or not isinstance(node.value, str):
        return None
    from ..formats.yaml import _token_start

    start = _token_start(outer.text, node)
    line_of = lambda offset: parsed.lines.position(offset).line  # noqa: E731
    if node.style == "|":
        parent = key_node.start_mark.column if key_node is not None else node.start_mark.column
        codec = BlockScalar.at(outer.text, start, parent, line_of)
        return (codec, node.value) if codec is not None else None
    if node.style == ">":
        return None
    pos = parsed.lines.position(start)
    return FlowScalar(outer.text, start, node.end_mark.index, node.value, node.style, pos.line, pos.column), node.value


def decoded(value, encoding):
    """(codec, text) of a value under a cloud-init or Cluster API ``encoding`` (None: binary or
    not decodable, e.g. plain gzip)."""
    if value is None:
        return None
    codec, text = value
    enc = str(encoding or "").strip().lower()
    if enc in ("", "text/plain"):
        return codec, text
    if enc in ("b64", "base64"):
        wrapped = Base64(codec, gzipped=False)
    elif enc in ("gz+base64", "gzip+base64", "gz+b64", "gzip+b64"):
        wrapped = Base64(codec, gzipped=True)
    else:
        return None
    inner = wrapped.decode()
    return (wrapped, inner) if inner is not None else None
