"""JSON: strict like Go's encoding/json, positions for every member, minimal edits."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

from ..conftest import CORPUS, apply_edits, needs_corpus
from nodelint.read.formats import json as fmt
from nodelint.values.edits import AppendToList, DeleteKey, RenameKey, SetKey


def edit(text: str, *edits) -> str:
    out = apply_edits(fmt, text, *edits)
    json.loads(out)
    return out


@pytest.mark.parametrize("text, line, column, words", [
    ('{\n  "a": 1,\n}\n', 3, 1, "trailing comma"),
    ('{\n  // note\n  "a": 1\n}', 2, 3, "comments"),
    ('{"a": 1} x', 1, 10, "after the JSON value"),
    ('{"a": tru}', 1, 7, "unexpected character"),
])
def test_errors_point_at_the_spot(text, line, column, words):
    with pytest.raises(fmt.JsonSyntaxError) as e:
        fmt.load(text)
    assert (e.value.line, e.value.column) == (line, column)
    assert words in e.value.message


def test_member_positions_and_duplicate_keys():
    doc = fmt.load('{\n  "exec-opts": ["a"],\n  "exec-opts": ["b"]\n}')
    assert doc.data == {"exec-opts": ["b"]}  # the last one wins, as in Go
    assert doc.position(("exec-opts",)).line == 3
    assert doc.duplicates and doc.duplicates[0][0] == ("exec-opts",)


def test_adding_a_member_matches_indentation_and_separator():
    text = '{\n    "bridge": "none",\n    "live-restore": true\n}\n'
    out = edit(text, SetKey("f", ("exec-opts",), ["native.cgroupdriver=systemd"]))
    assert out == ('{\n    "bridge": "none",\n    "live-restore": true,\n'
                   '    "exec-opts": ["native.cgroupdriver=systemd"]\n}\n')


def test_single_line_object_stays_on_one_line():
    out = edit('{ "insecure-registries":["h:5000"] }\n', SetKey("f", ("exec-opts",), ["x"]))
    assert out == '{ "insecure-registries":["h:5000"], "exec-opts":["x"] }\n'


def test_append_to_multiline_list_and_replace_an_element():
    text = '{\n  "exec-opts": [\n    "a=b"\n  ]\n}'
    assert edit(text, AppendToList("f", ("exec-opts",), "c=d")) == '{\n  "exec-opts": [\n    "a=b",\n    "c=d"\n  ]\n}'
    assert edit(text, SetKey("f", ("exec-opts", 0), "x=y")) == text.replace("a=b", "x=y")


def test_rename_and_delete_members():
    text = '{\n  "a": 1,\n  "cgroupdriver": "systemd",\n  "b": 2\n}\n'
    assert edit(text, RenameKey("f", ("cgroupdriver",), "x")) == text.replace('"cgroupdriver"', '"x"')
    assert edit(text, DeleteKey("f", ("cgroupdriver",))) == '{\n  "a": 1,\n  "b": 2\n}\n'
    assert edit(text, DeleteKey("f", ("b",))) == '{\n  "a": 1,\n  "cgroupdriver": "systemd"\n}\n'


def test_empty_file_is_an_empty_object_like_dockerd_reads_it():
    doc = fmt.load("  \n")
    assert doc.data == {}
    assert edit("", SetKey("f", ("exec-opts",), ["x"])) == '{"exec-opts": ["x"]}\n'


def test_deep_nesting_is_an_error_not_a_crash():
    with pytest.raises(fmt.JsonSyntaxError):
        fmt.load("[" * 10000 + "]" * 10000)


# --------------------------------------- values: the same as Python's (and Go's) decoder

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(blacklist_categories=("Cs",))),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(json_values, st.sampled_from([None, 0, 2, "\t"]), st.booleans())
def test_values_are_what_json_loads_reads(value, indent, ensure_ascii):
    text = json.dumps(value, indent=indent, ensure_ascii=ensure_ascii)
    data = fmt.load(text).data
    assert data == json.loads(text)
    assert repr(data) == repr(json.loads(text))  # ints stay ints, -0.0 stays -0.0


@needs_corpus
def test_corpus_json_files_read_as_json_loads_reads_them():
    checked = 0
    for path in sorted(CORPUS.rglob("*.json")):
        text = path.read_text(encoding="utf-8-sig")
        try:
            expected = json.loads(text)
        except ValueError:
            continue
        assert fmt.load(text).data == expected, path
        checked += 1
    assert checked


# ------------------- the C decoder's shortcut (FAST_PATH) reads what the positional parser reads

def reading(text: str, fast: bool, monkeypatch) -> tuple:
    monkeypatch.setattr(fmt, "FAST_PATH", fast)
    try:
        doc = fmt.load(text)
    except fmt.JsonSyntaxError as e:
        return ("error", e.message, e.line, e.column)
    return repr(doc.data), doc.duplicates, spans(doc.root)


def spans(node) -> tuple:
    return (node.kind, node.start, node.end, node.key_start, node.key_end,
            tuple((k, spans(v)) for k, v in node.members), tuple(spans(e) for e in node.elements))


def assert_same_reading(text: str, monkeypatch) -> None:
    assert reading(text, True, monkeypatch) == reading(text, False, monkeypatch), text


@pytest.mark.parametrize("text", [
    '{"a": NaN}', '[Infinity]', '-Infinity', '{"a": 1, "a": 2}', '{"x": {"a": 1, "b": 2, "a": 3}}',
    "[" * 255 + "]" * 255, "[" * 256 + "]" * 256, "[" * 600 + "]" * 600, '{"a": "tab\there"}', '{"a": "\\u0000"}', '"\\ud800"',
    "01", "-0", "1E400", "-1.5e-3", "[1,]", '{"a": 1,}', '{"a": 1} // c', '{"a" 1}', "tru", "[1 2]",
    ' \t\r\n{"a": [true, false, null]}\r\n', '"top"', "42", '{"é": "ü\\n"}', "{}", "[]", '{"a": {}}',
])
def test_the_shortcut_and_the_positional_parser_agree_on_edge_cases(text, monkeypatch):
    assert_same_reading(text, monkeypatch)


@settings(max_examples=200, deadline=None)
@given(json_values, st.sampled_from([None, 0, 2, "\t"]), st.booleans())
def test_the_shortcut_and_the_positional_parser_agree_on_generated_documents(value, indent, ensure_ascii):
    text = json.dumps(value, indent=indent, ensure_ascii=ensure_ascii)
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert_same_reading(text, monkeypatch)
        assert_same_reading(text[:-1], monkeypatch)  # cut short: an error, worded the same


@needs_corpus
def test_the_shortcut_and_the_positional_parser_agree_on_the_corpus(monkeypatch):
    paths = sorted(CORPUS.rglob("*.json"))
    assert paths
    for path in paths:
        assert_same_reading(path.read_text(encoding="utf-8-sig"), monkeypatch)


def test_a_document_without_findings_is_never_parsed_for_positions():
    doc = fmt.load('{"exec-opts": ["native.cgroupdriver=systemd"]}')
    assert doc.positions is None
    # a position is found by a scan along its path; only an edit needs the full positional parse
    assert doc.position(("exec-opts",)).column == 2 and doc.positions is None
    assert doc.root is not None and doc.positions is not None


def test_positions_located_by_one_scan_agree_with_the_positional_parser():
    """A document the C decoder read gets its positions by a scan along the key's path
    (formats/json.py ``locate``); it must find what the full positional parse finds."""
    import json
    import random

    from nodelint.read.formats import json as J

    rng = random.Random(11)

    def value(depth=0):
        r = rng.random()
        if depth > 4 or r < 0.3:
            return rng.choice([1, -2.5e3, True, False, None, "a", 'q"u\\o"te', "é\u2028", "[{]}", "x,y:z", ""])
        if r < 0.65:
            return {rng.choice(["a", "b", 'k"ey', "a\\b", "sp ace", "é"]): value(depth + 1)
                    for _ in range(rng.randint(0, 4))}
        return [value(depth + 1) for _ in range(rng.randint(0, 4))]

    def paths(v, prefix=()):
        yield prefix
        items = v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, list) else ()
        for k, child in items:
            yield from paths(child, prefix + (k,))

    compared = 0
    for _ in range(400):
        data = value()
        for indent in (None, 2, "\t"):
            text = json.dumps(data, indent=indent, ensure_ascii=rng.random() < 0.5).replace(": ", " :  ")
            root = J._parse(text)[1]
            parsed = J.JsonDocument(text, data, root, J.LineIndex(text), [])
            for path in list(paths(data)) + [("absent",), (9,)]:
                node = parsed.node(path)
                assert J.locate(text, path) == (None if node is None else (node.key_start, node.start)), (text, path)
                compared += 1
    assert compared > 5000
    # and a document read by the C decoder answers through it
    doc = J.load('{\n  "x": 1,\n  "a": {"b": [1, {"c": true}]}\n}\n')
    assert doc.positions is None and doc.value_position(("a", "b", 1, "c")).line == 3
    assert doc.positions is None  # no full parse was needed
