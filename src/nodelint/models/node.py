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

from ..read.rootfs import RootFS, UnionFS
from ..values.record import fresh, record

TYPE_CHECKING = False
if TYPE_CHECKING:  # names for annotations only: importing typing costs ~3 ms of start-up
    from typing import Callable

from ..read.document import Document

def _normal_path(doc: Document) -> str:
    """A document's node path, normalized; worked out once (a document keeps its node path)."""
    known = doc.extra.get("normal_node_path")
    if known is None:
        known = doc.extra["normal_node_path"] = posixpath.normpath(doc.node_path)
    return known


def _node_dir(doc: Document) -> str:
    """The node directory holding a document; worked out once, like _normal_path."""
    known = doc.extra.get("node_dir")
    if known is None:
        known = doc.extra["node_dir"] = posixpath.dirname(_normal_path(doc))
    return known


@record(eq=False)
class Node:
    key: str
    mode: str  # "root" | "tree" | "single"
    docs: list[Document] = fresh(list)
    # loader(node, node_path, kind): reads the file at a node location (e.g.
    # "etc/containerd/runsc.toml") as ``kind`` and adds it to the node (read/load.py: Documents).
    loader: Callable[[Node, str, str], Document | None] | None = None
    tree: str | None = None  # the walked directory (or "root") the node comes from; None for named files
    versions: list = fresh(list)  # VersionFacts that apply to this node
    # The node's filesystem: the image root (--root) or a repo tree's node root (files/).
    fs: "RootFS | UnionFS | None" = None
    # The file that writes every other file of the node (a cloud-init user data, a Cluster API
    # config, a script: read/embedded); the node has no filesystem of its own then.
    carrier: Document | None = None
    # What the platform a carrier provisions decides (Talos: cgroupfs, no unset sysctl judged).
    platform: dict = fresh(dict)
    # Views computed from the node's documents (e.g. its sysctl model); the engine clears it
    # whenever a fix changes a document.
    memo: dict = fresh(dict)

    def of_kind(self, *kinds: str) -> list[Document]:
        """The node's documents of these kinds, in the node's order.  Every rule asks, often for
        the same kinds (about 16 times per file of a tree): each answer is kept until a document
        is added, which made a 5,000-file check 1-18% faster in six paired runs."""
        count = len(self.docs)
        known = self.__dict__.get("_of_kind")
        if known is None or known[0] != count:
            known = self._of_kind = (count, {})
        found = known[1].get(kinds)
        if found is None:
            by_kind = self._indexes()[2]
            if len(kinds) == 1:
                found = [d for _, d in by_kind.get(kinds[0], ())]
            else:
                found = [d for _, d in sorted((e for k in set(kinds) for e in by_kind.get(k, ())), key=lambda e: e[0])]
            known[1][kinds] = found
        return list(found)

    def kinds(self):
        """The kinds of the node's documents (a set-like view: the engine asks it which node rules
        have something to read, instead of asking ``of_kind`` once per rule)."""
        return self._indexes()[2].keys()

    def at(self, node_path: str, kind: str) -> Document | None:
        """The document at a node location, loading it if the node can."""
        node_path = posixpath.normpath("/" + node_path).lstrip("/")
        found = self._by_node_path().get(node_path)
        if found is not None:
            return found
        if self.loader is not None:
            return self.loader(self, node_path, kind)
        return None

    def has_file(self, node_path: str) -> bool:
        """Whether a regular file is at ``node_path`` on the node (read or not)."""
        if self.fs is None:
            return False
        try:
            return os.path.isfile(self.fs.resolve(posixpath.normpath("/" + node_path).lstrip("/")))
        except OSError:
            return False

    def _by_node_path(self) -> dict[str, Document]:
        """The documents by normalized node path (the first one wins, as a scan of ``docs`` would find).

        ``docs`` only ever grows (documents are appended, never removed or replaced), so the index
        catches up with the documents appended since it was last used instead of being rebuilt:
        ``at`` is called once per file of a sysctl.d or conf.d directory, and a scan per call made
        a directory of N files cost N*N.
        """
        return self._indexes()[0]

    def _indexes(self) -> tuple[dict[str, Document], dict[str, list[Document]], dict[str, list]]:
        """(documents by normalized node path, documents by node directory, (position, document)
        by kind), brought up to date: every rule asks for its kinds, and a scan of a root of N
        files per rule and per lookup made the lookups cost N*N."""
        by_path, by_dir, by_kind, done = self.__dict__.get("_at_index") or ({}, {}, {}, 0)
        docs = self.docs
        if done != len(docs):
            for position in range(done, len(docs)):
                d = docs[position]
                by_kind.setdefault(d.kind, []).append((position, d))
                if d.node_path:
                    by_path.setdefault(_normal_path(d), d)
                    by_dir.setdefault(_node_dir(d), []).append(d)
            self._at_index = (by_path, by_dir, by_kind, len(docs))
        return by_path, by_dir, by_kind

    def list_paths(self, node_dir: str) -> list[str]:
        """Node paths of the regular files directly in a node directory."""
        return [p for p, kind in self.entries(node_dir) if kind == "file"]

    def entries(self, node_dir: str) -> list[tuple[str, str]]:
        """(node path, "file" | "mask" | "missing") for every entry of a node directory.

        "mask" is a symlink to /dev/null; "missing" a dangling symlink.  Without a
        filesystem (single files, loose files), the node's own documents are listed.
        """
        node_dir = posixpath.normpath("/" + node_dir).lstrip("/")
        in_dir = self._indexes()[1].get(node_dir, [])
        if self.fs is None:
            return sorted((d.node_path, "file") for d in in_dir)
        entries = self.fs.entries(node_dir)
        listed = {p for p, _ in entries}
        created = [(d.node_path, "file") for d in in_dir if d.extra.get("new") and d.node_path not in listed]
        return sorted(entries + created)  # files a fix creates exist in memory before they are written

    def creatable(self, node_path: str) -> str | None:
        """The filesystem path a new file at ``node_path`` would get, if this node can hold one."""
        if self.fs is None:
            return None
        return self.fs.resolve(node_path)

    def imported_docs(self) -> set[int]:
        """ids of containerd documents some other config in this node imports."""
        from .containerd import imported_ids

        return imported_ids(self, [d for d in self.of_kind("containerd")
                                   if d.parsed is not None and isinstance(d.data, dict) and d.data.get("imports")])

    @property
    def is_view(self) -> bool:
        """Whether cross-file rules apply (a whole node, not single files)."""
        return self.mode in ("root", "tree")
