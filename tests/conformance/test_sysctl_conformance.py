"""systemd-sysctl and procps sysctl --system are the judges of nodelint's kernel parameter model.

Generated node roots (sysctl_cases.py) go through the real programs, in a mount namespace
whose /proc/sys is a tmpfs (sandbox.py), and through ``nodelint show``: every key's value must
agree.  A disagreement prints the case.  ``scripts/conformance --only sysctl --cases N`` runs more.
"""
from __future__ import annotations

import pytest

from . import judges, run

CASES = 150


@pytest.mark.parametrize("program", ["systemd", "procps"])
def test_nodelint_show_agrees_with_the_real_program(program):
    reason = judges.sysctl_available(program)
    if reason:
        pytest.skip(reason)
    n, failures = run.sysctl(CASES, seed=20261130, programs=(program,))
    assert not failures, f"{len(failures)} of {n} cases disagree:\n\n" + "\n\n".join(failures[:5])


def test_a_fix_wins_in_the_real_order():
    """After --fix, systemd-sysctl really ends with the minimums NL201/NL202 ask for, whatever
    later-sorting files, globs and -key lines the root holds; a second --fix changes nothing."""
    reason = judges.sysctl_available("systemd")
    if reason:
        pytest.skip(reason)
    n, failures = run.sysctl_fixes(100, seed=20261201)
    assert not failures, f"{len(failures)} of {n} cases:\n\n" + "\n\n".join(failures[:5])


def test_the_sandbox_never_touches_the_hosts_kernel_parameters():
    reason = judges.sysctl_available("systemd")
    if reason:
        pytest.skip(reason)
    before = open("/proc/sys/fs/inotify/max_user_instances").read()
    run.sysctl(3, seed=1)
    assert open("/proc/sys/fs/inotify/max_user_instances").read() == before
