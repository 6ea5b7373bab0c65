"""Node assembly: a run's files read and grouped into the nodes they configure.

A file under ``--root`` belongs to the root's node; a file at a node location in a repo tree to
the tree's node (its filesystem is the directory that plays the node's root, or several, for
Ansible roles that together make one machine); a file named alone is a node of its own.
"""
from __future__ import annotations

import os

from ..models.node import Node
from ..read.rootfs import RootFS, UnionFS
from ..read import document as D
from ..read.discover import Target
from ..read.embedded import CARRIERS
from ..read.load import Documents, NotRead, load
from ..values.findings import Finding


def assemble(targets: list[Target], documents: Documents, root: str | None, skipped: list[Finding]) -> list[Node]:
    """Read ``targets`` into ``documents`` and group them into nodes.  Files not read go to
    ``skipped`` (NL003/NL004 findings) or ``documents.errors``."""
    nodes: list[Node] = []
    groups: dict[str, Node] = {}
    placed: set[tuple[str, str]] = set()  # (node, prefix) already in the node's filesystem
    for t in targets:
        doc = _read(t, documents, skipped)
        if doc is None:
            continue
        if doc.kind in CARRIERS:
            nodes += _written_by(doc, t, documents)
            continue
        if t.group is None:
            nodes.append(Node(t.path, "single", [doc]))
            continue
        node = groups.get(t.group)
        if node is None:
            node = groups[t.group] = Node(t.group, "root" if t.group == "root" else "tree",
                                          tree=t.group.split("::")[0])
            nodes.append(node)
        prefix = root if node.mode == "root" else _tree_prefix(t)
        if prefix is not None and (node.key, prefix) not in placed:
            placed.add((node.key, prefix))
            _mount(node, prefix, documents)
        node.docs.append(doc)
    return nodes


def _written_by(outer: D.Document, t: Target, documents: Documents) -> list[Node]:
    """The node a carrier describes: the outer file and every file it writes (read/embedded).
    One outer file is one machine, whether it was named or found in a walked tree."""
    from ..read.embedded import extract

    inner = extract(outer) if outer.parsed is not None and not outer.templated else []
    documents.docs.extend(inner)
    machines: dict = {}  # a file describing several machines (Cluster API objects, node classes): one node each
    for doc in inner:
        machines.setdefault(doc.extra.get("machine"), []).append(doc)
    tree = t.group.split("::")[0] if t.group else None
    nodes = [Node(f"{outer.path}::written" + (f"::{m}" if m is not None else ""), "tree", docs, tree=tree, carrier=outer)
             for m, docs in machines.items()] or [Node(f"{outer.path}::written", "tree", [], tree=tree, carrier=outer)]
    nodes[0].docs.insert(0, outer)
    for node in nodes:
        node.platform = outer.extra.get("platform") or {}
    return nodes


def _read(t: Target, documents: Documents, skipped: list[Finding]) -> D.Document | None:
    """The document of a target of a known kind (None: not read, or of no kind: kept for NL000)."""
    if t.skip is not None:
        skipped.append(Finding(t.skip[0], "warning", t.path, 1, 1, t.skip[1]))
        if t.fs_path:  # nor is it read when another file refers to it
            documents.refused.add(t.real or os.path.realpath(t.fs_path))
        return None
    if not t.kind:
        documents.docs.append(D.Document(t.path, t.fs_path, "", "", explicit=t.explicit, role="unknown"))
        return None
    try:
        return documents.add(load(t, documents.limit))
    except NotRead as e:
        skipped.append(e.finding)
        documents.refused.add(t.real or os.path.realpath(t.fs_path))
    except D.LoadError as e:
        documents.errors.append(str(e))
    return None


def _mount(node: Node, prefix: str, documents: Documents) -> None:
    """Add the directory ``prefix`` to the node's filesystem (several make a union)."""
    if node.fs is None:
        node.fs = RootFS(prefix)
        node.loader = documents
    elif os.path.abspath(prefix) != node.fs.root or isinstance(node.fs, UnionFS):
        if not isinstance(node.fs, UnionFS):
            node.fs = UnionFS([node.fs])
        node.fs.add(RootFS(prefix))


def _tree_prefix(t: Target) -> str | None:
    """The directory that plays the node's root for a file at a node location."""
    if t.node_path is None:
        return None
    fs = t.fs_path.replace(os.sep, "/")
    if not fs.endswith(t.node_path):
        return None
    return fs[: -len(t.node_path)] or "."


def empty_root_node(documents: Documents, root: str) -> Node:
    """The node of a root with no configuration file in it: an empty image still has kernel defaults."""
    node = Node("root", "root", fs=RootFS(root), tree="root")
    node.loader = documents
    return node
