"""Forked worker processes: each batch of a big tree is checked (and fixed) in a child process.

``in_workers(count, work, items)`` yields ``work(item)`` for every item, in the items' order,
computed by ``count`` children forked from this process.  A child gets the items, ``work``
and everything they refer to by forking, so only an item's index goes to it and only the
result comes back (pickled).  Items are handed out one at a time as children become free, so
a slow batch does not hold up the others.

Speed trick, measured: importing multiprocessing and concurrent.futures would add about 32 ms
of CPU (``python3 bench/tricks.py``, on the 2-core CI machine, 2026-11-30) to every run big
enough for workers.  All this needs is fork, two
pipes per child and pickle; the work function and its settings come with the fork, unpickled.

A child ignores SIGINT and SIGTERM: on Ctrl-C or SIGTERM the parent stops handing out batches
and waits for the running ones (interrupts.py), so a batch's fixes are written whole or not at all, and nothing is written after
nodelint exits.  ``stop(result)`` true does the same (a batch whose write failed): running
batches finish and are yielded, none starts after.
"""
from __future__ import annotations

import os
import sys

_INDEX = 4  # bytes of an item index, parent -> child
_HEADER = 9  # bytes of a result's header, child -> parent: 8 of length, 1 of status
_OK, _RAISED = 0, 1


class WorkerDied(Exception):
    """A child ended without returning its item's result (killed, out of memory)."""


def available() -> bool:
    """Whether forking is possible and safe: a child gets a copy of this one thread only, so a
    lock another thread held at the fork would stay locked in it forever.  nodelint's command
    line runs no thread; a host program that does (nodelint used as a library) gets one process."""
    if not hasattr(os, "fork"):
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


def _read_exactly(fd: int, n: int) -> bytes:
    """``n`` bytes from ``fd``; fewer only at end of file."""
    chunks, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _child(work, items, tasks: int, results: int) -> None:
    """A worker's life: read an index, send back ``work(items[index])``, until the parent closes."""
    import pickle

    from . import interrupts

    interrupts.ignore()
    while True:
        raw = _read_exactly(tasks, _INDEX)
        if len(raw) < _INDEX:
            return
        try:
            status, payload = _OK, pickle.dumps(work(items[int.from_bytes(raw, "little")]), pickle.HIGHEST_PROTOCOL)
        except BaseException as e:  # noqa: BLE001 - sent to the parent, which raises it
            status, payload = _RAISED, _pickled_exception(e)
        _write_all(results, len(payload).to_bytes(8, "little") + bytes([status]) + payload)


def _pickled_exception(e: BaseException) -> bytes:
    import pickle
    import traceback

    remote = "".join(traceback.format_exception(e))
    try:
        e.add_note(f"in a worker process:\n{remote}")
        return pickle.dumps(e)
    except Exception:  # noqa: BLE001 - an exception that cannot be pickled: its text is enough
        return pickle.dumps(RuntimeError(f"{type(e).__name__}: {e}\nin a worker process:\n{remote}"))


class _Worker:
    def __init__(self, pid: int, tasks: int, results: int):
        self.pid, self.tasks, self.results = pid, tasks, results
        self.item: int | None = None  # the index it is working on

    def give(self, index: int) -> None:
        self.item = index
        _write_all(self.tasks, index.to_bytes(_INDEX, "little"))

    def dismiss(self) -> None:
        if self.tasks >= 0:
            os.close(self.tasks)  # end of file: the child returns
            self.tasks = -1


