"""Entry points of a group (the ``nodelint.rules`` plugins), read straight from the
``*.dist-info/entry_points.txt`` files on ``sys.path``.

Speed trick, measured: this runs on every check, and importing ``importlib.metadata`` would add
about 62 ms of CPU to a one-file check of about 71 ms (``python3 bench/tricks.py``, on the 2-core
CI machine, 2026-11-30); reading the small text files costs well under a millisecond.  The format
read is the one importlib.metadata reads: ``[group]`` sections of ``name = module[:attr]`` lines.
"""
from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType


def targets(group: str) -> list[str]:
    """``module[:attr]`` values of an entry-point ``group``, from dist-info files on sys.path."""
    targets: list[str] = []
    seen_dirs = set()
    for entry in sys.path:
        if not entry or not os.path.isdir(entry) or entry in seen_dirs:
            continue
        seen_dirs.add(entry)
        try:
            names = os.listdir(entry)
        except OSError:
            continue
        for name in names:
            if not name.endswith(".dist-info"):
                continue
            try:
                with open(os.path.join(entry, name, "entry_points.txt"), encoding="utf-8") as f:
                    lines = f.read().splitlines()
            except OSError:
                continue
            in_group = False
            for line in lines:
                line = line.strip()
                if line.startswith("["):
                    in_group = line == f"[{group}]"
                elif in_group and "=" in line:
                    targets.append(line.split("=", 1)[1].strip())
    return targets


def modules_from(target: str) -> list[str]:
    """The module names an entry point names: a module, or a module attribute holding a module or names."""
    module_name, _, attr = target.partition(":")
    if not attr:
        return [module_name]
    value = getattr(importlib.import_module(module_name), attr.strip())
    if isinstance(value, ModuleType):
        return [value.__name__]
    return [str(v) for v in value]
