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
