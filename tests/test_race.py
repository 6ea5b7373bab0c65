"""Someone who can write inside the root cannot make --fix write outside it.

A racing process swaps a directory on the way to the files being fixed for a link to a
directory outside the root, and back, as fast as it can, while --fix runs.  Outside, canary
files hold the same bytes as the files inside (so a write that went there would pass the
"still holds what was read" check): after every run they must be byte for byte as they were,
with no file added.  Inside, every file is wholly old or wholly fixed.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from nodelint.write import atomic as writer

from .conftest import write

SYSCTL = "fs.inotify.max_user_instances = 128\nfs.inotify.max_user_watches = 524288\n"
KUBELET = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: cgroupfs\n"

# Flips ROOT/DIR between the real directory and a link to OUTSIDE until STOP exists.
RACER = textwrap.dedent("""
    import os, sys, time
    root, rel, outside, stop = sys.argv[1:]
    path = os.path.join(root, rel)
    hidden = os.path.join(os.path.dirname(path), ".real-" + os.path.basename(path))
    flips = 0
    while not os.path.exists(stop):
        if flips == 3:
            print("ready", flush=True)  # flipping, and scheduled: a loaded machine may starve a new process
        try:
            os.rename(path, hidden)
            os.symlink(outside, path)
            time.sleep(0.0005)  # about as long a link as a directory: reads and writes meet both
            os.unlink(path)
            os.rename(hidden, path)
            time.sleep(0.0005)
            flips += 1
        except OSError:  # nodelint made a new directory in the gap: the race is over for this run
            break
    if flips < 3:
        print("ready", flush=True)
    print(flips)
