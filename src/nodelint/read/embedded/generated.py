"""``containerd config default`` in scripts, and the ``sed`` edits that follow it, replayed on
what each containerd release really prints (rules/containerd-defaults/, generated from the
real binaries by scripts/containerd-defaults).

The output changed within release lines: 2.0.0-2.0.6 and 2.1.0-2.1.4 print no ``SystemdCgroup``
line at all (containerd commit 07c2ae12 removed it; PR #12244, in 2.0.7, 2.1.5 and 2.2.0, put it
back), so ``sed 's/SystemdCgroup = false/SystemdCgroup = true/'`` changes nothing there and runc
stays on cgroupfs.  A script is replayed on the default of the node's containerd when a version
is pinned or declared, else on every distinct default, each judged as the config it produces.
"""
from __future__ import annotations

import functools
import os
import re
import shlex

from ...values.record import record
from .. import data
from . import sed


@functools.cache
def _index() -> list[tuple[tuple, str, str]]:
    """(release tuple, release, file) of every release known, oldest first."""
    import tomli

    directory = os.path.join(data.data_dir(), "containerd-defaults")
    with open(os.path.join(directory, "index.toml"), "rb") as f:
        index = tomli.load(f)
    return sorted((_key(r["version"]), r["version"], r["file"]) for r in index.get("release", []))


def _key(version: str) -> tuple:
    return tuple(int(x) for x in re.findall(r"\d+", version)[:3])


@functools.cache
def text_of(file: str) -> str:
    with open(os.path.join(data.data_dir(), "containerd-defaults", file), encoding="utf-8") as f:
        return f.read()


def groups() -> list[tuple[str, list[str]]]:
    """(file, releases printing it) for every distinct output."""
    out: dict[str, list[str]] = {}
    for _, version, file in _index():
        out.setdefault(file, []).append(version)
    return list(out.items())


def group_of(version: tuple) -> str | None:
    """The output file of the release ``version`` (the newest known release of its line at or
    before it; the line's oldest known one before that)."""
    index = _index()
    line = [r for r in index if r[0][:2] == tuple(version[:2])]
    if not line:
        return index[-1][2] if index and tuple(version) > index[-1][0] else None
    older = [r for r in line if r[0] <= tuple(version)]
    return (older[-1] if older else line[0])[2]


