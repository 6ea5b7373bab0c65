"""Shared helpers: where the shared corpus lives, and running the CLI in-process."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path | None:
    for candidate in (os.environ.get("NODELINT_SHARED"), REPO.parent / "shared", "/work/shared"):
        if candidate and (Path(candidate) / "corpus" / "LABELS.tsv").is_file():
            return Path(candidate)
    return None


SHARED = shared_dir()
CORPUS = SHARED / "corpus" if SHARED else None
needs_corpus = pytest.mark.skipif(CORPUS is None, reason="../shared/corpus not found (set NODELINT_SHARED)")


class Outcome:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    @property
    def json(self) -> dict:
        return json.loads(self.out)

    def rules(self) -> list[str]:
        return [f["rule"] for f in self.json["findings"]]


@pytest.fixture
def nodelint(capsys, monkeypatch):
    """Run ``nodelint ARGS`` in-process (optionally in ``cwd``); returns an Outcome."""
    from nodelint.cli import main

    def run(*args: str, cwd: str | os.PathLike | None = None) -> Outcome:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return Outcome(code, out, err)

    return run


def nodelint_exe() -> str:
    exe = shutil.which("nodelint", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    assert exe, "the nodelint console script is not installed"
    return exe


def run_exe(*args: str, cwd=None, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([nodelint_exe(), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def write(path: Path, text: str, newline: str = "\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


def apply_edits(fmt, text: str, *edits) -> str:
    """Plan ``edits`` with a format module and apply them to ``text``."""
    from nodelint.read.formats.text import apply_splices

    doc = fmt.load(text)
    splices = []
    for e in edits:
        splices += fmt.plan(doc, e)
    return apply_splices(text, splices)
