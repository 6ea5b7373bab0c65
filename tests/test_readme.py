"""README's promises: its first two commands, the rule table, and the example repo's findings."""
from __future__ import annotations

import re

from nodelint.report.docs import BEGIN, END, rule_table

from .conftest import REPO, run_exe

README = (REPO / "README.md").read_text()
COMMANDS = re.findall(r"```sh\n(.*?)\n```", README, re.S)


def test_ci_runs_exactly_the_readme_test_command():
    ci = (REPO / ".ci/run").read_text().strip().splitlines()
    assert ci[-1] == COMMANDS[1]
    assert "pytest" in COMMANDS[1] and "install-test-tools" in COMMANDS[1]


def test_the_first_command_runs_nodelint_on_the_example_and_finds_its_mistakes():
    nodelint_part = COMMANDS[0].split("&&")[-1].split()
    assert nodelint_part[0].endswith("nodelint")
    p = run_exe(*nodelint_part[1:], "--format", "json", cwd=REPO)
    assert p.returncode == 1
    import json

    found = {f["rule"] for f in json.loads(p.stdout)["findings"]}
    promised = set(re.findall(r"\| (NL\d{3}) \|", (REPO / "examples/image-build/README.md").read_text()))
    assert promised <= found
    assert promised == {"NL101", "NL102", "NL103", "NL104", "NL105", "NL107", "NL201", "NL203"}


def test_the_rule_table_is_generated_from_the_rules():
    table = README.split(BEGIN)[1].split(END)[0].strip()
    assert table == rule_table()


def test_readme_snippets_name_real_hooks_examples_and_options():
    from ruamel.yaml import YAML

    hooks = {h["id"] for h in YAML(typ="safe").load((REPO / ".pre-commit-hooks.yaml").read_text())}
    config = re.search(r"# \.pre-commit-config\.yaml\n(.*?)```", README, re.S).group(1)
    used = set(re.findall(r"id: ([\w-]+)", config))
    assert used <= hooks and hooks == {"nodelint", "nodelint-fix"}
    for path in re.findall(r"`(examples/[\w./-]+)`", README):
        assert (REPO / path).exists(), path
    from nodelint.cli import FORMATS

    assert set(re.findall(r"`--format (\w+)`", README)) == set(FORMATS) - {"text"}


def test_readme_documents_every_check_option():
    from nodelint.cli import CHECK_OPTIONS

    options = README[README.index("| option | meaning |"):]
    options = options[:options.index("\n\n")]
    for name, flags, *_ in CHECK_OPTIONS:
        assert f"`{flags[0]}" in options, f"{flags[0]} is missing from README's option table"
