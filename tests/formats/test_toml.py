"""TOML: positions match what a reader sees; edits change only the lines they must."""
from __future__ import annotations

import tomllib

import pytest
from hypothesis import given, settings, strategies as st

from ..conftest import apply_edits
from nodelint.read.formats import UnsupportedEdit, toml
from nodelint.values.edits import DeleteKey, RenameKey, SetKey

RUNC = ("plugins", "io.containerd.grpc.v1.cri", "containerd", "runtimes", "runc")


def edit(text: str, *edits) -> str:
    out = apply_edits(toml, text, *edits)
    tomllib.loads(out)  # every edit leaves valid TOML
    return out


def test_quoted_keys_are_the_same_key_whatever_the_quotes():
    doc = toml.load("[plugins.'io.containerd.grpc.v1.cri'.containerd.runtimes.runc.options]\n"
                    "  SystemdCgroup = true\n")
    assert doc.index.entries[RUNC + ("options", "SystemdCgroup")]
    assert doc.position(RUNC + ("options", "SystemdCgroup")) == doc.lines.position(doc.text.index("Systemd"))


def test_positions_are_one_based_line_and_column():
    doc = toml.load('version = 2\n\n[plugins."io.containerd.grpc.v1.cri".containerd]\n  snapshotter = "x"\n')
    pos = doc.position(("plugins", "io.containerd.grpc.v1.cri", "containerd", "snapshotter"))
    assert (pos.line, pos.column) == (4, 3)
    header = doc.position(("plugins", "io.containerd.grpc.v1.cri", "containerd"))
    assert (header.line, header.column) == (3, 1)


def test_syntax_error_carries_line_and_column():
    with pytest.raises(toml.TomlSyntaxError) as e:
        toml.load("[a]\nx = \n")
    assert (e.value.line, e.value.column) == (2, 5)


@pytest.mark.parametrize("text", [
    "a = {\n  b = 1,\n}\n",  # newlines and a trailing comma in an inline table
    'a = "\\e"\n',  # the \\e escape
    'a = "\\x41"\n',  # the \\xHH escape
    "t = 07:32\n",  # a time without seconds
])
def test_toml_1_1_is_a_syntax_error_as_containerd_reads_toml_1_0(text):
    """containerd reads its config with go-toml (TOML 1.0): a file only TOML 1.1 accepts does not
    load there, so it must not pass here."""
    with pytest.raises(toml.TomlSyntaxError):
        toml.load(text)


def test_replacing_a_value_keeps_everything_else():
    text = ("# comment\n[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\r\n"
            "    SystemdCgroup = false   # keep me\r\n")
    out = edit(text, SetKey("f", RUNC + ("options", "SystemdCgroup"), True))
    assert out == text.replace("false", "true")


def test_new_key_goes_after_the_last_entry_with_its_indentation_before_trailing_comments():
    text = ('[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n'
            '            BinaryName = ""\n'
            '            # Removed in latest\n'
            '            #SystemdCgroup = false\n'
            '\n'
            '[other]\n')
    out = edit(text, SetKey("f", RUNC + ("options", "SystemdCgroup"), True))
    assert out == text.replace('BinaryName = ""\n', 'BinaryName = ""\n            SystemdCgroup = true\n')


def test_new_table_is_placed_after_its_parent_and_nested_like_the_file():
    text = ('version = 2\n'
            '[plugins]\n'
            '  [plugins."io.containerd.grpc.v1.cri"]\n'
            '    [plugins."io.containerd.grpc.v1.cri".containerd]\n'
            '      snapshotter = "overlayfs"\n')
    out = edit(text, SetKey("f", RUNC + ("options", "SystemdCgroup"), True,
                            ((RUNC + ("runtime_type",), "io.containerd.runc.v2"),)))
    assert out == text + (
        '      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n'
        '        runtime_type = "io.containerd.runc.v2"\n'
        '        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n'
        '          SystemdCgroup = true\n')


def test_new_table_keeps_a_missing_final_newline_missing_and_the_quote_style():
    text = ("version = 3\n"
            "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]\n"
            "runtime_type = 'io.containerd.runc.v2'")
    v3 = ("plugins", "io.containerd.cri.v1.runtime", "containerd", "runtimes", "runc")
    out = edit(text, SetKey("f", v3 + ("options", "SystemdCgroup"), True))
    assert out == text + "\n[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]\nSystemdCgroup = true"
    assert not out.endswith("\n")


def test_crlf_files_get_crlf_lines():
    text = "[runsc_config]\r\n  platform = \"kvm\"\r\n"
    out = edit(text, SetKey("f", ("runsc_config", "systemd-cgroup"), "true"))
    assert out == text + '  systemd-cgroup = "true"\r\n'


def test_missing_table_is_appended_when_the_file_has_no_related_header():
    out = edit("log_level = \"debug\"\n", SetKey("f", ("runsc_config", "systemd-cgroup"), "true"))
    assert out == 'log_level = "debug"\n[runsc_config]\nsystemd-cgroup = "true"\n'


