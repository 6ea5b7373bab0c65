"""Rule data from ``rules/``: ``nodelint/_data`` in a wheel, the repo's ``rules/`` in a checkout."""
from __future__ import annotations

import functools
import os
import tomli

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # src/nodelint, or site-packages/nodelint
CANDIDATES = (os.path.join(_PACKAGE, "_data"), os.path.join(os.path.dirname(os.path.dirname(_PACKAGE)), "rules"))


def data_dir() -> str:
    for candidate in CANDIDATES:
        if os.path.isdir(candidate):
            return candidate
    raise FileNotFoundError("nodelint's rule data (rules/) is missing from this installation")


@functools.cache
def load(name: str) -> dict:
    with open(os.path.join(data_dir(), name), "rb") as f:
        return tomli.load(f)
