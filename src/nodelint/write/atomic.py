"""Writing files so that nothing is ever lost, half-written, or written outside where it belongs.

Every write goes to a temporary file in the same directory, which is made durable (fsync)
before it is renamed over the target (atomic on POSIX); the renames are then made durable
too, so a crash or ``kill -9`` at any moment leaves the old file or the new one, never a
mix.  Mode bits (setuid, setgid and sticky included), owner, group and extended attributes
(SELinux labels, file capabilities) are kept.  A file is only replaced if it still holds the
bytes nodelint read (checked under a lock, so two runs cannot interleave).  Files whose mode
has no write bit, in directories without one, are treated as read-only even for root.

Nothing is ever resolved through a link.  Each change names a trusted directory (its
*anchor*: the node root, the walked tree) and a path below it; the directory holding the
file is opened one component at a time from the anchor with ``O_NOFOLLOW`` (files.py), and
the checks, the temporary file (``O_CREAT | O_EXCL | O_NOFOLLOW``), the rename and the sync
all happen relative to that descriptor.  A directory swapped for a link while nodelint runs
makes that write fail; it never leads outside.

A run holds a shared lock (flock) on every directory where it has temporary files.  The
temporary files a killed run left behind are removed by the next run that takes that
directory's lock exclusively, which it can only do when no live run is writing there: two
runs (pre-commit's parallel batches) never remove each other's files.

A run that changes many files writes all their temporary files first, makes them durable
with one ``syncfs(2)`` per filesystem instead of one fsync per file and directory, renames
them all, and syncs once more: the same guarantees for a fraction of the disk flushes
(Linux; elsewhere each file is fsynced).  git's ``core.fsyncMethod = batch`` works the same
way.

Closing the descriptor of a replaced file frees its old inode, which on ext4 mounted with
``discard`` also discards its blocks.  It stays in line, measured: 57 us a file on the ext4
(discard) machine nodelint is developed on (0.20 s for the 3,434 files of a 10,000-file
``--fix``, 2-3% of it), not worth a closing thread in a writer that runs as root.
"""
from __future__ import annotations

import errno
import fcntl
import os
import stat
import time
from contextlib import contextmanager

from ..read import files
from . import interrupts
from ..values.record import record

TEMP_PREFIX = ".nodelint-"
TEMP_SUFFIX = ".tmp"
LOCK_WAIT = 30.0  # seconds to wait for a directory another run is cleaning (a moment, normally)


class WriteError(Exception):
    pass


def _why(e: OSError) -> str:
    if e.errno == errno.ENOSPC:
        return "no space left on the device"
    if e.errno == errno.EROFS:
        return "read-only file system"
    if isinstance(e, files.Moved):
        return f"{e.filename}: {e.strerror}; nothing was written there"
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


def _keep_meta(fd: int, mode: int, owner: tuple[int, int] | None) -> None:
    """Give ``fd`` an owner and mode: chown first, since the kernel clears the setuid and setgid
    bits on chown, then the mode with every bit (suid, sgid, sticky) as it was."""
    if owner is not None:
        try:
            os.fchown(fd, *owner)
        except PermissionError:
            pass  # not root: the file keeps our ownership, as an editor would leave it
    os.fchmod(fd, mode)


