"""RootFS resolves node paths as if chrooted into the root.  Its walk skips the lstat of parts
below a missing one; these tests hold it to the plain walk (an lstat for every part) on
generated trees of directories, files, links (relative, absolute, dangling, looping) and paths
with ``..``."""
from __future__ import annotations

import itertools
import os
import random

import pytest

from nodelint.read.rootfs import EscapesRoot, RootFS


def plain_walk(root: str, node_path: str, strict: bool) -> str:
    """The resolution with an lstat for every part (what RootFS did before it skipped any)."""
    parts = [p for p in node_path.split("/") if p not in ("", ".")]
    resolved: list[str] = []
    links = from_link = 0
    while parts:
        part = parts.pop(0)
        from_link = max(from_link - 1, 0)
        if part == "..":
            if resolved:
                resolved.pop()
            elif strict and from_link:
                raise EscapesRoot(node_path)
            continue
        candidate = os.path.join(root, *resolved, part)
        if os.path.islink(candidate):
            links += 1
            if links > RootFS.MAX_LINKS:
                raise OSError(node_path)
            target = os.readlink(candidate)
            if target.startswith("/"):
                resolved = []
            new = [p for p in target.split("/") if p not in ("", ".")]
            parts = new + parts
            from_link = len(new)
            continue
        resolved.append(part)
    return os.path.join(root, *resolved)


def outcome(resolve, node_path: str, strict: bool) -> str:
    try:
        return resolve(node_path, strict)
    except EscapesRoot:
        return "escapes"
    except OSError:
        return "too many links"


def make_tree(root: str, rng: random.Random) -> None:
    names = ["a", "b", "c"]
    for directory in ["", "a", "a/b", "c"]:
        os.makedirs(os.path.join(root, directory), exist_ok=True)
    for name in ["f", "a/f", "a/b/f"]:
        with open(os.path.join(root, name), "w") as f:
            f.write("x")
    targets = ["a", "/a/b", "../a", "..", "../..", "missing", "f", "/f", "a/f", "l1", "/c/../a", "b/.."]
    for link in ["l1", "a/l2", "a/b/l3", "c/l4"]:
        os.symlink(rng.choice(targets + names), os.path.join(root, link))


def test_skipping_parts_below_a_missing_one_changes_no_resolution(tmp_path):
    rng = random.Random(5)
    words = ["a", "b", "c", "f", "l1", "l2", "l3", "l4", "..", "missing", "x"]
    for tree in range(6):
        root = str(tmp_path / f"root{tree}")
        make_tree(root, rng)
        paths = ["/".join(p) for n in range(1, 4) for p in itertools.product(words, repeat=n)]
        for node_path in paths:
            for strict in (False, True):
                fs = RootFS(root)  # fresh: no answer remembered from another path
                assert outcome(fs.resolve, node_path, strict) == \
                    outcome(lambda p, s: plain_walk(fs.root, p, s), node_path, strict), (tree, node_path, strict)


@pytest.mark.parametrize("node_path, expected", [
    ("missing/../a/b", "a/b"),  # a ".." back above the missing part: the walk looks again
    ("a/missing/x/../../b", "a/b"),
    ("f/x/../../c", "c"),  # below a file (ENOTDIR) is missing too
])
def test_a_dotdot_above_a_missing_part_resolves_what_follows(tmp_path, node_path, expected):
    root = str(tmp_path)
    make_tree(root, random.Random(0))
    os.symlink("a", os.path.join(root, "a", "b", "back"))
    assert RootFS(root).resolve(node_path) == os.path.join(root, expected)
