"""Atomic file replacement: a file is either wholly old or wholly new, never half-written."""
from __future__ import annotations

import os
import stat
import tempfile


class WriteError(Exception):
    pass


def atomic_write(path: str, data: bytes, expected: bytes | None = None) -> None:
    """Replace ``path`` with ``data``: temp file in the same directory, fsync, rename, fsync dir.

    Keeps mode, owner and group.  Refuses when ``expected`` is given and the file on
    disk no longer holds those bytes (someone else changed it since it was read).
    """
    path = os.path.realpath(path)
    directory = os.path.dirname(path) or "."
    try:
        st = os.stat(path)
    except OSError as e:
        raise WriteError(f"{path}: {e.strerror}") from None
    if expected is not None:
        try:
            with open(path, "rb") as f:
                current = f.read()
        except OSError as e:
            raise WriteError(f"{path}: {e.strerror}") from None
        if current != expected:
            raise WriteError(f"{path}: changed on disk since it was read; not overwritten")
    fd, tmp = -1, None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".nodelint-", suffix=".tmp", dir=directory)
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fchmod(fd, stat.S_IMODE(st.st_mode))
        if hasattr(os, "fchown"):
            try:
                os.fchown(fd, st.st_uid, st.st_gid)
            except PermissionError:
                pass  # not root: the file keeps our ownership, as any editor would leave it
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.replace(tmp, path)
        tmp = None
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as e:
        raise WriteError(f"{path}: cannot write ({e.strerror})") from None
    finally:
        if fd >= 0:
            os.close(fd)
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def atomic_create(path: str, data: bytes, mode: int = 0o644) -> None:
    """Create a new file atomically; refuses when something already exists at ``path``."""
    directory = os.path.dirname(os.path.abspath(path)) or "."
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as e:
        raise WriteError(f"{path}: cannot create its directory ({e.strerror})") from None
    fd, tmp = -1, None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".nodelint-", suffix=".tmp", dir=directory)
        os.write(fd, data)
        os.fchmod(fd, mode)
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.link(tmp, path)  # fails if the name exists: never replaces a file nodelint did not read
        os.unlink(tmp)
        tmp = None
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except FileExistsError:
        raise WriteError(f"{path}: appeared on disk while nodelint ran; not overwritten") from None
    except OSError as e:
        raise WriteError(f"{path}: cannot write ({e.strerror})") from None
    finally:
        if fd >= 0:
            os.close(fd)
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def replace_file(path: str, data: bytes, mode: int = 0o644) -> None:
    """Write a report file atomically, replacing whatever is there (a textfile collector reads it
    at any moment: it must see the old file or the new one, never half of one)."""
    directory = os.path.dirname(os.path.abspath(path)) or "."
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        pass
    fd, tmp = -1, None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".nodelint-", suffix=".tmp", dir=directory)
        os.write(fd, data)
        os.fchmod(fd, mode)
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.replace(tmp, path)
        tmp = None
    except OSError as e:
        raise WriteError(f"{path}: cannot write ({e.strerror})") from None
    finally:
        if fd >= 0:
            os.close(fd)
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
