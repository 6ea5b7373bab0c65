"""CRI-O's and containers.conf's files in the order the runtime applies them."""
from __future__ import annotations

import posixpath


def chain(docs: list, kind: str) -> list:
    """Files of one kind in the order the runtime applies them (the last one wins)."""
    def order(d):
        share = 0 if (d.node_path or "").startswith("usr/share/") else 1
        return (share, 0 if d.role == "main" else 1, posixpath.basename(d.node_path or d.path), d.path)
    return sorted((d for d in docs if d.kind == kind and d.parsed is not None), key=order)


TABLES = {"crio": ("crio", "runtime"), "containers": ("engine",)}


def lookup(data, path):
    """The value at ``path`` in nested tables, or None."""
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def winning(docs: list, kind: str, key: str):
    """(doc, value) of the last file in the chain that sets ``key``; None if none does."""
    table = TABLES[kind]
    found = None
    for d in chain(docs, kind):
        value = lookup(d.data, table + (key,))
        if value is not None:
            found = (d, value)
    return found
