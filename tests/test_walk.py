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


def build_tree(root, nodes: int):
    """``nodes`` node directories, each with a containerd config and a sysctl.d file, a link out of
    the tree, an excluded file and an unrelated one; a version pin at the top."""
    for i in range(nodes):
        files = root / f"nodes/n{i:03d}/files"
        (files / "etc/containerd").mkdir(parents=True)
        (files / "etc/containerd/config.toml").write_text("version = 2\n")
        (files / "etc/sysctl.d").mkdir(parents=True)
        (files / "etc/sysctl.d/10-k8s.conf").write_text("fs.inotify.max_user_instances = 128\n")
        (files / "README.md").write_text("not a config\n")
    (root / "nodes/n000/files/etc/containerd/config.toml").unlink()
    (root / "nodes/n000/files/etc/containerd/config.toml").symlink_to("/etc/hostname")
    (root / "nodes/n001/files/etc/sysctl.d/skip.conf").write_text("vm.swappiness = 1\n")
    (root / "packer").mkdir()
    (root / "packer/containerd.json").write_text('{"containerd_version": "1.7.2"}\n')


def test_a_tree_walked_in_parts_by_a_mapper_gives_the_targets_of_one_walk(tmp_path, monkeypatch):
    # The engine hands a big tree's walk to worker processes (engine/batches.py): the parts, walked
    # and classified separately and put back in order, are the targets one process would find.
    from nodelint.read import discover as D
    from nodelint.read.settings import Settings

    build_tree(tmp_path, 40)
    monkeypatch.chdir(tmp_path)
    settings = Settings(exclude=["**/skip.conf"])
    alone = D.walk_tree(".", settings)
    handed = []

    def mapper(work, items):  # what workers.in_workers does, in this process
        handed.extend(items)
        return (work(item) for item in items)

    monkeypatch.setattr(D, "MAPPED_SUBTREES", 8)
    monkeypatch.setattr(D, "MAPPED_FILES", 1)
    assert D.walk_tree(".", settings, mapper=mapper) == alone
    assert any(type(part) is tuple for item in handed for part in item)  # subtrees were walked in parts
    assert [t.path for t in alone][:3] == ["nodes/n000/files/etc/containerd/config.toml",
                                           "nodes/n000/files/etc/sysctl.d/10-k8s.conf",
                                           "nodes/n001/files/etc/containerd/config.toml"]
    assert alone[0].skip is not None and "outside the tree" in alone[0].skip[1]
    assert not any(t.path.endswith("skip.conf") for t in alone)

    monkeypatch.setattr(D, "MAPPED_SUBTREES", 10_000)  # a small tree: listed here, classified in chunks
    handed.clear()
    assert D.walk_tree(".", settings, mapper=mapper) == alone
    assert handed and all(type(part) is list for item in handed for part in item)


def test_a_tree_gives_the_same_report_with_one_process_and_with_workers(tmp_path):
    import subprocess
    import sys

    build_tree(tmp_path, 1200)  # 2,400 configs: over the thresholds for walking and checking in workers
    reports = [subprocess.run([sys.executable, "-m", "nodelint", "check", "--jobs", jobs, "."], cwd=tmp_path,
                              capture_output=True, text=True) for jobs in ("1", "2")]
    assert reports[0].returncode == reports[1].returncode == 1
    assert reports[0].stdout == reports[1].stdout and reports[0].stdout.count("\n") > 2400
