"""libyaml (checking) and ruamel.yaml (fixing) must read every YAML file the same way:
the same values, duplicates, and node positions, so a finding's line and column and the
splices of its fix point at the same text."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from ..conftest import CORPUS, needs_corpus
from nodelint.read.formats import yaml as fmt
from nodelint.values.edits import DeleteKey, RenameKey, SetKey

pytestmark = pytest.mark.skipif(fmt._libyaml_loader() is None, reason="PyYAML without libyaml")


def corpus_yaml() -> list:
    if CORPUS is None:
        return []
    names = (".yaml", ".yml", ".yaml.j2", ".yml.j2")
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name.endswith(names))


def nodes(node, seen=None):
    """Every node of a graph once, depth first, as (id, tag, value-or-None, start, end).

    A left-out value (``key:``) has no text of its own and the two composers mark it at different
    places; nodelint places it just past the key's colon in both (see key_paths below)."""
    seen = set() if seen is None else seen
    if node is None or id(node) in seen:
        return
    seen.add(id(node))
    scalar = node.id == "scalar"
    marks = (None, None) if fmt._empty(node) else (node.start_mark.index, node.end_mark.index)
    yield (node.id, node.tag, node.value if scalar else None) + marks
    if node.id == "mapping":
        for k, v in node.value:
            yield from nodes(k, seen)
            yield from nodes(v, seen)
    elif node.id == "sequence":
        for v in node.value:
            yield from nodes(v, seen)


def assert_same_reading(text: str) -> None:
    try:
        exact = fmt.load(text, exact=True)
    except fmt.YamlSyntaxError as e:
        with pytest.raises(fmt.YamlSyntaxError) as fast_error:
            fmt.load(text)
        assert (fast_error.value.message, fast_error.value.line) == (e.message, e.line)
        return
    fast = fmt.load(text)
    assert not fast.exact or fmt._libyaml_loader() is None
    assert fast.data == exact.data
    assert fast.duplicates == exact.duplicates
    for f, e in zip(fast.docs, exact.docs, strict=True):
        assert list(nodes(f.node)) == list(nodes(e.node))
    for key in key_paths(exact.data):  # where findings are reported
        assert (fast.position(key), fast.value_position(key)) == (exact.position(key), exact.value_position(key))
    for edit in edits_of(exact.data):  # what fixes would write: planned on libyaml's nodes
        assert planned(fast, edit) == planned(exact, edit), edit


def edits_of(data):
    for i, document in enumerate(data):
        for key in key_paths(document, (i,)):
            if isinstance(key[-1], str):
                yield from (SetKey("f", key, "systemd"), SetKey("f", key, True), RenameKey("f", key, "renamed"),
                            DeleteKey("f", key), SetKey("f", key + ("newKey",), 1))


def planned(doc, edit):
    try:
        return fmt.plan(doc, edit)
    except fmt.UnsupportedEdit as e:
        return str(e)


def key_paths(data, prefix=()):
    for i, item in enumerate(data) if isinstance(data, list) else data.items() if isinstance(data, dict) else ():
        yield prefix + (i,)
        yield from key_paths(item, prefix + (i,))


def test_the_corpus_has_yaml_files():
    if CORPUS is not None:
        assert len(corpus_yaml()) >= 5


@needs_corpus
@pytest.mark.parametrize("path", corpus_yaml(), ids=lambda p: str(p.relative_to(CORPUS)))
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_both_composers_agree_on_the_corpus(path, newline):
    assert_same_reading(path.read_text(encoding="utf-8").replace("\n", newline))


@pytest.mark.parametrize("text", [
    "a: y\nb: n\nc: 1e3\nd: 0o17\ne: 010\nf: 1:30\ng: ~\nh: 2024-01-02\n",  # YAML 1.1 edge scalars
    "a: é\nb: \"ü\" # ✓\nc: '😀'\n",  # characters beyond ASCII and the BMP
    "base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n",  # merge keys
    "a: 1\na: 2\n",  # a duplicate key
    "---\na: 1\n...\n---\n- x\n- y\n",  # a stream
    "a: [1, 2\n",  # an error
    "a:\nb: # nothing\n\nc:   \n",  # left-out values
])
def test_both_composers_agree_on_edge_cases(text):
    assert_same_reading(text)


