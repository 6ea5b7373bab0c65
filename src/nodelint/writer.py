"""Writing files so that nothing is ever lost or half-written.

Every write goes to a temporary file in the same directory, is fsynced, renamed over the
target (atomic on POSIX) and the directory is fsynced, so a crash or ``kill -9`` at any
moment leaves the old file or the new one, never a mix.  Mode, owner, group and extended
attributes (SELinux labels included) are kept.  A file is only replaced if it still holds
the bytes nodelint read (checked under a lock, so two runs cannot interleave), and never
through a symbolic link.  Files whose mode has no write bit, in directories without one,
are treated as read-only even for root.
"""
from __future__ import annotations

import errno
import fcntl
import os
import stat
import tempfile
from contextlib import contextmanager

TEMP_PREFIX = ".nodelint-"
TEMP_SUFFIX = ".tmp"


class WriteError(Exception):
    pass


def _why(e: OSError) -> str:
    if e.errno == errno.ENOSPC:
        return "no space left on the device"
    if e.errno == errno.EROFS:
        return "read-only file system"
    return e.strerror or str(e)


def _copy_xattrs(src_fd: int, dst_fd: int) -> None:
    if not hasattr(os, "listxattr"):
        return
    try:
        names = os.listxattr(src_fd)
    except OSError:
        return
    for name in names:
        try:
            os.setxattr(dst_fd, name, os.getxattr(src_fd, name))
        except OSError:
            pass  # e.g. security.* without the privilege: the rest is still kept


def _fsync_dir(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_temp(directory: str, data: bytes, mode: int, like_fd: int | None = None,
                owner: tuple[int, int] | None = None) -> str:
    """A fsynced temporary file holding ``data`` in ``directory``; the caller renames it."""
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=directory)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fchmod(fd, mode)
        if owner is not None:
            try:
                os.fchown(fd, *owner)
            except PermissionError:
                pass  # not root: the file keeps our ownership, as an editor would leave it
        if like_fd is not None:
            _copy_xattrs(like_fd, fd)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        _unlink(tmp)
        raise
    os.close(fd)
    return tmp


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


@contextmanager
def _locked(fd: int):
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


def check_writable(path: str, expected: bytes | None = None) -> None:
    """Raise WriteError when replacing ``path`` would be refused (before anything is written)."""
    try:
        st = os.lstat(path)
    except OSError as e:
        raise WriteError(f"{path}: {_why(e)}") from None
    if stat.S_ISLNK(st.st_mode):
        raise WriteError(f"{path}: is a symbolic link; nodelint writes the file it points to, not through a link")
    if not stat.S_ISREG(st.st_mode):
        raise WriteError(f"{path}: not a regular file")
    if not st.st_mode & 0o222:
        raise WriteError(f"{path}: the file is read-only (mode {stat.S_IMODE(st.st_mode):o}); not changed")
    directory = os.path.dirname(os.path.abspath(path))
    dst = os.stat(directory)
    if not dst.st_mode & 0o222 or not os.access(directory, os.W_OK):
        raise WriteError(f"{path}: its directory is read-only; not changed")
    if expected is not None:
        with open(path, "rb") as f:
            if f.read() != expected:
                raise WriteError(f"{path}: changed on disk since nodelint read it; not overwritten")


def atomic_write(path: str, data: bytes, expected: bytes | None = None, sync_directory: bool = True) -> None:
    """Replace the regular file ``path`` with ``data`` (see the module docstring).

    ``sync_directory=False`` leaves the directory's fsync to the caller (write_all syncs each
    directory once, after all its files are renamed)."""
    directory = os.path.dirname(os.path.abspath(path)) or "."
    check_writable(path, None)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as e:
        raise WriteError(f"{path}: {_why(e)}") from None
    tmp = None
    try:
        with _locked(fd):
            if expected is not None:
                current = b"".join(iter(lambda: os.read(fd, 1 << 20), b""))
                if current != expected:
                    raise WriteError(f"{path}: changed on disk since nodelint read it; not overwritten")
            st = os.fstat(fd)
            tmp = _write_temp(directory, data, stat.S_IMODE(st.st_mode), fd, (st.st_uid, st.st_gid))
            os.replace(tmp, path)
            tmp = None
        if sync_directory:
            _fsync_dir(directory)
    except OSError as e:
        raise WriteError(f"{path}: cannot write ({_why(e)}); the file is unchanged") from None
    finally:
        os.close(fd)
        if tmp is not None:
            _unlink(tmp)


