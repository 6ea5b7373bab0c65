"""Corpus mutation for property tests (tests/test_fuzz.py) and longer fuzz runs (scripts/fuzz).

The property: whatever bytes a node config file holds, nodelint answers with an exit code 0, 1
or 2, never an internal error or a traceback, and ``--fix`` either leaves the file untouched or
leaves it parseable.  Besides mutated corpus files, ``shaped`` draws the pathological shapes of
tests/shapes.py (a key repeated on every line, thousands of drop-ins, ...) at a bounded size,
with a few mutations on top.
"""
from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

from hypothesis import strategies as st

INJECTED = [
    b'SystemdCgroup = "true"\n', b"[plugins.\n", b'[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.x]\n',
    b"version = 3\n", b"cgroupDriver: cgroupfs\n", b"  - {{ templated }}\n", b'"exec-opts": 5,\n',
    b"fs.inotify.max_user_instances = 1\n", b"\x00", b"\xff\xfe", b"\r", b"{", b"}", b"]", b"&a [*a]\n",
    b"KUBELET_EXTRA_ARGS=--cgroup-driver=\n", b"[runsc_config]\nsystemd-cgroup = true\n", b"'''\n",
]


def corpus_files(corpus: Path) -> list[str]:
    rows = []
    for line in (corpus / "LABELS.tsv").read_text().splitlines()[1:]:
        local = line.split("\t")[0]
        if local and (corpus / local).is_file():
            rows.append(local)
    return rows


@st.composite
def mutated(draw, corpus: Path, files: list[str]) -> tuple[str, bytes]:
    local = draw(st.sampled_from(files))
    data = bytearray((corpus / local).read_bytes())
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["flip", "truncate", "shuffle", "inject", "delete"]))
        if how == "flip" and data:
            i = draw(st.integers(0, len(data) - 1))
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif how == "truncate":
            data = data[:draw(st.integers(0, len(data)))]
        elif how == "shuffle":
            lines = bytes(data).splitlines(keepends=True)
            data = bytearray(b"".join(draw(st.permutations(lines)))) if len(lines) < 400 else data
        elif how == "inject":
            at = draw(st.integers(0, len(data)))
            data[at:at] = draw(st.sampled_from(INJECTED))
        elif how == "delete" and data:
            i = draw(st.integers(0, len(data) - 1))
            del data[i:i + draw(st.integers(1, 40))]
    return local, bytes(data)


@st.composite
def shaped(draw, max_n: int = 300) -> tuple[str, int, list[tuple[int, bytes]]]:
    """(shape name, size, mutations: (position in the generated file, injected bytes))."""
    from .shapes import SHAPES

    name = draw(st.sampled_from(sorted(SHAPES)))
    n = draw(st.integers(1, max_n))
    injected = draw(st.lists(st.tuples(st.integers(0, 1 << 20), st.sampled_from(INJECTED)), max_size=3))
    return name, n, injected


def check_shaped(name: str, n: int, injected: list[tuple[int, bytes]]) -> None:
    """Write a pathological shape (its first file mutated), and hold nodelint to the property on it."""
    from nodelint.cli import main

    from .shapes import SHAPES

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        args = SHAPES[name][0](root, n)
        first = sorted(p for p in root.rglob("*") if p.is_file())[0]
        data = bytearray(first.read_bytes())
        for at, extra in injected:
            data[at % (len(data) + 1):at % (len(data) + 1)] = extra
        first.write_bytes(bytes(data))
        for options in (["--format", "json"], ["--fix", "--quiet"]):
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main([*options, *args])
            assert code in (0, 1, 2), (name, n, code)
            assert "internal error" not in err.getvalue() and "Traceback" not in err.getvalue(), \
                (name, n, err.getvalue())
            if options[0] == "--format":
                json.loads(out.getvalue())


def check_property(local: str, data: bytes) -> None:
    """Run nodelint on one mutated file (as it sits in its repo tree) and assert the property."""
    from nodelint.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / local
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
        for args in (["check", "--format", "json", str(path)], ["check", "--fix", "--quiet", str(path)]):
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(args)
            assert code in (0, 1, 2), (local, code)
            assert "internal error" not in err.getvalue() and "Traceback" not in err.getvalue(), \
                (local, err.getvalue())
            if args[1] == "--format":
                json.loads(out.getvalue())
        after = path.read_bytes()
        if after != data:
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
                main(["check", "--format", "json", str(path)])
            unparseable = [f for f in json.loads(out.getvalue())["findings"]
                           if f["rule"] == "NL001" and f["severity"] == "error"]  # warnings: ignored lines
            assert not unparseable, (local, "a fix produced a file that does not parse")
