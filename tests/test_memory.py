"""A batch's documents, nodes and parse trees hold no reference cycles: reference counting frees
them as soon as the batch is dropped, and the cyclic garbage collector, which nodelint runs
rarely (cli.GC_YOUNG_THRESHOLD), has nothing of them to find."""
from __future__ import annotations

import gc
import shutil
import sys
from pathlib import Path

from .conftest import CORPUS, needs_corpus
from nodelint.engine import batches as engine
from nodelint.read.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from tree import make_tree  # noqa: E402  (bench/tree.py: trees of nodes built from the corpus)


def nodelint_objects(objects: list) -> list[str]:
    # ruamel.yaml's YAML object (our YAML 1.1 subclass) is cyclic by ruamel's design; it reads
    # only files libyaml rejects and holds no document of ours.
    return sorted({type(o).__qualname__ for o in objects
                   if type(o).__module__.startswith("nodelint") and "YAML11" not in type(o).__qualname__})


@needs_corpus
def test_no_document_node_or_parse_tree_is_cyclic_garbage(tmp_path, monkeypatch):
    make_tree(CORPUS, tmp_path / "tree", 124)
    shutil.copytree(tmp_path / "tree", tmp_path / "fixed")
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for where, fix in (("tree", False), ("fixed", True)):
            monkeypatch.chdir(tmp_path / where)
            monkeypatch.setattr(engine, "BATCH_FILES", 20)
            result, changes = engine.run(["."], Settings(), fix=fix, jobs=1)
            assert result.files == 124 and (changes or not fix)
            del result, changes
        gc.collect()
        left = nodelint_objects(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert left == []


@needs_corpus
def test_a_run_keeps_what_reports_need_not_edits_or_file_lists(tmp_path):
    """A 100,000-file run keeps every finding to the end: without their fixes' edits (reports need
    only whether a fix exists, is safe, and what it does), and without the batches' file lists
    once they are worked on."""
    make_tree(CORPUS, tmp_path / "tree", 60)
    plan = engine.plan([str(tmp_path / "tree")], Settings())
    batches = list(plan.batches)
    outcomes = list(engine.execute(plan, Settings(), jobs=1))
    findings = [f for o in outcomes for f in o.findings]
    assert any(f.fixable for f in findings) and any(f.fix is not None and f.fix.description for f in findings)
    assert all(f.fix is None or f.fix.edits == () for f in findings)
    assert batches and all(b is None for b in plan.batches)
