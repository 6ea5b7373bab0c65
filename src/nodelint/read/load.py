"""Reading a run's files: one file into a parsed document (``load``), within max-file-size and
in place (files.py), and the register of every document a run has read (``Documents``), which
is also each node's loader for files other configs refer to."""
from __future__ import annotations

import os

from . import document as D
from .discover import Target, display
from ..values.findings import Finding


class NotRead(D.LoadError):
    """A file that is not read: over the size limit (NL004) or moved under nodelint (NL003)."""

    def __init__(self, rule: str, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.finding = Finding(rule, "warning", path, 1, 1, f"not read: {reason}")


def load(target: Target, limit: int) -> D.Document:
    """Read (at most ``limit`` bytes) and parse one file."""
    from . import files

    # reads and writes go to the file itself, never through a link (under --root the path is
    # already resolved inside the root; elsewhere the link was checked to stay inside the tree)
    real = target.real or os.path.realpath(target.fs_path)
    fs_path = target.fs_path if target.group == "root" else real
    try:
        raw = files.read_bounded(fs_path, limit, target.anchor)
    except files.TooLarge as e:
        raise NotRead("NL004", target.path, e.strerror) from None
    except files.Moved as e:
        raise NotRead("NL003", target.path, f"{e.strerror}; it was not followed") from None
    except OSError as e:
        raise D.LoadError(f"{target.path}: {e.strerror}") from None
    text, bom, error = D.decode(raw)
    doc = D.Document(target.path, fs_path, target.kind or "", text, raw, bom, target.role,
                     target.node_path, error=error, explicit=target.explicit, anchor=target.anchor)
    doc.extra["real"] = real
    return D.parse(doc)


class Documents:
    """The documents a run has read, by real path, and the files it could not read.

    It is also every node's loader (``node.loader(node, node_path, kind)``) for files other
    configs refer to.  It refers to no node and no run, so a batch's nodes, documents and parse
    trees hold no reference cycle: they are freed the moment the batch is dropped, without
    waiting for the cyclic garbage collector (which would otherwise have to walk them all).
    """

    def __init__(self, limit: int):
        self.limit = limit  # max-file-size: no file is read past it, however it is reached
        self.docs: list[D.Document] = []
        self.errors: list[str] = []
        self.not_read: list[Finding] = []  # NL003/NL004 of files reached by reference
        self.by_real: dict[str, D.Document] = {}
        self.refused: set[str] = set()  # real paths not read (too large, moved): asked for again, not read again

    def add(self, doc: D.Document) -> D.Document:
        self.docs.append(doc)
        self.by_real[doc.extra.get("real") or os.path.realpath(doc.fs_path)] = doc
        return doc

    def __call__(self, node, node_path: str, kind: str) -> D.Document | None:
        """The file at ``node_path`` in the node's filesystem, read as ``kind`` and added to the node."""
        from .kinds import by_path

        try:
            shown, real = node.fs.locate(node_path)
        except OSError:
            return None
        if not os.path.isfile(real):
            return None
        real_path = os.path.realpath(real)
        existing = self.by_real.get(real_path)
        if existing is not None or real_path in self.refused:
            return existing
        match = by_path(node_path)
        role = match.role if match is not None and match.kind == kind else "main"
        target = Target(display(shown), real, kind, role, node_path, node.key, anchor=node.fs.anchor_of(node_path))
        try:
            doc = self.add(load(target, self.limit))
        except NotRead as e:
            self.refused.add(real_path)
            self.not_read.append(e.finding)
            return None
        except D.LoadError as e:
            self.errors.append(str(e))
            return None
        node.docs.append(doc)
        return doc