def _write_temp(directory: int, data: bytes, mode: int, like_fd: int | None = None,
                owner: tuple[int, int] | None = None, sync: bool = True) -> str:
    """The name of a new temporary file holding ``data`` in the open ``directory`` (fsynced
    unless ``sync=False``: the caller then syncs the filesystem before renaming it)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    while True:
        name = f"{TEMP_PREFIX}{os.urandom(6).hex()}{TEMP_SUFFIX}"
        try:
            fd = os.open(name, flags, 0o600, dir_fd=directory)
            break
        except FileExistsError:
            continue
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        _keep_meta(fd, mode, owner)
        if like_fd is not None:
            _copy_xattrs(like_fd, fd)  # after chown, which would clear security.capability
        if sync:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        _unlink(directory, name)
        raise
    os.close(fd)
    return name


def _unlink(directory: int, name: str) -> None:
    try:
        os.unlink(name, dir_fd=directory)
    except OSError:
        pass


@contextmanager
def _locked(fd: int):
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _stale_temps(directory: int) -> list[str]:
    try:
        return [n for n in os.listdir(directory) if n.startswith(TEMP_PREFIX) and n.endswith(TEMP_SUFFIX)]
    except OSError:
        return []


def _hold(directory: int, where: str) -> None:
    """Take the shared lock of a directory nodelint writes in, first removing the temporary
    files of killed runs when no live run holds the lock (see the module's docstring)."""
    try:
        fcntl.flock(directory, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pass  # another run is writing here: its temporary files are alive
    except OSError:
        return  # no locks on this filesystem: nothing is removed, nothing is waited for
    else:
        for name in _stale_temps(directory):
            _unlink(directory, name)
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fcntl.flock(directory, fcntl.LOCK_SH | fcntl.LOCK_NB)  # from exclusive: a downgrade
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise WriteError(f"{where}: another process holds this directory's lock; not written") from None
            time.sleep(0.005)


class _Directories:
    """The directories a write touches, each opened once from its anchor and held (locked)
    until every file in it is written."""

    def __init__(self):
        self.fds: dict[tuple[str, tuple[str, ...]], int] = {}

    def open(self, anchor: str, parts: list[str], create: bool = False) -> int | None:
        """The directory's descriptor; None when it does not exist (and ``create`` is false)."""
        key = (anchor, tuple(parts))
        fd = self.fds.get(key)
        if fd is None:
            try:
                fd = files.open_directory(anchor, parts, create)
            except FileNotFoundError:
                if create:
                    raise
                return None
            try:
                _hold(fd, os.path.join(anchor, *parts))
            except BaseException:
                os.close(fd)
                raise
            self.fds[key] = fd
        return fd

    def close(self) -> None:
        for fd in self.fds.values():
            os.close(fd)  # and with it, its lock
        self.fds = {}


@record
class _Target:
    """One file to write: where it is (``anchor`` and the parts below it) and what it gets."""

    path: str
    data: bytes
    expected: bytes | None  # the bytes nodelint read; None: a new file
    anchor: str
    parts: list[str]  # the directories below the anchor

    @property
    def name(self) -> str:
        return os.path.basename(self.path)


def _target(change: tuple) -> _Target:
    path, data, expected = change[:3]
    anchor = change[3] if len(change) > 3 and change[3] else os.path.dirname(os.path.abspath(path))
    try:
        parts = files.parts_below(anchor, os.path.dirname(os.path.abspath(path)))
    except files.Moved:
        raise WriteError(f"{path}: not below {anchor}; not written") from None
    return _Target(path, data, expected, anchor, parts)


def _read_at(directory: int, name: str, limit: int) -> bytes:
    fd = os.open(name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), dir_fd=directory)
    try:
        return _read_fd(fd, limit)
    finally:
        os.close(fd)


def _read_fd(fd: int, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes from ``fd``: enough to tell whether it holds ``limit`` bytes."""
    chunks, got = [], 0
    while got <= limit:
        chunk = os.read(fd, min(1 << 20, limit + 1 - got))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _check(t: _Target, directory: int | None) -> None:
    """Raise WriteError when replacing (or creating) ``t`` would be refused; writes nothing."""
    path = t.path
    if directory is None:
        if t.expected is None:
            return  # a new file in a new directory
        raise WriteError(f"{path}: no such file or directory")
    try:
        st = os.stat(t.name, dir_fd=directory, follow_symlinks=False)
    except FileNotFoundError:
        if t.expected is None:
            return
        raise WriteError(f"{path}: no such file or directory") from None
    except OSError as e:
        raise WriteError(f"{path}: {_why(e)}") from None
    if t.expected is None:
        raise WriteError(f"{path}: appeared on disk while nodelint ran; not overwritten")
    if stat.S_ISLNK(st.st_mode):
        raise WriteError(f"{path}: is a symbolic link; nodelint writes the file it points to, not through a link")
    if not stat.S_ISREG(st.st_mode):
        raise WriteError(f"{path}: not a regular file")
    if not st.st_mode & 0o222:
        raise WriteError(f"{path}: the file is read-only (mode {stat.S_IMODE(st.st_mode):o}); not changed")
    if not os.fstat(directory).st_mode & 0o222 or not os.access(".", os.W_OK, dir_fd=directory):
        raise WriteError(f"{path}: its directory is read-only; not changed")
    try:
        current = _read_at(directory, t.name, len(t.expected))
    except OSError as e:
        raise WriteError(f"{path}: {_why(e)}") from None
    if current != t.expected:
        raise WriteError(f"{path}: changed on disk since nodelint read it; not overwritten")


@record
class _Staged:
    """A temporary file holding a target's new bytes, not yet renamed over it."""

    path: str
    directory: int  # the open directory holding both
    name: str  # the target's name in it
    tmp: str  # the temporary file's name in it
    expected: bytes | None  # the bytes nodelint read; None: a new file
    meta: tuple[int, int, int] | None  # the target's (mode, uid, gid) when the temp was written


def _stage(path: str, data: bytes, expected: bytes | None, sync: bool, *, target: _Target,
           directories: _Directories) -> _Staged:
    """Write ``data`` to a temporary file beside ``path``, with the target's mode, owner and
    extended attributes (a new file gets mode 0644)."""
    try:
        directory = directories.open(target.anchor, target.parts, create=expected is None)
        if expected is None:
            return _Staged(path, directory, target.name, _write_temp(directory, data, 0o644, sync=sync),
                           None, None)
        fd = os.open(target.name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0),
                     dir_fd=directory)
        try:
            st = os.fstat(fd)
            meta = (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)
            tmp = _write_temp(directory, data, meta[0], fd, meta[1:], sync=sync)
            return _Staged(path, directory, target.name, tmp, expected, meta)
        finally:
            os.close(fd)
    except WriteError:
        raise
    except OSError as e:
        raise WriteError(f"{path}: cannot {'create it' if expected is None else 'write'} ({_why(e)})") from None


def _commit(staged: _Staged) -> None:
    """Rename a staged temporary file over its target, if the target still holds what was read."""
    path, directory, name, tmp = staged.path, staged.directory, staged.name, staged.tmp
    if staged.expected is None:
        try:
            # fails if the name exists: never replaces a file nodelint did not read
            os.link(tmp, name, src_dir_fd=directory, dst_dir_fd=directory, follow_symlinks=False)
        except FileExistsError:
            raise WriteError(f"{path}: appeared on disk while nodelint ran; not overwritten") from None
        except OSError as e:
            raise WriteError(f"{path}: cannot create it ({_why(e)})") from None
        _unlink(directory, tmp)
        return
    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), dir_fd=directory)
    except OSError as e:
        raise WriteError(f"{path}: {_why(e)}") from None
    try:
        with _locked(fd):
            st = os.fstat(fd)
            now = os.stat(name, dir_fd=directory, follow_symlinks=False)
            current = _read_fd(fd, len(staged.expected))
            # the lock is on the file we opened: another run may have renamed a new one over it meanwhile
            if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino) or current != staged.expected:
                raise WriteError(f"{path}: changed on disk since nodelint read it; not overwritten")
            meta = (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)
            if meta != staged.meta:  # someone changed the mode or owner since the temp was written
                _restamp(directory, tmp, meta)
            os.rename(tmp, name, src_dir_fd=directory, dst_dir_fd=directory)
    except OSError as e:
        raise WriteError(f"{path}: cannot write ({_why(e)}); the file is unchanged") from None
    finally:
        os.close(fd)


