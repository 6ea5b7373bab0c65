"""Writing files so that nothing is ever lost or half-written.

Every write goes to a temporary file in the same directory, which is made durable (fsync)
before it is renamed over the target (atomic on POSIX); the renames are then made durable
too, so a crash or ``kill -9`` at any moment leaves the old file or the new one, never a
mix.  Mode, owner, group and extended attributes (SELinux labels included) are kept.  A file
is only replaced if it still holds the bytes nodelint read (checked under a lock, so two
runs cannot interleave), and never through a symbolic link.  Files whose mode has no write
bit, in directories without one, are treated as read-only even for root.

A run that changes many files writes all their temporary files first, makes them durable
with one ``syncfs(2)`` per filesystem instead of one fsync per file and directory, renames
them all, and syncs once more: the same guarantees for a fraction of the disk flushes
(Linux; elsewhere each file is fsynced).  git's ``core.fsyncMethod = batch`` works the same
way.
"""
from __future__ import annotations

import errno
import fcntl
import os
import stat
import tempfile
from contextlib import contextmanager

from .record import record

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
                owner: tuple[int, int] | None = None, sync: bool = True) -> str:
    """A temporary file holding ``data`` in ``directory`` (fsynced unless ``sync=False``: the
    caller then syncs the filesystem before renaming it)."""
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
        if sync:
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


def _directory(path: str) -> str:
    return os.path.dirname(os.path.abspath(path)) or "."


@record
class _Staged:
    """A temporary file holding a target's new bytes, not yet renamed over it."""

    path: str
    tmp: str
    expected: bytes | None  # the bytes nodelint read; None: a new file
    meta: tuple[int, int, int] | None  # the target's (mode, uid, gid) when the temp was written


def _stage(path: str, data: bytes, expected: bytes | None, sync: bool) -> _Staged:
    """Write ``data`` to a temporary file beside ``path``, with the target's mode, owner and
    extended attributes (a new file gets mode 0644)."""
    directory = _directory(path)
    try:
        if expected is None:
            os.makedirs(directory, exist_ok=True)
            return _Staged(path, _write_temp(directory, data, 0o644, sync=sync), None, None)
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        try:
            st = os.fstat(fd)
            meta = (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)
            return _Staged(path, _write_temp(directory, data, meta[0], fd, meta[1:], sync=sync), expected, meta)
        finally:
            os.close(fd)
    except OSError as e:
        raise WriteError(f"{path}: cannot {'create it' if expected is None else 'write'} ({_why(e)})") from None


def _commit(staged: _Staged) -> None:
    """Rename a staged temporary file over its target, if the target still holds what was read."""
    path, tmp = staged.path, staged.tmp
    if staged.expected is None:
        try:
            os.link(tmp, path)  # fails if the name exists: never replaces a file nodelint did not read
        except FileExistsError:
            raise WriteError(f"{path}: appeared on disk while nodelint ran; not overwritten") from None
        except OSError as e:
            raise WriteError(f"{path}: cannot create it ({_why(e)})") from None
        _unlink(tmp)
        return
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as e:
        raise WriteError(f"{path}: {_why(e)}") from None
    try:
        with _locked(fd):
            st = os.fstat(fd)
            now = os.lstat(path)
            current = b"".join(iter(lambda: os.read(fd, 1 << 20), b""))
            # the lock is on the file we opened: another run may have renamed a new one over it meanwhile
            if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino) or current != staged.expected:
                raise WriteError(f"{path}: changed on disk since nodelint read it; not overwritten")
            meta = (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)
            if meta != staged.meta:  # someone changed the mode or owner since the temp was written
                os.chmod(tmp, meta[0])
                try:
                    os.chown(tmp, meta[1], meta[2])
                except PermissionError:
                    pass
            os.replace(tmp, path)
    except OSError as e:
        raise WriteError(f"{path}: cannot write ({_why(e)}); the file is unchanged") from None
    finally:
        os.close(fd)


def atomic_write(path: str, data: bytes, expected: bytes | None = None) -> None:
    """Replace the regular file ``path`` with ``data``, if it holds ``expected`` (None: whatever it
    holds now): write_all for one file."""
    if expected is None:
        try:
            with open(path, "rb") as f:
                expected = f.read()
        except OSError as e:
            raise WriteError(f"{path}: {_why(e)}") from None
    write_all([(path, data, expected)])


