"""After a fix, the engine checks again only what the fix changed (engine.INCREMENTAL): nodes
with a changed document and changed documents.  What it reports and writes is exactly what a
full second check gives."""
from __future__ import annotations

import sys
from pathlib import Path

from .conftest import CORPUS, needs_corpus, write
from nodelint.engine import batches as engine, checks
from nodelint import rules as R
from nodelint.read.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from tree import make_tree  # noqa: E402  (bench/tree.py: trees of nodes built from the corpus)

NEEDS_FIX = ('version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n'
             '  runtime_type = "io.containerd.runc.v2"\n')
CLEAN = NEEDS_FIX + '  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n' \
                    '    SystemdCgroup = true\n'


def fixing(paths: list[str], monkeypatch, incremental: bool, **kwargs):
    monkeypatch.setattr(checks, "INCREMENTAL", incremental)
    result, changes = engine.run(paths, Settings(), fix=True, **kwargs)
    return ([f.key + (f.severity, f.fixable, f.message) for f in result.findings], result.fixed,
            sorted((c.path, c.new) for c in changes))


def test_a_clean_node_is_not_checked_again_after_another_node_is_fixed(tmp_path, monkeypatch):
    write(tmp_path / "a/etc/containerd/config.toml", NEEDS_FIX)
    write(tmp_path / "b/etc/containerd/config.toml", CLEAN)
    monkeypatch.chdir(tmp_path)
    module = R.rule("NL101").module
    seen: list[str] = []
    check = module.check
    monkeypatch.setattr(module, "check", lambda node, settings: seen.append(node.key) or check(node, settings))
    findings, fixed, changes = fixing(["."], monkeypatch, incremental=True)
    assert fixed == 1 and [path for path, _ in changes] == ["a/etc/containerd/config.toml"]
    assert sorted(seen) == [".::a/", ".::a/", ".::b/"]  # a: checked, fixed, checked again; b: once
    seen.clear()
    assert fixing(["."], monkeypatch, incremental=False) == (findings, fixed, changes)
    assert sorted(seen) == [".::a/", ".::a/", ".::b/", ".::b/"]


@needs_corpus
def test_checking_only_what_changed_fixes_and_reports_what_a_full_check_does(tmp_path, monkeypatch):
    make_tree(CORPUS, tmp_path / "tree", 124)
    monkeypatch.chdir(tmp_path / "tree")
    monkeypatch.setattr(engine, "BATCH_FILES", 20)
    full = fixing(["."], monkeypatch, incremental=False)
    assert full[1] > 40 and len(full[2]) > 30
    assert fixing(["."], monkeypatch, incremental=True) == full


@needs_corpus
def test_on_the_corpus_as_one_image_and_file_by_file_too(monkeypatch):
    monkeypatch.chdir(CORPUS)
    for options in ({}, {"root": "kubespray"}):
        full = fixing(["."] if not options else [], monkeypatch, incremental=False, **options)
        assert fixing(["."] if not options else [], monkeypatch, incremental=True, **options) == full
        assert full[1] > 0


def test_a_fix_that_changes_nothing_does_not_cost_another_check(tmp_path, monkeypatch):
    # A rule whose fix sets what the file already says: the round that applies nothing ends the
    # loop, and its findings are what is reported; no further check is run to find them again.
    from nodelint.values.edits import SetKey
    from nodelint.values.findings import Finding, Fix

    write(tmp_path / "n/etc/containerd/config.toml", CLEAN)
    monkeypatch.chdir(tmp_path)
    module = R.rule("NL101").module
    noop = Fix((SetKey("n/etc/containerd/config.toml", ("version",), 2),), "set version = 2")
    monkeypatch.setattr(module, "check", lambda node, settings: [
        Finding("NL101", "error", d.path, 1, 1, "a fix that changes nothing", noop) for d in node.of_kind("containerd")])
    runs = []
    check = checks.check
    monkeypatch.setattr(checks, "check", lambda run: runs.append(len(run.docs)) or check(run))
    findings, fixed, changes = fixing(["."], monkeypatch, incremental=True)
    assert fixed == 0 and changes == []
    assert [f[0] for f in findings] == ["NL101"]
    assert [n for n in runs if n] == [1]  # the node was checked once
