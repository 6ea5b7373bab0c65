"""A Node is the set of documents that describe one machine.

- ``--root DIR``: one node, the files at their node locations below DIR.
- a directory walked in a repo: files that sit below the same node root (``files/``
  in ``files/etc/containerd/config.toml``; every ``roles/*/files/`` and
  ``roles/*/templates/`` of one Ansible tree together) form a node; files outside
  any node location form a node with the other files of their directory.
- files named one by one: each is a node of its own ("single"), so rules only judge
  what that file says.
"""
from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass, field
from typing import Callable

from .document import Document

_ROLE_TREE = re.compile(r"^(?P<base>.*?)(?:^|/)roles/[^/]+/(?:files|templates)/\Z")


def group_key(tree: str, node_root: str | None, rel_path: str) -> str:
    """Which node a file found below ``tree`` belongs to."""
    if node_root is not None:
        m = _ROLE_TREE.match(node_root)
        if m:
            return f"{tree}::{m.group('base')}roles/*/"
        return f"{tree}::{node_root}"
    return f"{tree}::{posixpath.dirname(rel_path)}/(loose)"


class RootFS:
    """Paths resolved as if chrooted into ``root``: absolute links and ``..`` stay inside."""

    MAX_LINKS = 40

    def __init__(self, root: str):
        self.root = os.path.abspath(root)

    def resolve(self, node_path: str) -> str:
        parts = [p for p in node_path.split("/") if p not in ("", ".")]
        resolved: list[str] = []
        links = 0
        while parts:
            part = parts.pop(0)
            if part == "..":
                if resolved:
                    resolved.pop()
                continue
            candidate = os.path.join(self.root, *resolved, part)
            if os.path.islink(candidate):
                links += 1
                if links > self.MAX_LINKS:
                    raise OSError(f"too many levels of symbolic links: {node_path}")
                target = os.readlink(candidate)
                if target.startswith("/"):
                    resolved = []
                parts = [p for p in target.split("/") if p not in ("", ".")] + parts
                continue
            resolved.append(part)
        return os.path.join(self.root, *resolved)

    def node_path_of(self, fs_path: str) -> str:
        return os.path.relpath(fs_path, self.root).replace(os.sep, "/")


@dataclass
class Node:
    key: str
    mode: str  # "root" | "tree" | "single"
    docs: list[Document] = field(default_factory=list)
    # Loads the file at a node location (e.g. "etc/containerd/runsc.toml") as ``kind``.
    loader: Callable[[str, str], Document | None] | None = None
    # Lists the file node paths directly in a node directory (root mode reads the disk).
    lister: Callable[[str], list[str]] | None = None

    def of_kind(self, *kinds: str) -> list[Document]:
        return [d for d in self.docs if d.kind in kinds]

    def at(self, node_path: str, kind: str) -> Document | None:
        """The document at a node location, loading it if the node can."""
        node_path = posixpath.normpath("/" + node_path).lstrip("/")
        for d in self.docs:
            if d.node_path and posixpath.normpath(d.node_path) == node_path:
                return d
        if self.loader is not None:
            return self.loader(node_path, kind)
        return None

    def list_paths(self, node_dir: str) -> list[str]:
        node_dir = posixpath.normpath("/" + node_dir).lstrip("/")
        if self.lister is not None:
            return self.lister(node_dir)
        return sorted(d.node_path for d in self.docs
                      if d.node_path and posixpath.dirname(posixpath.normpath(d.node_path)) == node_dir)

    def imported_docs(self) -> set[int]:
        """ids of containerd documents some other config in this node imports."""
        from .containerd import imports_of

        out: set[int] = set()
        for d in self.of_kind("containerd"):
            if d.parsed is not None and isinstance(d.data, dict) and d.data.get("imports"):
                out |= {id(x) for x in imports_of(d, self)}
        return out

    @property
    def is_view(self) -> bool:
        """Whether cross-file rules apply (a whole node, not single files)."""
        return self.mode in ("root", "tree")
