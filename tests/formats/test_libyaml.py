"""formats/libyaml.py: libyaml's composer without the rest of PyYAML, and PyYAML whole for
whoever imports it afterwards.  Each test runs in a fresh interpreter (the trick is about what a
process has imported)."""
from __future__ import annotations

import subprocess
import sys
import textwrap


def run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_composing_yaml_loads_only_the_parser_and_the_modules_it_reads():
    loaded = run("""
        import sys
        from nodelint.read.formats import yaml as Y
        doc = Y.load("kind: KubeletConfiguration\\ncgroupDriver: systemd\\nfailSwapOn: no\\n")
        print(doc.docs[0].data, sorted(m for m in sys.modules if m.startswith("yaml")))
    """)
    assert loaded == ("{'kind': 'KubeletConfiguration', 'cgroupDriver': 'systemd', 'failSwapOn': False} "
                      "['yaml', 'yaml._yaml', 'yaml.composer', 'yaml.error', 'yaml.events', 'yaml.nodes', "
                      "'yaml.parser', 'yaml.scanner', 'yaml.tokens']")


def test_pyyaml_imported_afterwards_is_whole_and_its_parser_raises_its_own_errors():
    out = run("""
        from nodelint.read.formats import yaml as Y
        Y.load("a: 1\\n")
        import yaml
        from yaml import CSafeLoader, safe_dump
        print(yaml.safe_load("a: [1, 2]"), safe_dump({"b": 1}).strip(), yaml.__with_libyaml__)
        for text, error in (("a: [", yaml.parser.ParserError), ("a: \\x01", yaml.reader.ReaderError)):
            try:
                yaml.load(text, Loader=CSafeLoader)
            except error:
                print(error.__name__, "caught")
    """)
    assert out.splitlines() == ["{'a': [1, 2]} b: 1 True", "ParserError caught", "ReaderError caught"]


def test_a_pyyaml_imported_before_is_used_as_it_is():
    out = run("""
        import yaml
        whole = yaml.reader.Reader
        from nodelint.read.formats import yaml as Y
        from nodelint.read.formats.libyaml import parser
        print(Y.load("a: yes\\n").docs[0].data, parser()[0] is yaml._yaml.CParser, yaml.reader.Reader is whole)
    """)
    assert out == "{'a': True} True True"


def test_a_yaml_syntax_error_is_still_a_one_line_error_with_its_position():
    out = run("""
        from nodelint.read.formats import yaml as Y
        try:
            Y.load("a: [1\\n", explain=False)
        except Y.YamlSyntaxError as e:
            print(e.line, e.column, e.message)
    """)
    assert out.startswith("2 1 ")