""")


def snapshot(directory) -> dict[str, bytes]:
    out = {}
    for dirpath, _, names in os.walk(directory):
        for name in names:
            path = os.path.join(dirpath, name)
            out[os.path.relpath(path, directory)] = open(path, "rb").read()
    return out


def make_root(root, outside):
    """A root whose sysctl.d and kubelet files need fixing, and an outside directory holding
    files of the same names and bytes.  Other files make the run last long enough for the racer
    to flip between reading and writing."""
    for i in range(200):
        write(root / f"usr/lib/sysctl.d/{i:03d}-vendor.conf", f"net.vendor.k{i} = 1\n")
    write(root / "etc/sysctl.d/10-k8s.conf", SYSCTL)
    write(root / "var/lib/kubelet/config.yaml", KUBELET)
    write(outside / "sysctl.d/10-k8s.conf", SYSCTL)
    write(outside / "sysctl.d/canary.conf", "kernel.panic = 10\n")
    write(outside / "kubelet/config.yaml", KUBELET)


def check_outside_untouched(outside, before, attempt):
    now = snapshot(outside)
    assert now == before, f"run {attempt} wrote outside the root: {sorted(set(now) ^ set(before)) or 'a changed file'}"


def restore(root):
    """Undo a swap the racer was stopped in the middle of.  When the fix found the directory
    missing (mid-swap) it made a new one, inside the root: what it wrote there is inside too."""
    for rel in ("etc/sysctl.d", "var/lib/kubelet"):
        path = root / rel
        hidden = path.parent / (".real-" + path.name)
        if hidden.exists():
            if path.is_symlink():
                path.unlink()
            elif path.is_dir():
                shutil.rmtree(path)
            os.rename(hidden, path)


@pytest.mark.parametrize("rel, outside_rel", [("etc/sysctl.d", "sysctl.d"), ("var/lib/kubelet", "kubelet")])
def test_a_directory_flipping_to_an_outside_link_never_leads_a_fix_outside(tmp_path, rel, outside_rel):
    from nodelint.cli import main

    rounds = 150
    met = 0
    for attempt in range(rounds):
        base = tmp_path / f"r{attempt}"
        root, outside, stop = base / "root", base / "outside", base / "stop"
        make_root(root, outside)
        before = snapshot(outside)
        racer = subprocess.Popen([sys.executable, "-c", RACER, str(root), rel, str(outside / outside_rel), str(stop)],
                                 stdout=subprocess.PIPE, text=True)
        assert racer.stdout.readline() == "ready\n"
        try:
            code = main(["--fix", "--quiet", "--root", str(root), "--select", "NL1,NL2", "--format", "json",
                         "--output", str(base / "report.json")])
        finally:
            stop.touch()
            racer.communicate(timeout=30)
        restore(root)
        assert code in (0, 1, 2)
        check_outside_untouched(outside, before, attempt)
        inside = snapshot(root)
        for name, data in inside.items():
            assert not name.startswith(".nodelint-") and "/.nodelint-" not in name, f"temp file left: {name}"
        report = json.loads((base / "report.json").read_text()) if (base / "report.json").exists() else {}
        met += code == 2 or any(f["rule"] == "NL003" for f in report.get("findings", []))
        shutil.rmtree(base)
    # the race was real: some runs met a swapped directory and refused to read or write through it
    assert met > 0, "no run ever met the swap: the race proves nothing"


def test_a_directory_swapped_when_the_first_temp_file_appears_stops_the_write(tmp_path, monkeypatch):
    """The swap lands between opening the directory and writing into it: the writer holds the
    directory it opened, so the temp file and the rename stay inside; a new run that then finds
    the link refuses to follow it."""
    root, outside = tmp_path / "root", tmp_path / "outside"
    make_root(root, outside)
    before = snapshot(outside)
    real_write_temp = writer._write_temp
    swapped = []

    def swap_then_write(directory, *args, **kwargs):
        if not swapped:
            d = root / "etc/sysctl.d"
            os.rename(d, root / "etc/.real-sysctl.d")
            os.symlink(outside / "sysctl.d", d)
            swapped.append(True)
        return real_write_temp(directory, *args, **kwargs)

    monkeypatch.setattr(writer, "_write_temp", swap_then_write)
    target = root / "etc/sysctl.d/10-k8s.conf"
    writer.write_all([(str(target), b"fixed\n", SYSCTL.encode(), str(root))])
    assert snapshot(outside) == before
    # it went into the directory that was opened, which now sits at its hidden name
    assert (root / "etc/.real-sysctl.d/10-k8s.conf").read_bytes() == b"fixed\n"

    # with the link in place, the next write is refused and writes nothing anywhere
    with pytest.raises(writer.WriteError, match="is a link or not a directory"):
        writer.write_all([(str(target), b"fixed again\n", SYSCTL.encode(), str(root))])
    assert snapshot(outside) == before


def test_a_new_file_is_never_created_through_a_linked_directory(tmp_path):
    root, outside = tmp_path / "root", tmp_path / "outside"
    make_root(root, outside)
    before = snapshot(outside)
    shutil.rmtree(root / "etc/sysctl.d")
    os.symlink(outside / "sysctl.d", root / "etc/sysctl.d")
    with pytest.raises(writer.WriteError, match="is a link or not a directory"):
        writer.write_all([(str(root / "etc/sysctl.d/99-nodelint.conf"), b"x = 1\n", None, str(root))])
    assert snapshot(outside) == before


def test_missing_directories_are_created_below_the_anchor_without_following_links(tmp_path):
    root, outside = tmp_path / "root", tmp_path / "outside"
    outside.mkdir()
    (root / "etc").mkdir(parents=True)
    os.symlink(outside, root / "etc/linked")
    writer.write_all([(str(root / "etc/sysctl.d/99-nodelint.conf"), b"x = 1\n", None, str(root))])
    assert (root / "etc/sysctl.d/99-nodelint.conf").read_bytes() == b"x = 1\n"
    with pytest.raises(writer.WriteError, match="is a link or not a directory"):
        writer.write_all([(str(root / "etc/linked/new/99-nodelint.conf"), b"x = 1\n", None, str(root))])
    assert list(outside.iterdir()) == []


def test_a_walked_tree_is_an_anchor_too(tmp_path, monkeypatch):
    """In walk mode a fix never writes outside the walked tree, whatever happens to its directories."""
    from nodelint.cli import main

    tree, outside = tmp_path / "tree", tmp_path / "outside"
    write(tree / "files/etc/sysctl.d/10-k8s.conf", SYSCTL)
    write(outside / "10-k8s.conf", SYSCTL)
    before = snapshot(outside)
    real_write_temp = writer._write_temp

    def swap_first(directory, *args, **kwargs):
        d = tree / "files/etc/sysctl.d"
        if not d.is_symlink():
            os.rename(d, tree / "files/etc/.real")
            os.symlink(outside, d)
        return real_write_temp(directory, *args, **kwargs)

    monkeypatch.setattr(writer, "_write_temp", swap_first)
    main(["--fix", "--quiet", str(tree)])
    assert snapshot(outside) == before


def test_a_file_whose_directory_became_a_link_after_discovery_is_not_read(nodelint, tmp_path, monkeypatch):
    """Discovery found etc/sysctl.d/10-k8s.conf; by the time it is read, etc/sysctl.d leads outside:
    the file opened is not where discovery found it, so it is reported (NL003), not read."""
    from nodelint.engine import batches as engine

    root, outside = tmp_path / "root", tmp_path / "outside"
    make_root(root, outside)
    write(outside / "sysctl.d/10-k8s.conf", "kernel.secret = outside\n")
    real_plan = engine.plan

    def plan_then_swap(*args, **kwargs):
        planned = real_plan(*args, **kwargs)
        os.rename(root / "etc/sysctl.d", root / "etc/.real-sysctl.d")
        os.symlink(outside / "sysctl.d", root / "etc/sysctl.d")
        return planned

    monkeypatch.setattr(engine, "plan", plan_then_swap)
    out = nodelint("--format", "json", "--root", root)
    findings = out.json["findings"]
    assert any(f["rule"] == "NL003" and f["path"].endswith("etc/sysctl.d/10-k8s.conf") for f in findings), findings
    assert "outside" not in out.out.replace(str(outside), "")
