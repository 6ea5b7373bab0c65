"""The rule index the engine uses to import only what a run needs says what the modules say."""
from __future__ import annotations

import importlib

from nodelint.rules import INDEX, registry


def test_index_matches_the_rule_modules():
    for code, (module, scope, kinds) in INDEX.items():
        m = importlib.import_module(f"nodelint.rules.{module}")
        assert (m.CODE, getattr(m, "SCOPE", "document"), tuple(m.KINDS)) == (code, scope, kinds), module


def test_every_rule_module_is_indexed():
    import pkgutil

    import nodelint.rules as pkg

    modules = {m.name for m in pkgutil.iter_modules(pkg.__path__) if m.name.startswith("nl")}
    assert modules == {module for module, _, _ in INDEX.values()}
    assert list(registry()) == sorted(INDEX)