def _fork(count: int, work, items) -> list[_Worker]:
    import gc

    sys.stdout.flush()  # a child must not write out what the parent has buffered
    sys.stderr.flush()
    # What the parent made (modules, settings, facts) is never walked by a child's garbage
    # collector, so the pages holding it stay shared instead of being copied into each child.
    gc.freeze()
    workers: list[_Worker] = []
    try:
        for _ in range(count):
            pipes: list[int] = []
            try:
                pipes += os.pipe()
                pipes += os.pipe()
                pid = os.fork()
            except OSError:  # out of processes or descriptors (a pod's pids limit): work with those started
                for fd in pipes:
                    os.close(fd)
                break
            task_r, task_w, result_r, result_w = pipes
            if pid == 0:  # the child
                code = 0
                try:
                    os.close(task_w)
                    os.close(result_r)
                    for w in workers:  # the other children's pipes are not this one's
                        os.close(w.tasks)
                        os.close(w.results)
                    _child(work, items, task_r, result_w)
                except BaseException:  # noqa: BLE001 - the parent sees the pipe close and reports it
                    code = 70
                finally:
                    os._exit(code)  # never the parent's atexit handlers, buffers or finally blocks
            os.close(task_r)
            os.close(result_w)
            workers.append(_Worker(pid, task_w, result_r))
    except BaseException:
        _finish(workers)
        raise
    finally:
        gc.unfreeze()  # in the parent (a child never returns here): its objects are collectable again
    return workers


def _finish(workers: list[_Worker]) -> None:
    """Dismiss every child and wait for it: nothing of this run goes on after it returns."""
    for w in workers:
        w.dismiss()
        os.close(w.results)  # a child still sending a result gets EPIPE instead of waiting for a reader
    for w in workers:
        try:
            os.waitpid(w.pid, 0)
        except ChildProcessError:
            pass


def in_workers(count: int, work, items: list, stop=None):
    """``work(item)`` for every item, in order, computed in ``count`` forked children.

    After a result for which ``stop(result)`` is true, no item is handed out; the results of
    those already handed out are yielded (in order), then the iteration ends.  An exception
    raised by ``work`` is raised here (with the child's traceback as a note).  Where fewer
    children can be started (fork fails: a process limit), the ones started do the work; where
    none can, this process does.  An item handed out is released in this process
    (``items[i] = None``): the children have their own copies from the fork.
    """
    import pickle
    import select

    if not items:
        return
    workers = _fork(max(1, min(count, len(items))), work, items)
    if not workers:  # no process could be started: this one does the work
        yield from serially(work, items, stop)
        return
    try:
        by_fd = {w.results: w for w in workers}
        done: dict[int, object] = {}
        handed = 0
        stopping = False
        for w in workers:
            w.give(handed)
            items[handed] = None
            handed += 1
        following = 0  # the next index to yield
        while following < handed:
            if following in done:
                yield done.pop(following)
                following += 1
                continue
            busy = [w.results for w in workers if w.item is not None]
            for fd in select.select(busy, [], [])[0]:
                w = by_fd[fd]
                header = _read_exactly(fd, _HEADER)
                if len(header) < _HEADER:
                    raise WorkerDied(_death(w))
                payload = _read_exactly(fd, int.from_bytes(header[:8], "little"))
                result = pickle.loads(payload)
                if header[8] == _RAISED:
                    raise result
                done[w.item] = result
                w.item = None
                if stop is not None and stop(result):
                    stopping = True
                if not stopping and handed < len(items):
                    w.give(handed)
                    items[handed] = None
                    handed += 1
                else:
                    w.dismiss()
    finally:
        _finish(workers)


def serially(work, items: list, stop=None):
    """``work(item)`` for every item, in order, in this process; after a result for which
    ``stop(result)`` is true, none.  Each item is released (``items[i] = None``) once worked on,
    so a big run does not hold every batch's file list to the end."""
    for i, item in enumerate(items):
        items[i] = None
        result = work(item)
        del item
        yield result
        if stop is not None and stop(result):
            return


def _death(w: _Worker) -> str:
    try:
        _, status = os.waitpid(w.pid, 0)
    except ChildProcessError:
        return "a worker process ended before returning its batch"
    if os.WIFSIGNALED(status):
        import signal

        try:
            name = signal.Signals(os.WTERMSIG(status)).name
        except ValueError:
            name = f"signal {os.WTERMSIG(status)}"
        return f"a worker process was killed ({name}) before returning its batch"
    return f"a worker process exited ({os.WEXITSTATUS(status) if os.WIFEXITED(status) else status}) " \
           "before returning its batch"
