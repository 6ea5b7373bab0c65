"""Large trees run in batches of whole nodes, optionally in worker processes: whatever the
batch size and the number of workers, a run finds, fixes and reports the same."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from .conftest import CORPUS, needs_corpus, run_exe
from nodelint.engine import batches as engine
from nodelint.read.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from tree import make_tree  # noqa: E402  (bench/tree.py: trees of nodes built from the corpus)

pytestmark = needs_corpus


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tree")
    make_tree(CORPUS, root, 124)  # 12 nodes, templates and version pins
    return root


def reading(tree: Path, monkeypatch, *, batch: int, jobs: int, fix: bool = False):
    monkeypatch.chdir(tree)
    monkeypatch.setattr(engine, "BATCH_FILES", batch)
    monkeypatch.setattr(engine, "PARALLEL_FILES", 0)
    result, changes = engine.run(["."], Settings(), fix=fix, jobs=jobs)
    return ([f.key + (f.severity, f.fixable) for f in result.findings], result.files, result.fixed,
            sorted((c.path, c.new) for c in changes))


def test_batches_and_workers_change_nothing_a_run_reports(tree, monkeypatch):
    whole = reading(tree, monkeypatch, batch=10_000, jobs=1)
    assert len(engine.plan(["."], Settings()).batches) == 1
    assert whole[1] == 124 and len(whole[0]) > 50
    assert {f[0] for f in whole[0]} >= {"NL101", "NL103", "NL104", "NL202", "NL402"}  # NL402 needs the pins
    assert reading(tree, monkeypatch, batch=7, jobs=1) == whole
    assert reading(tree, monkeypatch, batch=7, jobs=2) == whole


def test_batches_and_workers_change_nothing_a_fix_does(tree, monkeypatch):
    whole = reading(tree, monkeypatch, batch=10_000, jobs=1, fix=True)
    assert whole[2] > 40 and len(whole[3]) > 30
    assert reading(tree, monkeypatch, batch=7, jobs=2, fix=True) == whole


def test_a_batch_holds_whole_nodes(tree, monkeypatch):
    monkeypatch.chdir(tree)
    monkeypatch.setattr(engine, "BATCH_FILES", 7)
    plan = engine.plan(["."], Settings())
    assert len(plan.batches) > 10 and [t.kind for t in plan.pins] == ["versions"] * len(plan.pins)
    node_of = {}
    for i, batch in enumerate(plan.batches):
        for t in batch:
            assert node_of.setdefault(t.group, i) == i, f"{t.group} is split across batches"


def test_fix_in_workers_writes_what_one_process_writes_and_is_idempotent(tree, tmp_path):
    one, many = tmp_path / "one", tmp_path / "many"
    shutil.copytree(tree, one)
    shutil.copytree(tree, many)
    assert run_exe("--fix", "-q", "--jobs", "1", ".", cwd=one).returncode in (0, 1)
    assert run_exe("--fix", "-q", "--jobs", "2", ".", cwd=many).returncode in (0, 1)
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(many) for p in many.rglob("*") if p.is_file())
    assert all((one / f).read_bytes() == (many / f).read_bytes() for f in files)
    again = run_exe("--diff", ".", cwd=many)
    assert again.returncode == 0 and "No file would be changed by --fix." in again.stderr


def test_a_large_text_report_prints_findings_as_batches_finish_then_the_summary(tree, nodelint, monkeypatch):
    monkeypatch.setattr(engine, "BATCH_FILES", 7)
    text = nodelint("--no-color", cwd=tree)
    as_json = nodelint("--format", "json", cwd=tree).json
    lines = text.out.splitlines()
    assert lines[-1].startswith(f"Found {len(as_json['findings'])} findings")
    assert sorted(lines[:-1]) == sorted(f"{f['path']}:{f['line']}:{f['column']}: {f['rule']} {f['severity']} "
                                        f"{f['message']}{' [*]' if f['fixable'] else ''}"
                                        for f in as_json["findings"])


def test_jobs_must_not_be_negative(nodelint, tree):
    out = nodelint("--jobs", "-1", cwd=tree)
    assert out.code == 2 and "--jobs" in out.err


def test_a_host_program_running_threads_gets_its_batches_checked_in_one_process(tree, monkeypatch):
    import os
    import threading

    whole = reading(tree, monkeypatch, batch=10_000, jobs=1)
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked while another thread ran"))
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert reading(tree, monkeypatch, batch=7, jobs=2) == whole
    finally:
        release.set()
        thread.join()