def ranges(versions: list[str]) -> str:
    """"2.0.0-2.0.6, 2.1.0-2.1.4" for the releases of one output (runs of consecutive known releases)."""
    known = [v for _, v, _ in _index()]
    runs: list[list[str]] = []
    for v in sorted(versions, key=_key):
        if runs and known.index(v) == known.index(runs[-1][-1]) + 1 and _key(v)[:2] == _key(runs[-1][-1])[:2]:
            runs[-1].append(v)
        else:
            runs.append([v])
    return ", ".join(r[0] if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


@record
class Edit:
    line: int
    source: str  # the sed script as written
    substitutions: list | None  # None: a script nodelint cannot replay


@record
class Generated:
    path: str  # where the default is written
    line: int  # the `containerd config default` command's line
    edits: list  # Edit, in the order the script runs them


def scan(text: str) -> list[Generated]:
    """Every ``containerd config default`` a script writes to a file, with the sed edits that follow."""
    out: dict[str, Generated] = {}
    for number, command in _commands(text):
        if "containerd" in command and "config" in command and "default" in command:
            words = _words(command)
            if words is None:
                continue
            for pipeline in _split(words, {";", "&&", "||"}):
                segments = _split(pipeline, {"|"})
                if not segments or _program(segments[0])[:3] != ["containerd", "config", "default"]:
                    continue
                edits = [e for s in segments[1:] if _program(s)[:1] == ["sed"] for e in [_sed(s, number)] if e]
                target = _written_to(segments)
                if target is not None:
                    out[target] = Generated(target, number, edits)
        elif "sed" in command and "-i" in command:
            words = _words(command)
            for segment in _split(words or [], {";", "&&", "||", "|"}):
                program = _program(segment)
                if program[:1] == ["sed"] and any(w.startswith("-i") or w == "--in-place" for w in program):
                    edit = _sed(segment, number)
                    for path in _sed_files(program):
                        if path in out and edit is not None:
                            out[path].edits.append(edit)
    return list(out.values())


def _commands(text: str):
    """(line number, command) with backslash-continued lines joined."""
    pending, start = "", 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not pending:
            start = number
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        command = pending + line
        pending = ""
        if command.strip() and not command.lstrip().startswith("#"):
            yield start, command


def _words(command: str) -> list[str] | None:
    lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|<>")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        return list(lexer)
    except ValueError:
        return None


def _split(words: list[str], separators: set[str]) -> list[list[str]]:
    out: list[list[str]] = [[]]
    for w in words:
        if w in separators:
            out.append([])
        else:
            out[-1].append(w)
    return [s for s in out if s]


def _program(segment: list[str]) -> list[str]:
    """The command's words without ``sudo`` (and its options) or redirections."""
    words = list(segment)
    while words and words[0] in ("sudo", "env", "command", "exec"):
        words = words[1:]
        while words and words[0].startswith("-"):
            words = words[1:]
    out, skip = [], False
    for w in words:
        if skip:
            skip = False
            continue
        if w in (">", ">>", "<", "2>", "&>"):
            skip = True
            continue
        out.append(w)
    return out


def _written_to(segments: list[list[str]]) -> str | None:
    last = segments[-1]
    program = _program(last)
    if program[:1] == ["tee"]:
        files = [w for w in program[1:] if not w.startswith("-")]
        return files[0] if files and files[0].startswith("/") else None
    for i, w in enumerate(last):
        if w in (">", ">>") and i + 1 < len(last) and last[i + 1].startswith("/") and last[i + 1] != "/dev/null":
            return last[i + 1]
    return None


def _sed(segment: list[str], line: int) -> Edit | None:
    program = _program(segment)
    extended = any(w in ("-E", "-r", "--regexp-extended") for w in program)
    scripts, rest, i = [], [], 1
    while i < len(program):
        w = program[i]
        if w in ("-e", "--expression") and i + 1 < len(program):
            scripts.append(program[i + 1])
            i += 2
            continue
        if not w.startswith("-"):
            rest.append(w)
        i += 1
    if not scripts and rest:
        scripts = [rest[0]]
    if not scripts:
        return None
    source = "; ".join(scripts)
    subs = []
    for script in scripts:
        parsed = sed.parse(script, extended)
        if parsed is None:
            return Edit(line, source, None)
        subs += parsed
    return Edit(line, source, subs)


def _sed_files(program: list[str]) -> list[str]:
    words, has_e = program[1:], any(w in ("-e", "--expression") for w in program)
    files, i = [], 0
    while i < len(words):
        w = words[i]
        if w in ("-e", "--expression", "-f"):
            i += 2
            continue
        if not w.startswith("-"):
            files.append(w)
        i += 1
    return [f for f in (files if has_e else files[1:]) if f.startswith("/")]


def outcomes(generated: Generated) -> list[tuple[list[str], str, list[Edit]]] | None:
    """(releases, the config the script ends with, edits that changed nothing) for each way the
    script turns out: releases of one major version printing the same config version, whose edits
    hit and miss alike, are one outcome (the newest one's config stands for them).  None: an edit
    cannot be replayed."""
    out: dict[tuple, tuple[list[str], str, list[Edit]]] = {}
    for file, releases in groups():
        text, missed, complete = replay(generated, file)
        if not complete:
            return None
        printed = re.search(r"^version = (\d+)", text_of(file), re.M)
        key = (_key(releases[0])[0], printed.group(1) if printed else "", tuple(e.line for e in missed))
        known = out.get(key)
        out[key] = (known[0] + releases if known else list(releases), text, missed)
    return list(out.values())


def replay(generated: Generated, file: str) -> tuple[str, list[Edit], bool]:
    """(the config a script ends with from the output ``file``, the edits that changed nothing,
    whether every edit could be replayed)."""
    text = text_of(file)
    missed, complete = [], True
    for edit in generated.edits:
        if edit.substitutions is None:
            complete = False
            continue
        hit = False
        for sub in edit.substitutions:
            text, matched = sub.apply(text)
            hit = hit or matched
        if not hit:
            missed.append(edit)
    return text, missed, complete
