"""SIGINT and SIGTERM stop a run the same way: what is being written is finished, nothing new starts.

SIGTERM is what ``timeout``, Ansible and Kubernetes send; Ctrl-C sends SIGINT.  Either raises
``Interrupted`` (a KeyboardInterrupt) in the main process, which stops handing out batches and
waits for the worker processes, which ignore both signals and finish the batch they hold
(workers.py); the run exits with 128 + the signal's number (130, 143).  While a batch's files
are being renamed into place the signals are held back (``deferred``), so a batch is written
whole or not at all.  A second signal while the run winds down changes nothing.

This module uses ``_signal``, the C module under ``signal``: importing ``signal`` builds its
enums, about 1 ms of every run's start-up (``python -X importtime``), for two constants.
"""
from __future__ import annotations

from contextlib import contextmanager

import _signal

SIGNALS = (_signal.SIGINT, _signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """The run was asked to stop by a signal."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.exit_code = 128 + signum


_received: list[int] = []


def _stop(signum, frame):
    if _received:
        return  # already stopping: the first signal's exit code stands
    _received.append(signum)
    raise Interrupted(signum)


def install() -> list:
    """Handle SIGINT and SIGTERM as above; returns the handlers they had (for ``restore``)."""
    _received.clear()
    return [_signal.signal(s, _stop) for s in SIGNALS]


def restore(previous: list) -> None:
    for s, handler in zip(SIGNALS, previous):
        _signal.signal(s, handler)


def ignore() -> None:
    """In a worker process: the main process decides when to stop."""
    for s in SIGNALS:
        _signal.signal(s, _signal.SIG_IGN)


@contextmanager
def deferred():
    """SIGINT and SIGTERM that arrive inside are acted on when it ends."""
    if not hasattr(_signal, "pthread_sigmask"):
        yield
        return
    previous = _signal.pthread_sigmask(_signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        _signal.pthread_sigmask(_signal.SIG_SETMASK, previous)
