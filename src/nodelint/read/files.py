"""Opening files on a node: below a trusted directory, never through a link, never past a bound.

nodelint runs as root over directories that others can write into (an image being built, a
node's root mounted into a pod).  Whoever writes there must not be able to make it read or
write anything outside, or read without end:

- ``read_bounded`` is the one way a configuration file is read: it opens the path without
  following a final link and without blocking on a FIFO, refuses what is not a regular file,
  reads at most ``limit`` bytes (a file over it raises TooLarge before anything is read), and
  checks, through ``/proc/self/fd``, that the file it opened is at the path discovery found
  (a directory swapped for a link meanwhile is refused, not followed).
- ``open_directory`` resolves a directory one component at a time from a trusted directory
  (the root, the walked tree) with ``O_NOFOLLOW | O_DIRECTORY``, the way ``openat2`` with
  ``RESOLVE_IN_ROOT`` would: every later step (temporary file, rename, sync) is made relative
  to the descriptor it returns, so no name is ever resolved twice.
"""
from __future__ import annotations

import errno
import os
import stat

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW | _CLOEXEC
_READ_FLAGS = os.O_RDONLY | _NOFOLLOW | _CLOEXEC | getattr(os, "O_NONBLOCK", 0)
_CHUNK = 1 << 20


class TooLarge(OSError):
    """A file over the size limit: nothing of it was read."""

    def __init__(self, size: int, limit: int):
        super().__init__(errno.EFBIG, f"{size} bytes, over the {limit}-byte limit (max-file-size)")
        self.size, self.limit = size, limit


class Moved(OSError):
    """A path that no longer leads where it did: a directory on the way became a link, or was moved."""

    def __init__(self, path: str, why: str):
        super().__init__(errno.ELOOP, why)
        self.filename = path


_real_anchors: dict[str, tuple[str, str]] = {}


def _real_below(anchor: str, path: str) -> str:
    """Where ``path``, below ``anchor``, really is when nothing below the anchor is a link."""
    known = _real_anchors.get(anchor)
    if known is None:  # once per anchor: a root of 50,000 files asks 50,000 times
        known = _real_anchors[anchor] = (os.path.join(os.path.abspath(anchor), ""), os.path.realpath(anchor))
    prefix, real = known
    if path.startswith(prefix) and "/." not in path:  # no "." or ".." component: a plain join
        return os.path.join(real, path[len(prefix):])
    return os.path.join(real, *parts_below(anchor, path))


def parts_below(anchor: str, path: str) -> list[str]:
    """The components of ``path`` below ``anchor`` (both as written, not resolved)."""
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(anchor))
    if rel == os.curdir:
        return []
    parts = rel.split(os.sep)
    if parts[0] == os.pardir or os.pardir in parts:
        raise Moved(path, f"not below {anchor}")
    return parts


def _opened_at(fd: int) -> str | None:
    """Where the kernel says an open descriptor is; None where /proc is not mounted."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None


def read_bounded(path: str, limit: int, anchor: str | None = None) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    With ``anchor``, ``path`` must be below it, and the file opened must really be there
    (no directory on the way followed as a link).  Raises TooLarge, Moved or OSError.
    """
    fd = os.open(path, _READ_FLAGS)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", path)
        if st.st_size > limit:
            raise TooLarge(st.st_size, limit)
        if anchor is not None:
            at = _opened_at(fd)
            if at is not None and at != _real_below(anchor, path):
                raise Moved(path, f"a directory on the way is a link or was moved (it leads to {at})")
        # one read of the size fstat gave (and a byte more: a file that grew meanwhile shows it):
        # a regular file returns fewer bytes than asked only at its end
        first = os.read(fd, min(st.st_size, limit) + 1)
        if len(first) <= st.st_size:
            return first
        chunks, got = [first], len(first)
        while got <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > limit:  # it grew past the limit while being read
            raise TooLarge(got, limit)
        return b"".join(chunks)
    finally:
        os.close(fd)


def open_regular(path: str):
    """``path`` opened for reading as a binary file object, if it is a regular file: a FIFO or a
    device is refused without waiting on it (OSError).  Final links are followed: callers pass
    paths resolved inside the root (node.RootFS)."""
    fd = os.open(path, os.O_RDONLY | _CLOEXEC | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", path)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_head(path: str, size: int) -> bytes:
    """The first ``size`` bytes of a regular file (b"" for anything else or an error)."""
    try:
        with open_regular(path) as f:
            return f.read(size)
    except OSError:
        return b""


def open_directory(anchor: str, parts: list[str], create: bool = False) -> int:
    """A descriptor of the directory ``anchor/parts...``, each component opened relative to the
    one before with O_NOFOLLOW (``create``: missing ones are made, mode 0755 less the umask).

    Raises Moved when a component is a link or not a directory, OSError otherwise."""
    fd = os.open(anchor, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC)
    try:
        for i, part in enumerate(parts):
            if part in ("", os.curdir, os.pardir):
                raise Moved(os.path.join(anchor, *parts), f"{part!r} is not a directory name")
            child = _open_child(fd, part, os.path.join(anchor, *parts[: i + 1]), create)
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def _open_child(fd: int, name: str, where: str, create: bool) -> int:
    try:
        return os.open(name, _DIRECTORY_FLAGS, dir_fd=fd)
    except FileNotFoundError:
        if not create:
            raise
        try:
            os.mkdir(name, 0o755, dir_fd=fd)
        except FileExistsError:
            pass  # made meanwhile: opened like any other
        return _open_child(fd, name, where, False)
    except OSError as e:
        if e.errno in (errno.ELOOP, errno.ENOTDIR):
            raise Moved(where, "is a link or not a directory") from None
        raise
