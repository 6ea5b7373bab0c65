"""dockerd is the judge of what nodelint says it refuses, and of what --fix writes.

Generated daemon.json files (docker_cases.py) go to Debian's dockerd 20.10 (bookworm; started
in its own namespaces until it is past its configuration check) and 26.1 (trixie;
``--validate``).  nodelint must report an NL001 error exactly when both refuse a file (a warning
when one does), and --fix must keep every accepted file accepted and leave alone a refused one
it cannot repair.  ``scripts/conformance --only docker --cases N`` runs more.
"""
from __future__ import annotations

import pytest

from . import judges, run


def test_nodelint_agrees_with_dockerd():
    versions = [v for v in judges.DOCKERD if judges.docker_available(v) is None]
    if not versions:
        pytest.skip(judges.docker_available("26.1"))
    n, failures = run.docker(80, seed=20261130, versions=versions)
    assert not failures, f"{len(failures)} of {n} cases:\n\n" + "\n\n".join(failures[:5])
