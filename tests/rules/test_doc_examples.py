"""Every rule's documented Bad example is reported, its Good example is not, and the fix holds."""
from __future__ import annotations

import re

import pytest

from nodelint.rules import registry, section

from ..conftest import write

# Where a documented example is written, by the rule's first kind.
LOCATION = {
    "containerd": "etc/containerd/config.toml",
    "runsc": "etc/containerd/runsc.toml",
    "docker": "etc/docker/daemon.json",
    "kubelet": "var/lib/kubelet/config.yaml",
    "crio": "etc/crio/crio.conf",
    "sysctl": "etc/sysctl.d/50-example.conf",
}
BLOCK = re.compile(r"^(Bad|Good)[^\n]*:\n```(toml|json|yaml|ini)\n(.*?)^```", re.M | re.S)
SYNTAX = {"containerd": "toml", "runsc": "toml", "crio": "toml", "docker": "json", "kubelet": "yaml", "sysctl": "ini"}


def examples():
    for rule in registry().values():
        blocks = {label: (lang, body) for label, lang, body in BLOCK.findall(section(rule.docs, "Example"))}
        if {"Bad", "Good"} <= set(blocks):
            lang = blocks["Bad"][0]
            kind = next(k for k in rule.module.KINDS if SYNTAX.get(k) == lang)
            yield pytest.param(rule, LOCATION[kind], blocks["Bad"][1], blocks["Good"][1], id=rule.code)


@pytest.mark.parametrize("rule, path, bad, good", list(examples()))
def test_documented_examples(rule, path, bad, good, tmp_path, nodelint):
    write(tmp_path / "bad" / path, bad)
    write(tmp_path / "good" / path, good)
    assert rule.code in nodelint("--format", "json", tmp_path / "bad" / path).rules()
    assert rule.code not in nodelint("--format", "json", tmp_path / "good" / path).rules()
    if rule.fixable:
        nodelint("--fix", tmp_path / "bad" / path)
        assert rule.code not in nodelint("--format", "json", tmp_path / "bad" / path).rules()


def test_every_rule_has_the_documented_sections():
    for rule in registry().values():
        for title in ("What it does", "Why it matters", "Example", "Fix", "References"):
            assert section(rule.docs, title), f"{rule.code} lacks '## {title}'"


def test_most_rules_have_runnable_examples():
    with_examples = {p.values[0].code for p in examples()}
    assert {"NL101", "NL102", "NL103", "NL104", "NL105", "NL106", "NL108", "NL109", "NL110",
            "NL201", "NL202"} <= with_examples
