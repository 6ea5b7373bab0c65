"""Forked workers (nodelint.workers): results in order, errors and deaths reported, no child left
behind, and after a stop no new work starts."""
from __future__ import annotations

import os
import signal

import pytest

from nodelint.write import workers

pytestmark = pytest.mark.skipif(not workers.available(), reason="needs fork")


def no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_results_come_in_the_items_order_whichever_child_computed_them():
    def work(n: int) -> tuple[int, int]:
        if n % 3 == 0:  # some items take longer, so children finish out of order
            sum(range(200_000))
        return n * n, os.getpid()

    results = list(workers.in_workers(3, work, list(range(20))))
    assert [square for square, _ in results] == [n * n for n in range(20)]
    pids = {pid for _, pid in results}
    assert os.getpid() not in pids and 1 < len(pids) <= 3
    assert no_children_left()


def test_large_results_cross_the_pipe_whole():
    big = list(workers.in_workers(2, lambda n: bytes([n]) * 3_000_000, [1, 2, 3]))
    assert [len(b) for b in big] == [3_000_000] * 3 and [b[-1] for b in big] == [1, 2, 3]


def test_an_exception_in_a_child_is_raised_in_the_parent_with_the_childs_traceback():
    def work(n: int) -> int:
        if n == 4:
            raise ValueError(f"bad item {n}")
        return n

    with pytest.raises(ValueError, match="bad item 4") as caught:
        list(workers.in_workers(2, work, list(range(10))))
    assert any("in a worker process" in note and "work" in note for note in caught.value.__notes__)
    assert no_children_left()


def test_a_child_that_dies_is_reported_as_such():
    def work(n: int) -> int:
        if n == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return n

    with pytest.raises(workers.WorkerDied, match="killed \\(SIGKILL\\)"):
        list(workers.in_workers(2, work, list(range(6))))
    assert no_children_left()


def test_after_a_stop_no_new_item_starts_and_the_running_ones_are_yielded(tmp_path):
    def work(n: int) -> int:
        (tmp_path / f"ran-{n}").touch()
        return n

    results = list(workers.in_workers(1, work, list(range(10)), stop=lambda n: n == 3))
    assert results == [0, 1, 2, 3]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"ran-{n}" for n in range(4)]


def test_a_consumer_that_stops_early_leaves_no_child_running():
    stream = workers.in_workers(2, lambda n: n, list(range(50)))
    assert next(stream) == 0
    stream.close()
    assert no_children_left()


def test_children_do_not_write_out_what_the_parent_had_buffered(tmp_path):
    out = tmp_path / "out"
    with open(out, "w") as f:
        f.write("parent line\n")  # buffered, not yet written when the children fork
        assert list(workers.in_workers(2, lambda n: n, [1, 2, 3])) == [1, 2, 3]
    assert out.read_text() == "parent line\n"


def test_a_process_running_other_threads_does_not_fork():
    import threading

    assert workers.available()
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert not workers.available()
    finally:
        release.set()
        thread.join()
    assert workers.available()


def test_when_fork_fails_the_children_started_do_the_work_or_else_this_process(monkeypatch):
    real_fork = os.fork
    forks = []

    def limited_fork():  # a process limit (a pod's pids.max) reached after `allowed` children
        if len(forks) >= allowed:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", limited_fork)
    for allowed in (1, 0):
        forks.clear()
        results = list(workers.in_workers(3, lambda n: (n, os.getpid()), list(range(8))))
        assert [n for n, _ in results] == list(range(8))
        pids = {pid for _, pid in results}
        assert pids == ({os.getpid()} if allowed == 0 else pids - {os.getpid()}) and len(pids) == 1
        assert no_children_left()
