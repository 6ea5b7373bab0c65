"""Tree walks list what os.walk would, in its order, without entering linked or skipped directories."""
from __future__ import annotations

import os

from nodelint.read.discover import SKIP_DIRS, _walk


def os_walk_listing(directory):
    """The reference: os.walk, sorted, skipping SKIP_DIRS, reporting links among the files."""
    found = []
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            found.append((os.path.relpath(path, directory), os.path.islink(path)))
    return found


def test_the_walk_lists_what_os_walk_lists_in_its_order(tmp_path):
    for rel in ["b/etc/containerd/config.toml", "a/etc/sysctl.d/10-a.conf", "a/etc/sysctl.d/09-b.conf",
                "a/z.toml", "a/.git/config", "a/node_modules/x/config.toml", "A.yaml", "c d/é.json"]:
        path = tmp_path / "tree" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")
    tree = tmp_path / "tree"
    os.symlink(tree / "b", tree / "a/linked-dir")  # a linked directory: listed nowhere, never entered
    os.symlink(tree / "b/etc/containerd/config.toml", tree / "a/linked.toml")  # a linked file: listed
    os.symlink(tmp_path / "missing", tree / "a/dangling.conf")
    os.symlink(tree, tree / "b/loop")
    os.mkfifo(tree / "a/fifo.conf")

    assert _walk(str(tree)) == os_walk_listing(str(tree))
    assert ("a/linked.toml", True) in _walk(str(tree))
    assert not any(rel.startswith(("a/linked-dir/", "b/loop/")) or "node_modules" in rel or ".git/" in rel
                   for rel, _ in _walk(str(tree)))
