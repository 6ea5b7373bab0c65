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
        if key_node is not None:
            parent = key_node.start_mark.column
        else:  # a sequence item ("- |"): the sequence's indentation
            line = outer.text[outer.text.rfind("\n", 0, start) + 1:start]
            parent = len(line) - len(line.lstrip(" "))
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


def commands(outer, key: tuple, items, label: str):
    """Shell commands kept as YAML strings (cloud-init ``runcmd``/``bootcmd``, Cluster API
    ``preKubeadmCommands``/``postKubeadmCommands``) that write node files: each is read as a
    script of its own (here-documents, ``containerd config default``)."""
    from . import Found
    from .codecs import Joined

    out, parts = [], []
    for i, item in enumerate(items if isinstance(items, list) else []):
        placed = string_value(outer, key + (i,)) if isinstance(item, str) else None
        if placed is None:
            continue
        parts.append(placed)
        if "<<" in item and "/etc/" in item:  # its here-documents, fixable in place
            out.append(Found(f"{label}[{i}]", "", *placed, kind="shell", extra={"shell_only": "heredocs"}))
    if any("config default" in text for _, text in parts):  # generated, then edited by later commands
        joined = Joined(parts)
        out.append(Found(f"{label} (one script)", "", joined, joined.decode(), kind="shell",
                         extra={"shell_only": "generated"}))
    return out