def replace_file(path: str, data: bytes, mode: int = 0o644) -> None:
    """Write a report file atomically, replacing whatever is there (a textfile collector reads it
    at any moment: it must see the old file or the new one, never half of one)."""
    directory = _directory(path)
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


# From this many changed files on, write_all syncs each filesystem once (syncfs) instead of
# fsyncing every file and directory.  Fewer (a node's handful) are fsynced one by one: syncfs
# also flushes whatever else is waiting on that filesystem, which is not worth it for a few files.
SYNCFS_FROM = 16


def _syncfs():
    """syncfs(2) as ``function(fd)``, or None where the C library has none (not Linux)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.syncfs
    except (ImportError, OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int]

    def syncfs(fd: int) -> None:
        if function(fd) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code))

    return syncfs


class _Filesystems:
    """One open directory per filesystem the changes touch, opened before anything is written, so
    that syncfs reports any write-back error on them from then on (Linux 5.8 and later)."""

    def __init__(self, directories: set[str]):
        self.fds: dict[int, int] = {}
        for directory in sorted(directories):
            while not os.path.isdir(directory):  # a new file's directory may not exist yet
                directory = os.path.dirname(directory)
            try:
                st = os.stat(directory)
                if st.st_dev not in self.fds:
                    self.fds[st.st_dev] = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
            except OSError as e:
                self.close()
                raise WriteError(f"{directory}: cannot open it to sync what is written there ({_why(e)})") from None

    def sync(self, syncfs) -> None:
        for fd in self.fds.values():
            syncfs(fd)

    def close(self) -> None:
        for fd in self.fds.values():
            os.close(fd)
        self.fds = {}


def write_all(changes: list[tuple[str, bytes, bytes | None]]) -> list[str]:
    """Write every (path, new bytes, bytes read or None for a new file) or none of them.

    Every target is checked first, then every new content is written to a temporary file and
    made durable; only then are they renamed over their targets.  If a temporary file cannot
    be written, nothing has been replaced; if a rename is refused (the file changed meanwhile),
    the files already replaced get their old bytes back.  Raises WriteError naming the file
    that failed.
    """
    for path, _, expected in changes:
        if expected is not None:
            check_writable(path, expected)
        elif os.path.lexists(path):
            raise WriteError(f"{path}: appeared on disk while nodelint ran; not overwritten")
    syncfs = _syncfs() if len(changes) >= SYNCFS_FROM else None
    directories = {_directory(path) for path, _, _ in changes}
    filesystems = _Filesystems(directories) if syncfs is not None else None
    staged: list[_Staged] = []
    done: list[_Staged] = []
    try:
        try:
            for path, data, expected in changes:
                staged.append(_stage(path, data, expected, sync=syncfs is None))
            if filesystems is not None:
                filesystems.sync(syncfs)  # every temporary file is on disk before the first rename
        except OSError as e:  # the sync
            raise WriteError(f"cannot sync the new files to disk ({_why(e)})") from None
        try:
            for s in staged:
                _commit(s)
                done.append(s)
        except WriteError as failure:
            restored = _restore(done)
            n = len(restored)
            note = f" ({n} file{'s' if n != 1 else ''} already written {'were' if n != 1 else 'was'} restored)" \
                if n else ""
            raise WriteError(f"{failure}{note}") from None
        try:  # the renames are durable when write_all returns
            if filesystems is not None:
                filesystems.sync(syncfs)
            else:
                for directory in sorted(directories):
                    _fsync_dir(directory)
        except OSError as e:
            raise WriteError(f"cannot sync the written files to disk ({_why(e)})") from None
    finally:
        for s in staged[len(done):]:
            _unlink(s.tmp)  # never renamed: a failure stopped the run
        if filesystems is not None:
            filesystems.close()
    return [path for path, _, _ in changes]


def _restore(done: list[_Staged]) -> list[str]:
    """Put back the old bytes of files already replaced (newest first); the paths restored."""
    restored = []
    for s in reversed(done):
        try:
            if s.expected is None:
                os.unlink(s.path)
            else:
                with open(s.path, "rb") as f:
                    now = f.read()
                atomic_write(s.path, s.expected, now)
            restored.append(s.path)
        except (OSError, WriteError):
            pass
    return restored


def stale_temps(directory: str) -> list[str]:
    """Temporary files a killed run left behind in ``directory`` (safe to remove)."""
    try:
        return [os.path.join(directory, n) for n in os.listdir(directory)
                if n.startswith(TEMP_PREFIX) and n.endswith(TEMP_SUFFIX)]
    except OSError:
        return []
