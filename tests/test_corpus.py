"""The real-world corpus: what each file really says (LABELS.tsv) is what nodelint reports,
and every fix re-parses, re-checks clean, is idempotent and changes only the lines it must."""
from __future__ import annotations

import difflib
import json
import re
import shutil
import tomllib

import pytest

from .conftest import CORPUS, needs_corpus

pytestmark = needs_corpus

CHECKED = {"containerd", "runsc", "docker", "kubelet", "kubeadm", "crio", "sysctl", "templated"}
FIXED_TOKENS = ("SystemdCgroup", "systemd_cgroup", "systemd-cgroup", "cgroupDriver", "native.cgroupdriver",
                "cgroup_manager", "exec-opts", "fs.inotify.",
                # a version 1 containerd config rewritten as version 2 (NL101): its plugin IDs change
                "[plugins.cri", "disabled_plugins")


def labels():
    rows = []
    if CORPUS is None:
        return rows
    for line in (CORPUS / "LABELS.tsv").read_text().splitlines()[1:]:
        if not line.strip():
            continue
        local, kind, facts = (line.split("\t") + [""])[:3]
        parsed: dict[str, list[str]] = {}
        for part in facts.split(";"):
            key, _, value = part.strip().partition("=")
            parsed.setdefault(key.strip(), []).append(value.strip() if value else "yes")
        if (CORPUS / local).is_file():
            rows.append((local, kind, parsed))
    return rows


ROWS = labels()


def expected(kind: str, facts: dict) -> tuple[set[str], set[str]]:
    """(rules that must be reported, rules that must not), read from the labels."""
    must, must_not = set(), set()
    first = lambda k: (facts.get(k) or [None])[0]  # noqa: E731
    if kind == "templated":
        if first("templates") in ("containerd", "kubeadm", "kubelet", "crio"):
            must.add("NL002")
        return must, must_not
    if kind == "containerd":
        if first("default_runtime_type") == "io.containerd.runtime.v1.linux":
            return {"NL110"}, {"NL101", "NL102"}
        values = list(facts.get("runc_systemd", []))
        values += [v for k, vs in facts.items() if re.fullmatch(r"runtime:[^:]+:systemd", k) for v in vs]
        if any(v in ("false", "missing") for v in values):
            must.add("NL101")
        elif values:
            must_not.add("NL101")
        if first("legacy_systemd_cgroup_key") == "yes":
            must.add("NL102")
        else:
            must_not.add("NL102")
    elif kind == "runsc":
        (must if first("systemd_cgroup") in ("false", "missing") else must_not).add("NL103")
    elif kind == "docker":
        (must if first("cgroupdriver") in ("cgroupfs", "missing") else must_not).add("NL104")
    elif kind in ("kubelet", "kubeadm"):
        value = first("cgroupDriver")
        if value == "cgroupfs" or (value == "missing" and kind == "kubelet"):
            must.add("NL105")
        else:
            must_not.add("NL105")
    elif kind == "crio":
        (must if first("cgroup_manager") == "cgroupfs" else must_not).add("NL106")
    elif kind == "sysctl":
        # named on their own, sysctl files are judged on the values they set
        for key, code, floor in (("max_user_instances", "NL201", 8192), ("max_user_watches", "NL202", 524288)):
            value = first(key)
            if value == "missing":
                must_not.add(code)
            elif value is not None:
                (must if int(value) < floor else must_not).add(code)
    return must, must_not


CHECK_ROWS = [r for r in ROWS if r[1] in CHECKED]


@pytest.fixture(scope="module")
def corpus_report(tmp_path_factory):
    """nodelint over every labelled file, named one by one as pre-commit passes them."""
    from nodelint.cli import main
    import contextlib
    import io
    import os

    work = tmp_path_factory.mktemp("corpus")
    for local, _, _ in CHECK_ROWS:
        (work / local).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / local, work / local)
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(work)
    try:
        with contextlib.redirect_stdout(out):
            code = main(["check", "--format", "json", *[r[0] for r in CHECK_ROWS]])
    finally:
        os.chdir(cwd)
    assert code in (0, 1)
    found: dict[str, set[str]] = {}
    for f in json.loads(out.getvalue())["findings"]:
        found.setdefault(f["path"], set()).add(f["rule"])
    return found


