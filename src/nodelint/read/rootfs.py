"""A node's filesystem as nodelint reads it: paths resolved as if chrooted into a root
(``RootFS``: absolute links and ``..`` stay inside), several roots read as one (``UnionFS``:
the ``files/`` trees of an Ansible tree's roles), and which node a file found in a walked tree
belongs to (``group_key``)."""
from __future__ import annotations

import os
import posixpath
import re
import stat

_ROLE_TREE = re.compile(r"^(?P<base>.*?)(?:^|/)roles/[^/]+/(?:files|templates)/\Z")


def group_key(tree: str, node_root: str | None, rel_path: str) -> str:
    """Which node a file found below ``tree`` belongs to."""
    if node_root is not None:
        m = _ROLE_TREE.match(node_root)
        if m:
            return f"{tree}::{m.group('base')}roles/*/"
        return f"{tree}::{node_root}"
    return f"{tree}::{posixpath.dirname(rel_path)}/(loose)"


class EscapesRoot(OSError):
    """A symbolic link that leads outside the node root (or the tree being checked)."""


class RootFS:
    """Paths resolved as if chrooted into ``root``: absolute links and ``..`` stay inside."""

    MAX_LINKS = 40

    def __init__(self, root: str):
        self.root = os.path.abspath(root)
        # A run reads the filesystem as it was when the run started (nothing is written until
        # the end), so what it resolves and lists is remembered.
        self._resolved: dict[tuple[str, bool], str] = {}
        self._entries: dict[str, list[tuple[str, str]]] = {}

    def resolve(self, node_path: str, strict: bool = False) -> str:
        """The real path of ``node_path``, resolving links as if chrooted into the root.

        An absolute link target is read relative to the root.  A link whose ``..`` climbs
        above the root is clamped at the root, as in a chroot; with ``strict`` it raises
        EscapesRoot instead, so discovery can report it and read nothing.
        """
        known = self._resolved.get((node_path, strict))
        if known is None:
            known = self._resolved[(node_path, strict)] = self._resolve(node_path, strict)
        return known

    def _resolve(self, node_path: str, strict: bool) -> str:
        parts = [p for p in node_path.split("/") if p not in ("", ".")]
        resolved: list[str] = []
        links = 0
        from_link = 0  # how many of the pending parts came from a link target
        # The length of ``resolved`` at which a part was found missing (or below a file): nothing
        # below it exists, so its parts need no lstat until a ".." climbs back above it (a node's
        # sysctl.d and conf.d directories are mostly absent: this saved most lstat calls).
        missing_from = None
        while parts:
            part = parts.pop(0)
            from_link = max(from_link - 1, 0)
            if part == "..":
                if resolved:
                    resolved.pop()
                    if missing_from is not None and len(resolved) <= missing_from:
                        missing_from = None
                elif strict and from_link:
                    raise EscapesRoot(f"{node_path}: a link leads outside {self.root}")
                continue
            if missing_from is not None:
                resolved.append(part)
                continue
            candidate = os.path.join(self.root, *resolved, part)
            try:
                is_link = stat.S_ISLNK(os.lstat(candidate).st_mode)
            except (FileNotFoundError, NotADirectoryError):
                missing_from, is_link = len(resolved), False
            except (OSError, ValueError):  # as os.path.islink: anything else reads as "not a link"
                is_link = False
            if is_link:
                links += 1
                if links > self.MAX_LINKS:
                    raise OSError(f"too many levels of symbolic links: {node_path}")
                target = os.readlink(candidate)
                if target.startswith("/"):
                    resolved = []
                new = [p for p in target.split("/") if p not in ("", ".")]
                parts = new + parts
                from_link = len(new)
                continue
            resolved.append(part)
        return os.path.join(self.root, *resolved)

    def entries(self, node_dir: str) -> list[tuple[str, str]]:
        known = self._entries.get(node_dir)
        if known is None:
            known = self._entries[node_dir] = self._list(node_dir)
        return list(known)

    def _list(self, node_dir: str) -> list[tuple[str, str]]:
        try:
            real = self.resolve(node_dir)
            with os.scandir(real) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            return []
        out = []
        for entry in entries:
            name = entry.name
            node_path = f"{node_dir}/{name}" if node_dir else name
            if not entry.is_symlink():
                # not a link in a resolved directory: it is where it is, and its type is known
                self._resolved.setdefault((node_path, False), entry.path)
                if entry.is_file():
                    out.append((node_path, "file"))
                continue
            if os.readlink(entry.path) == "/dev/null":
                out.append((node_path, "mask"))
                continue
            try:
                target = self.resolve(node_path)
            except OSError:
                out.append((node_path, "missing"))
                continue
            if os.path.isfile(target):
                out.append((node_path, "file"))
            elif not os.path.exists(target):
                out.append((node_path, "missing"))
        return out

    def node_path_of(self, fs_path: str) -> str:
        return os.path.relpath(fs_path, self.root).replace(os.sep, "/")

    def locate(self, node_path: str) -> tuple[str, str]:
        """(path as shown to the user, resolved filesystem path) of a node path."""
        return os.path.join(self.root, node_path), self.resolve(node_path)

    def anchor_of(self, node_path: str) -> str:
        """The trusted directory a node path's file is read and written below (the root)."""
        return self.root

    @property
    def roots(self) -> list["RootFS"]:
        return [self]


class UnionFS:
    """Several node roots seen as one node (the ``roles/*/files/`` of an Ansible tree).

    A path is found in the first root that has it; directory listings merge, the first
    root's entry winning for a name.
    """

    def __init__(self, roots: list[RootFS]):
        self.roots = roots

    @property
    def root(self) -> str:
        return self.roots[0].root

    def _first(self, node_path: str) -> RootFS:
        for fs in self.roots:
            if os.path.lexists(os.path.join(fs.root, node_path)):
                return fs
        parent = posixpath.dirname(node_path)
        for fs in self.roots:  # a new file goes where its directory already is
            if parent and os.path.isdir(os.path.join(fs.root, parent)):
                return fs
        return self.roots[0]

    def resolve(self, node_path: str) -> str:
        return self._first(node_path).resolve(node_path)

    def locate(self, node_path: str) -> tuple[str, str]:
        return self._first(node_path).locate(node_path)

    def anchor_of(self, node_path: str) -> str:
        return self._first(node_path).root

    def entries(self, node_dir: str) -> list[tuple[str, str]]:
        merged: dict[str, tuple[str, str]] = {}
        for fs in self.roots:
            for entry in fs.entries(node_dir):
                merged.setdefault(entry[0], entry)
        return [merged[k] for k in sorted(merged)]

    def add(self, fs: RootFS) -> None:
        if all(r.root != fs.root for r in self.roots):
            self.roots.append(fs)
