"""Writing a batch's fixes: every changed file of a batch of whole nodes, or none; and the lock
that makes two --fix runs over one root take turns."""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager

@contextmanager
def root_lock(root):
    """Two --fix runs over one root take turns (an flock on the root directory: no lock file is left)."""
    if root is None:
        yield
        return
    import fcntl

    try:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        yield  # discovery reports the unusable root
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)

def write_batch(changes) -> str | None:
    """Write every changed file of a batch (whole nodes), or none; the error, or None.

    Runs where the batch was checked (a worker process, with --jobs), so writes go in parallel."""
    from .atomic import WriteError, write_all

    for c in changes:
        try:
            links = os.lstat(c.fs_path).st_nlink
        except OSError:
            continue
        if links > 1 and c.old is not None:
            print(f"nodelint: warning: {c.path} has {links} hard links; --fix writes a new file, so the other "
                  "names keep the old content", file=sys.stderr)
    try:
        write_all([(c.fs_path, c.new, c.old, c.anchor) for c in changes])
    except WriteError as e:
        message = str(e)
        for c in sorted(changes, key=lambda c: -len(c.fs_path)):  # paths as reported, not resolved
            message = message.replace(c.fs_path, c.path)
        return message
    return None
