"""A plain `nodelint check` is parsed without typer (cli.parse_check); it must read every
command line exactly as typer does, and hand anything else to typer."""
from __future__ import annotations

import inspect

import pytest
from hypothesis import given, settings, strategies as st

from nodelint import cli


def typer_reading(args: list[str], monkeypatch) -> dict | None:
    """The parameters typer passes to run_check for ``args`` (None: typer refused them)."""
    from nodelint.cli import typer_app as commands

    seen = {}
    monkeypatch.setattr(cli.commands, "run_check", lambda **params: seen.update(params) or 0)
    code = commands.run_typer(list(args))
    return seen if code == 0 and seen else None


def test_run_check_takes_exactly_the_options_of_the_table():
    params = inspect.signature(cli.run_check).parameters
    assert list(params) == ["paths"] + [o[0] for o in cli.CHECK_OPTIONS]
    assert all(params[o[0]].default == o[3] for o in cli.CHECK_OPTIONS)


@pytest.mark.parametrize("args", [
    [], ["check"], ["."], ["--fix", "--root", "/img"], ["check", "a", "--select", "NL1", "--select=NL2", "b"],
    ["-q", "-j", "2", "-o", "out.json", "--format", "json"], ["--", "--fix"], ["-"], ["--jobs=-1"],
    ["--root", "-x"], ["--runtime-version", "containerd=1.7.0", "--runtime-version", "runc=1.1.0"],
    ["-j1", "."], ["-oout.json", "--format=json"], ["-o=x"], ["-j-1"],
])
def test_fast_path_reads_plain_runs_as_typer_does(args, monkeypatch):
    fast = cli.parse_check(args)
    assert fast is not None
    assert fast == typer_reading(args, monkeypatch)


@pytest.mark.parametrize("args", [
    ["--help"], ["check", "-h"], ["rules"], ["explain", "NL101"], ["--bogus"], ["-qj2"], ["-jx"], ["-j=2"],
    ["--fix=yes"], ["--root"], ["--jobs", "two"], ["-qx"],
])
def test_anything_else_goes_to_typer(args):
    assert cli.parse_check(args) is None


TOKENS = st.sampled_from(
    ["--fix", "--diff", "-q", "--quiet", "--no-color", "--debug", "--live", "--unsafe-fixes", "--root", "--kind",
     "--select", "--ignore", "--extend-select", "--format", "-o", "--output", "--fail-on", "--cgroup-driver",
     "--config", "-j", "--jobs", "--runtime-version", "--", "-", "check", "a.toml", "dir/", "NL1", "2", "-1",
     "json", "--select=NL2", "--jobs=3", "--jobs=x", "--fix=1", "-h", "--nope", "-qj", "x=y", "-j1", "-jx",
     "-oout.json", "-o=", "-q1"])


@given(st.lists(TOKENS, max_size=8))
@settings(max_examples=300, deadline=None)
def test_fast_path_never_reads_a_command_line_differently(args):
    fast = cli.parse_check(args)
    if fast is None:
        return  # typer's to read
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert fast == typer_reading(args, monkeypatch)
