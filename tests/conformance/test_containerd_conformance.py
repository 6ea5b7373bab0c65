"""containerd's own loader is the judge of nodelint's containerd model.

Generated /etc/containerd trees (containerd_cases.py) go through ``containerd config dump`` of
Debian's containerd 1.6 and 1.7 and 2.1 (a mount namespace binds each case over /etc/containerd)
and through ``nodelint show``: whether containerd refuses the config, and every runtime
handler's runtime_type and SystemdCgroup, and the default runtime, must agree.  A disagreement
prints the case.  ``scripts/conformance --only containerd --cases N`` runs more.
"""
from __future__ import annotations

import pytest

from . import judges, run

CASES = 150


@pytest.mark.parametrize("line", sorted(judges.CONTAINERD))
def test_nodelint_show_agrees_with_containerd_config_dump(line):
    reason = judges.containerd_available(line)
    if reason:
        pytest.skip(reason)
    n, failures = run.containerd(CASES, seed=20261130, lines=[line])
    assert not failures, f"{len(failures)} of {n} cases disagree:\n\n" + "\n\n".join(failures[:5])


def test_a_fix_holds_in_the_real_containerd():
    """After --fix, containerd 1.6, 1.7 and 2.1 run every runc handler NL101 judged with
    SystemdCgroup = true, or nodelint still reports what is left (NL101 without a safe fix, NL403)."""
    lines = [line for line in judges.CONTAINERD if judges.containerd_available(line) is None]
    if not lines:
        pytest.skip(judges.containerd_available("1.6"))
    n, failures = run.containerd_fixes(100, seed=20261202, lines=lines)
    assert not failures, f"{len(failures)} of {n} cases:\n\n" + "\n\n".join(failures[:5])
