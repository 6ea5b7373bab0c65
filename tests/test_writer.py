"""How --fix writes files: every temporary file is durable before the first rename, and the
renames are durable before nodelint returns (one fsync per file and directory for a few files,
one syncfs per filesystem for many)."""
from __future__ import annotations

import os
import sys

import pytest

from nodelint.write import atomic as writer


def files(tmp_path, n, content=b"old\n"):
    out = []
    for i in range(n):
        path = tmp_path / f"node{i}" / "etc" / "sysctl.d" / "10-node.conf"
        path.parent.mkdir(parents=True)
        path.write_bytes(content)
        out.append(str(path))
    return out


@pytest.fixture
def journal(monkeypatch):
    """What write_all asks of the disk, in order: fsync, syncfs, rename, link (with the path
    each one is about)."""
    events: list[tuple[str, str]] = []
    real_fsync, real_rename, real_link = os.fsync, os.rename, os.link
    real_syncfs = writer._syncfs()

    def where(fd):
        return os.readlink(f"/proc/self/fd/{fd}")

    def fsync(fd):
        events.append(("fsync", where(fd)))
        real_fsync(fd)

    def syncfs(fd):
        events.append(("syncfs", where(fd)))
        real_syncfs(fd)

    def rename(src, dst, *, src_dir_fd=None, dst_dir_fd=None):
        events.append(("rename", os.path.join(where(dst_dir_fd), dst) if dst_dir_fd is not None else str(dst)))
        real_rename(src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)

    def link(src, dst, *, src_dir_fd=None, dst_dir_fd=None, follow_symlinks=True):
        events.append(("link", os.path.join(where(dst_dir_fd), dst) if dst_dir_fd is not None else str(dst)))
        real_link(src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd, follow_symlinks=follow_symlinks)

    monkeypatch.setattr(writer.os, "fsync", fsync)
    monkeypatch.setattr(writer.os, "rename", rename)
    monkeypatch.setattr(writer.os, "link", link)
    monkeypatch.setattr(writer, "_syncfs", lambda: syncfs)
    return events


linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="syncfs(2) is Linux's")


@linux_only
def test_syncfs_is_found_and_works():
    syncfs = writer._syncfs()
    assert syncfs is not None
    fd = os.open(".", os.O_RDONLY)
    try:
        syncfs(fd)
    finally:
        os.close(fd)


@linux_only
def test_many_files_are_synced_once_before_the_renames_and_once_after(tmp_path, journal):
    paths = files(tmp_path, writer.SYNCFS_FROM)
    new = str(tmp_path / "node0/etc/sysctl.d/90-inotify.conf")
    writer.write_all([(p, b"new\n", b"old\n") for p in paths] + [(new, b"created\n", None)])

    kinds = [kind for kind, _ in journal]
    assert kinds == ["syncfs"] + ["rename"] * len(paths) + ["link", "syncfs"]
    assert all(open(p, "rb").read() == b"new\n" for p in paths)
    assert open(new, "rb").read() == b"created\n"
    assert not [n for p in paths for n in os.listdir(os.path.dirname(p)) if n.startswith(".nodelint-")]


def test_a_few_files_are_fsynced_each_before_their_renames_and_their_directories_after(tmp_path, journal):
    paths = files(tmp_path, 3)
    writer.write_all([(p, b"new\n", b"old\n") for p in paths])

    kinds = [kind for kind, _ in journal]
    assert kinds == ["fsync"] * 3 + ["rename"] * 3 + ["fsync"] * 3
    assert sorted(where for kind, where in journal[-3:]) == sorted(os.path.dirname(p) for p in paths)
    assert "syncfs" not in kinds


@linux_only
def test_a_failed_sync_before_the_renames_changes_nothing(tmp_path, monkeypatch):
    paths = files(tmp_path, writer.SYNCFS_FROM)

    def failing(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(writer, "_syncfs", lambda: failing)
    with pytest.raises(writer.WriteError, match="cannot sync the new files to disk"):
        writer.write_all([(p, b"new\n", b"old\n") for p in paths])
    assert all(open(p, "rb").read() == b"old\n" for p in paths)
    assert not [n for p in paths for n in os.listdir(os.path.dirname(p)) if n != "10-node.conf"]


def test_a_file_another_run_replaced_while_we_waited_for_its_lock_is_not_overwritten(tmp_path, monkeypatch):
    """Two runs open the same file; the other one takes the lock first and renames its fix over
    it.  The file we hold still has the bytes we read, but it is no longer the one at the path:
    ours must not go over the other run's."""
    (path,) = files(tmp_path, 1)
    real_locked = writer._locked

    def other_run_wins_the_lock(fd):
        other = path + ".other"
        with open(other, "wb") as f:
            f.write(b"theirs\n")
        os.replace(other, path)
        return real_locked(fd)

    monkeypatch.setattr(writer, "_locked", other_run_wins_the_lock)
    with pytest.raises(writer.WriteError, match="changed on disk"):
        writer.write_all([(path, b"ours\n", b"old\n")])
    assert open(path, "rb").read() == b"theirs\n"


def test_a_mode_changed_after_the_temporary_file_was_written_is_kept(tmp_path, monkeypatch):
    (path,) = files(tmp_path, 1)
    os.chmod(path, 0o644)
    real_stage = writer._stage

    def stage_then_chmod(p, data, expected, sync, **kw):
        staged = real_stage(p, data, expected, sync, **kw)
        os.chmod(p, 0o600)
        return staged

    monkeypatch.setattr(writer, "_stage", stage_then_chmod)
    writer.write_all([(path, b"new\n", b"old\n")])
    assert open(path, "rb").read() == b"new\n"
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("mode", [0o4755, 0o2755, 0o6750, 0o1644, 0o640])
def test_every_mode_bit_is_kept_setuid_setgid_and_sticky_included(tmp_path, mode):
    """The kernel clears setuid and setgid on chown, so the owner is given back before the mode."""
    (path,) = files(tmp_path, 1)
    os.chmod(path, mode)
    writer.write_all([(path, b"new\n", b"old\n")])
    assert open(path, "rb").read() == b"new\n"
    assert oct(os.stat(path).st_mode & 0o7777) == oct(mode)


@pytest.mark.parametrize("mode", [0o4755, 0o2755, 0o6750, 0o1644])
def test_a_file_restored_after_a_failed_batch_keeps_every_mode_bit(tmp_path, monkeypatch, mode):
    first, second = files(tmp_path, 2)
    os.chmod(first, mode)
    real_stage = writer._stage

    def stage_then_someone_edits(path, data, expected, sync, **kw):
        staged = real_stage(path, data, expected, sync, **kw)
        if path == second:
            with open(second, "wb") as f:
                f.write(b"edited meanwhile\n")
        return staged

    monkeypatch.setattr(writer, "_stage", stage_then_someone_edits)
    with pytest.raises(writer.WriteError, match="1 file already written was restored"):
        writer.write_all([(first, b"new\n", b"old\n"), (second, b"new\n", b"old\n")])
    assert open(first, "rb").read() == b"old\n"
    assert oct(os.stat(first).st_mode & 0o7777) == oct(mode)