@pytest.mark.parametrize("local, kind, facts", CHECK_ROWS, ids=[r[0] for r in CHECK_ROWS])
def test_labels_are_honoured(corpus_report, local, kind, facts):
    must, must_not = expected(kind, facts)
    got = corpus_report.get(local, set())
    assert must <= got, f"missing {sorted(must - got)}"
    assert not (must_not & got), f"unexpected {sorted(must_not & got)}"
    assert "NL001" not in got, "a real-world file was reported as unparseable"


FIXABLE = {"NL101", "NL102", "NL103", "NL104", "NL105", "NL106", "NL108", "NL201", "NL202"}
FIX_ROWS = [r for r in CHECK_ROWS if expected(r[1], r[2])[0] & FIXABLE]


def parse(path, kind):
    data = path.read_bytes().decode("utf-8")
    if kind == "sysctl":
        from nodelint.read.formats import sysctl

        return sysctl.load(data)
    if path.suffix == ".json":
        return json.loads(data)
    if kind in ("kubelet", "kubeadm"):
        from ruamel.yaml import YAML

        return list(YAML(typ="safe", pure=True).load_all(data))
    return tomllib.loads(data)


@pytest.fixture(scope="module")
def fixed_corpus(tmp_path_factory, nodelint_module):
    work = tmp_path_factory.mktemp("fixed")
    for local, _, _ in FIX_ROWS:
        (work / local).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / local, work / local)
    first = nodelint_module(["check", "--fix", *[r[0] for r in FIX_ROWS]], work)
    snapshot = {r[0]: (work / r[0]).read_bytes() for r in FIX_ROWS}
    second = nodelint_module(["check", "--fix", *[r[0] for r in FIX_ROWS]], work)
    after = nodelint_module(["check", "--format", "json", *[r[0] for r in FIX_ROWS]], work)
    return work, first, second, snapshot, after


@pytest.fixture(scope="module")
def nodelint_module():
    from nodelint.cli import main
    import contextlib
    import io
    import os

    def run(args, cwd):
        out = io.StringIO()
        old = os.getcwd()
        os.chdir(cwd)
        try:
            with contextlib.redirect_stdout(out):
                code = main(args)
        finally:
            os.chdir(old)
        return code, out.getvalue()

    return run


def _subsequence(old: str, new: str) -> bool:
    """Whether ``new`` is ``old`` with text only inserted."""
    chars = iter(new)
    return all(c in chars for c in old)


@pytest.mark.parametrize("local, kind, facts", FIX_ROWS, ids=[r[0] for r in FIX_ROWS])
def test_fixes_hold(fixed_corpus, local, kind, facts):
    work, first, _second, snapshot, after = fixed_corpus
    assert first[0] in (0, 1)
    path = work / local
    before = (CORPUS / local).read_bytes()
    new = path.read_bytes()
    assert new != before, "not changed"
    parse(path, kind)  # re-parses
    remaining = {f["rule"] for f in json.loads(after[1])["findings"] if f["path"] == local}
    assert not (expected(kind, facts)[0] & FIXABLE & remaining), f"still reported: {remaining}"
    assert new == snapshot[local], "a second --fix changed it again"
    old_text, new_text = before.decode(), new.decode()
    # line endings and the final newline are the file's own
    assert ("\r\n" in old_text) == ("\r\n" in new_text)
    assert old_text.endswith("\n") == new_text.endswith("\n")
    # only the lines the fix needs: removed lines hold a fixed key or gained a separator
    old_lines, new_lines = old_text.splitlines(), new_text.splitlines()
    removed = [l for l in difflib.ndiff(old_lines, new_lines) if l.startswith("- ")]
    added = {l[2:] for l in difflib.ndiff(old_lines, new_lines) if l.startswith("+ ")}
    for line in removed:
        body = line[2:]
        grew = any(_subsequence(body, a) and any(t in a for t in FIXED_TOKENS) for a in added)
        assert any(t in body for t in FIXED_TOKENS) or body + "," in added or grew, \
            f"changed an unrelated line: {body!r}"
    assert len(removed) + len(added) <= 16  # 12, and a version 1 file rewritten as 2 renames its headers