def test_a_tab_after_a_colon_is_read_and_edited_as_kubelet_reads_it():
    # libyaml (and go-yaml, which kubelet uses) accept it; ruamel.yaml does not.  Edits are
    # planned on libyaml's reading, so the fix replaces the value and keeps the tab.
    text = "cgroupDriver:\tcgroupfs\n"
    doc = fmt.load(text)
    assert doc.data == [{"cgroupDriver": "cgroupfs"}]
    with pytest.raises(fmt.YamlSyntaxError):
        fmt.load(text, exact=True)
    (splice,) = fmt.plan(doc, SetKey("f", (0, "cgroupDriver"), "systemd"))
    assert text[:splice.start] + splice.replacement + text[splice.end:] == "cgroupDriver:\tsystemd\n"


def test_a_left_out_value_is_set_after_the_colon():
    text = "cgroupDriver: # to do\nmaxPods: 110\n"
    (splice,) = fmt.plan(fmt.load(text), SetKey("f", (0, "cgroupDriver"), "systemd"))
    assert text[:splice.start] + splice.replacement + text[splice.end:] == \
        "cgroupDriver: systemd # to do\nmaxPods: 110\n"


KEYS = st.sampled_from(["cgroupDriver", "maxPods", "kind", "a", "y", "on", "<<", "é"])
SCALARS = st.one_of(
    st.sampled_from(["systemd", "y", "No", "0x1F", "010", "1e3", "1:30", "~", "null", "'q'", '"é"', "2024-01-02",
                     "3.14", ".inf", "-", "a b", "#x"]),
    st.integers(-1000, 1000).map(str),
)


@st.composite
def yaml_text(draw, depth=0):
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        key = draw(KEYS)
        if depth < 2 and draw(st.booleans()):
            lines.append(f"{key}:")
            lines += ["  " + ln for ln in draw(yaml_text(depth + 1)).splitlines()]
        elif draw(st.booleans()):
            lines.append(f"{key}: [{', '.join(draw(st.lists(SCALARS, max_size=3)))}]")
        else:
            lines.append(f"{key}: {draw(SCALARS)}")
    return "\n".join(lines) + "\n"


@given(yaml_text())
@settings(max_examples=150, deadline=None)
def test_both_composers_agree_on_generated_documents(text):
    assert_same_reading(text)


def test_a_block_ending_in_a_left_out_value_ends_at_that_key():
    """Deleting a nested block, or adding a key after it, stops at the line of its last key when
    that key's value is left out (ruamel.yaml marks such a value at the start of the next line,
    which took that line along)."""
    text = "outer:\n  inner:\n    cgroupDriver: # to do\n  maxPods: 110\n"
    doc = fmt.load(text)
    for d in (doc, fmt.load(text, exact=True)):
        (cut,) = fmt.plan(d, DeleteKey("f", (0, "outer", "inner")))
        assert text[:cut.start] + text[cut.end:] == "outer:\n  maxPods: 110\n"
        (add,) = fmt.plan(d, SetKey("f", (0, "outer", "inner", "newKey"), 1))
        assert text[:add.start] + add.replacement + text[add.end:] == \
            "outer:\n  inner:\n    cgroupDriver: # to do\n    newKey: 1\n  maxPods: 110\n"


def verdict(text: str, explain: bool):
    try:
        return fmt.load(text, explain=explain).data
    except fmt.YamlSyntaxError:
        return "rejected"


@needs_corpus
@pytest.mark.parametrize("path", corpus_yaml(), ids=lambda p: str(p.relative_to(CORPUS)))
def test_without_ruamel_yaml_to_word_errors_every_corpus_file_gets_the_same_verdict(path):
    # templates are read with explain=False: libyaml's verdict alone, no ruamel.yaml
    text = path.read_text(encoding="utf-8")
    assert verdict(text, explain=False) == verdict(text, explain=True)


def test_a_rejected_template_keeps_libyamls_position():
    with pytest.raises(fmt.YamlSyntaxError) as e:
        fmt.load("a: 1\n{% if x %}\nb: 2\n", explain=False)
    assert (e.value.line, e.value.column) == (2, 2)