def _restamp(directory: int, tmp: str, meta: tuple[int, int, int]) -> None:
    fd = os.open(tmp, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), dir_fd=directory)
    try:
        _keep_meta(fd, meta[0], meta[1:])
    finally:
        os.close(fd)


def atomic_write(path: str, data: bytes, expected: bytes | None = None, anchor: str | None = None) -> None:
    """Replace the regular file ``path`` with ``data``, if it holds ``expected`` (None: whatever it
    holds now): write_all for one file."""
    if expected is None:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            try:
                expected = _read_fd(fd, 1 << 62)
            finally:
                os.close(fd)
        except OSError as e:
            raise WriteError(f"{path}: {_why(e)}") from None
    write_all([(path, data, expected, anchor)])


def replace_file(path: str, data: bytes, mode: int = 0o644) -> None:
    """Write a report file atomically, replacing whatever is there (a textfile collector reads it
    at any moment: it must see the old file or the new one, never half of one)."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        pass
    directories = _Directories()
    try:
        with interrupts.deferred():
            t = _target((path, data, None, None))
            directory = directories.open(t.anchor, t.parts)
            if directory is None:
                raise FileNotFoundError(errno.ENOENT, "no such directory")
            tmp = _write_temp(directory, data, mode)
            try:
                os.rename(tmp, t.name, src_dir_fd=directory, dst_dir_fd=directory)
            except BaseException:
                _unlink(directory, tmp)
                raise
    except OSError as e:
        raise WriteError(f"{path}: cannot write ({_why(e)})") from None
    finally:
        directories.close()


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


def _per_filesystem(directories: _Directories) -> list[int]:
    """One open directory per filesystem the changes touch.  They were opened before anything
    was written, so syncfs reports any write-back error on them from then on (Linux 5.8+)."""
    seen: dict[int, int] = {}
    for fd in directories.fds.values():
        seen.setdefault(os.fstat(fd).st_dev, fd)
    return list(seen.values())


def write_all(changes: list[tuple]) -> list[str]:
    """Write every (path, new bytes, bytes read or None for a new file[, anchor]) or none of them.

    ``anchor`` is the trusted directory the path is below (default: the file's own directory):
    nothing below it is followed as a link.  Every target is checked first, then every new
    content is written to a temporary file and made durable; only then are they renamed over
    their targets.  If a temporary file cannot be written, nothing has been replaced; if a
    rename is refused (the file changed meanwhile), the files already replaced get their old
    bytes back.  Raises WriteError naming the file that failed.  SIGINT and SIGTERM wait until
    it returns (interrupts.py): no temporary file is left, no batch is half renamed.
    """
    targets = [_target(c) for c in changes]
    with interrupts.deferred():
        _write_targets(targets)
    return [t.path for t in targets]


def _write_targets(targets: list[_Target]) -> None:
    directories = _Directories()
    staged: list[_Staged] = []
    done: list[_Staged] = []
    try:
        for t in targets:
            try:
                directory = directories.open(t.anchor, t.parts)
            except OSError as e:
                raise WriteError(f"{t.path}: {_why(e)}") from None
            _check(t, directory)
        syncfs = _syncfs() if len(targets) >= SYNCFS_FROM else None
        try:
            for t in targets:
                staged.append(_stage(t.path, t.data, t.expected, sync=syncfs is None, target=t,
                                     directories=directories))
            if syncfs is not None:
                for fd in _per_filesystem(directories):  # every temporary file is on disk before the first rename
                    syncfs(fd)
        except OSError as e:  # the sync
            raise WriteError(f"cannot sync the new files to disk ({_why(e)})") from None
        _commit_all(staged, done)
        try:  # the renames are durable when write_all returns
            if syncfs is not None:
                for fd in _per_filesystem(directories):
                    syncfs(fd)
            else:
                for fd in {s.directory for s in staged}:
                    os.fsync(fd)
        except OSError as e:
            raise WriteError(f"cannot sync the written files to disk ({_why(e)})") from None
    finally:
        for s in staged[len(done):]:
            _unlink(s.directory, s.tmp)  # never renamed: a failure stopped the run
        directories.close()


def _commit_all(staged: list[_Staged], done: list[_Staged]) -> None:
    """Rename every staged file into place (adding each to ``done``); when one is refused, put
    back those already renamed and raise."""
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


def _restore(done: list[_Staged]) -> list[str]:
    """Put back the old bytes of files already replaced (newest first), with the mode and owner
    they had; the paths restored."""
    restored = []
    for s in reversed(done):
        try:
            if s.expected is None:
                os.unlink(s.name, dir_fd=s.directory)
            else:
                like = os.open(s.name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0), dir_fd=s.directory)
                try:
                    tmp = _write_temp(s.directory, s.expected, s.meta[0], like, s.meta[1:])
                finally:
                    os.close(like)
                try:
                    os.rename(tmp, s.name, src_dir_fd=s.directory, dst_dir_fd=s.directory)
                except OSError:
                    _unlink(s.directory, tmp)
                    raise
            restored.append(s.path)
        except OSError:
            pass
    return restored