def test_delete_and_rename_touch_one_line():
    text = '[a]\n  x = 1\n  systemd_cgroup = false  # old\n  y = 2\n'
    assert edit(text, DeleteKey("f", ("a", "systemd_cgroup"))) == '[a]\n  x = 1\n  y = 2\n'
    assert edit(text, RenameKey("f", ("a", "x"), "z")) == text.replace("  x = 1", "  z = 1")


def test_inline_tables_take_value_replacements_but_no_new_keys():
    text = "[r]\noptions = { SystemdCgroup = false }\n"
    assert edit(text, SetKey("f", ("r", "options", "SystemdCgroup"), True)) == text.replace("false", "true")
    with pytest.raises(UnsupportedEdit):
        toml.plan(toml.load(text), SetKey("f", ("r", "options", "BinaryName"), "x"))


def test_multiline_strings_and_arrays_do_not_confuse_the_locator():
    text = ('a = """\n[not.a.table]\nb = 1\n"""\n'
            'list = [\n  "x", # comment ]\n  "y",\n]\n'
            '[t]\nk = \'\'\'q\'\'\'\n')
    doc = toml.load(text)
    assert set(doc.index.tables) >= {(), ("t",)}
    assert ("not", "a", "table") not in doc.index.tables
    assert doc.position(("t", "k")).line == 10


def test_arrays_of_tables_are_indexed():
    doc = toml.load("[[x]]\na = 1\n[[x]]\na = 2\n[x.sub]\nb = 3\n")
    assert doc.position(("x", 1, "a")).line == 4
    assert doc.position(("x", 1, "sub", "b")).line == 6


# ------------------------------------------------- the regex fast paths of the locator

def corpus_toml() -> list:
    from ..conftest import CORPUS

    if CORPUS is None:
        return []
    out = []
    for path in sorted(p for p in CORPUS.rglob("*") if p.is_file() and not p.name.endswith(".tsv")):
        text = path.read_bytes().decode("utf-8", "replace")
        try:
            tomllib.loads(text)
        except (tomllib.TOMLDecodeError, ValueError):
            continue
        out.append(pytest.param(text, id=str(path.relative_to(CORPUS))))
    return out


def slow_and_fast_index(text, monkeypatch):
    monkeypatch.setattr(toml, "FAST_PATHS", False)
    slow = toml.load(text).index
    monkeypatch.setattr(toml, "FAST_PATHS", True)
    return slow, toml.load(text).index


@pytest.mark.parametrize("text", corpus_toml())
def test_the_one_line_fast_path_locates_every_corpus_file_as_the_scanner_does(text, monkeypatch):
    slow, fast = slow_and_fast_index(text, monkeypatch)
    assert fast == slow


@pytest.mark.parametrize("line", [
    'a = "x" # c', "a = 'x'", 'a = ""', "a = ''", 'a = "q\\"q"', "a=1", "a = -1_000.5e+3 ", "a = true#c",
    "a = 1979-05-27T07:32:00Z", "a = 1979-05-27 07:32:00", 'a = """x"""', "a = '''x'''", 'a = """\nx\n"""',
    "a = [1, 2]", "a = {b = 1}", "a.b = 1", '"a" = 1', "'a b' = 1", "a = inf", "a = 0x1F", "a = 'x' # '",
    'a . "b.c" . \'d\' = 1', '"e\\"q".f = 1', 'g = { h . i = 1, "j" = 2 }', '[[arr . "x"]]', '[ "q" . r ]',
    '"" = 1',
])
@pytest.mark.parametrize("newline", ["\n", "\r\n", ""])
def test_the_one_line_fast_path_agrees_with_the_scanner_line_by_line(line, newline, monkeypatch):
    text = f"[t]\n{line}{newline}b = 2{newline}" if newline else f"[t]\n{line}"
    tomllib.loads(text)
    slow, fast = slow_and_fast_index(text, monkeypatch)
    assert fast == slow


# ------------------------------------------------------------ values a fix writes

@settings(max_examples=300, deadline=None)
@given(st.text(), st.booleans())
def test_strings_are_rendered_as_tomlkit_renders_them_and_read_back_unchanged(value, prefer_literal):
    import tomlkit

    literal = prefer_literal and "'" not in value and not any(ord(c) < 32 or c == "\x7f" for c in value)
    assert toml.render_value(value, prefer_literal) == tomlkit.string(value, literal=literal).as_string()
    assert tomllib.loads("a = " + toml.render_value(value, prefer_literal))["a"] == value


@pytest.mark.parametrize("value", [True, False, 0, -3, 10 ** 20, ["a", True, 1], 1.5])
def test_other_values_are_rendered_as_tomlkit_renders_them(value):
    import tomlkit

    assert toml.render_value(value) == tomlkit.item(value).as_string()


def test_a_deleted_key_takes_its_own_comment_block_with_it():
    text = "[a]\n  x = 1\n\n  # legacy: only the v1 runtime read this\n  # (removed in 2.0)\n  systemd_cgroup = true\n  y = 2\n"
    assert edit(text, DeleteKey("f", ("a", "systemd_cgroup"))) == "[a]\n  x = 1\n\n  y = 2\n"