def atomic_create(path: str, data: bytes, mode: int = 0o644, sync_directory: bool = True) -> None:
    """Create a new file atomically; refuses when something already exists at ``path``."""
    directory = os.path.dirname(os.path.abspath(path)) or "."
    tmp = None
    try:
        os.makedirs(directory, exist_ok=True)
        tmp = _write_temp(directory, data, mode)
        os.link(tmp, path)  # fails if the name exists: never replaces a file nodelint did not read
        _unlink(tmp)
        tmp = None
        if sync_directory:
            _fsync_dir(directory)
    except FileExistsError:
        raise WriteError(f"{path}: appeared on disk while nodelint ran; not overwritten") from None
    except OSError as e:
        raise WriteError(f"{path}: cannot create it ({_why(e)})") from None
    finally:
        if tmp is not None:
            _unlink(tmp)


def replace_file(path: str, data: bytes, mode: int = 0o644) -> None:
    """Write a report file atomically, replacing whatever is there (a textfile collector reads it
    at any moment: it must see the old file or the new one, never half of one)."""
    directory = os.path.dirname(os.path.abspath(path)) or "."
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        pass
    tmp = None
    try:
        tmp = _write_temp(directory, data, mode)
        os.replace(tmp, path)
        tmp = None
    except OSError as e:
        raise WriteError(f"{path}: cannot write ({_why(e)})") from None
    finally:
        if tmp is not None:
            _unlink(tmp)


def write_all(changes: list[tuple[str, bytes, bytes | None]]) -> list[str]:
    """Write every (path, new bytes, bytes read or None for a new file) or none of them.

    Every target is checked first; if a write still fails, the files already replaced get
    their old bytes back.  Raises WriteError naming the file that failed.
    """
    for path, _, expected in changes:
        if expected is not None:
            check_writable(path, expected)
        elif os.path.lexists(path):
            raise WriteError(f"{path}: appeared on disk while nodelint ran; not overwritten")
    done: list[tuple[str, bytes, bytes | None]] = []
    try:
        for path, data, expected in changes:
            if expected is None:
                atomic_create(path, data, sync_directory=False)
            else:
                atomic_write(path, data, expected, sync_directory=False)
            done.append((path, data, expected))
        for directory in sorted({os.path.dirname(os.path.abspath(p)) or "." for p, _, _ in done}):
            _fsync_dir(directory)  # once per directory: the renames are durable when write_all returns
    except OSError as e:
        raise WriteError(f"cannot sync the written files to disk ({_why(e)})") from None
    except WriteError as failure:
        restored = []
        for path, data, expected in reversed(done):
            try:
                if expected is None:
                    os.unlink(path)
                else:
                    atomic_write(path, expected, data)
                restored.append(path)
            except (OSError, WriteError):
                pass
        note = f" ({len(restored)} file{'s' if len(restored) != 1 else ''} already written were restored)" \
            if restored else ""
        raise WriteError(f"{failure}{note}") from None
    return [path for path, _, _ in done]


def stale_temps(directory: str) -> list[str]:
    """Temporary files a killed run left behind in ``directory`` (safe to remove)."""
    try:
        return [os.path.join(directory, n) for n in os.listdir(directory)
                if n.startswith(TEMP_PREFIX) and n.endswith(TEMP_SUFFIX)]
    except OSError:
        return []
