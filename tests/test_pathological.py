"""Inputs that once took time (or memory) growing with the square of their size.

Each shape (tests/shapes.py and a few more) is run at n and at 4n, counting the function calls
nodelint makes (Python's and C's, through sys.setprofile): a count does not depend on the
machine, and a step that is quadratic in the input shows as a ratio near 16 where linear work
gives about 4.  (bench/pathological.py prints the times.)  The equivalence tests hold each
faster helper to the slower code it replaced.
"""
from __future__ import annotations

import random
import re
import sys

import pytest

from . import shapes
from .conftest import write

LINEAR = 6.0  # calls(4n) / calls(n) at most: 4 for linear work, plus some slack; quadratic is ~16


def calls_made(nodelint, *args) -> int:
    """Function calls (Python and C) made by one in-process nodelint run."""
    count = 0

    def hook(frame, event, arg):
        nonlocal count
        if event == "call" or event == "c_call":
            count += 1

    sys.setprofile(hook)
    try:
        nodelint(*args)
    finally:
        sys.setprofile(None)
    return count


def ratio_of_work(nodelint, tmp_path, make, n, *options) -> float:
    """calls(4n) / calls(n) for a shape ``make(root, size) -> arguments``, after a warm-up run
    (imports and first-use set-up are not the shape's work)."""
    counts = []
    for label, size in (("warm", n), ("n", n), ("4n", 4 * n)):
        root = tmp_path / f"{label}-{size}"
        args = make(root, size)
        if label == "warm":
            nodelint(*options, *args)
            continue
        counts.append(calls_made(nodelint, *options, *args))
    return counts[1] / counts[0]


SHAPES = [
    (shapes.sysctl_repeated_key, 300),  # NL204 compared every setting with every other: 38 s for 1,000 lines
    (shapes.kubelet_env_many_flags, 500),  # every rule and position lookup tokenized the flags again
    (shapes.containerd_dropins, 150),  # Node.at scanned every document, once per drop-in, per rule
    (shapes.sysctl_many_files, 250),  # the same scan from the sysctl model
    (shapes.kubelet_yaml_plain_keys, 500),
    (shapes.containerd_many_tables, 300),  # a splitlines of the file per finding (suppression comments)
    (shapes.kubelet_yaml_duplicate_keys, 300),
]


@pytest.mark.parametrize("mode", [(), ("--diff",)], ids=["check", "diff"])
@pytest.mark.parametrize("make, n", SHAPES, ids=[m.__name__ for m, _ in SHAPES])
def test_work_grows_linearly_with_the_input(nodelint, tmp_path, make, n, mode):
    assert ratio_of_work(nodelint, tmp_path, make, n, "-q", *mode) <= LINEAR


def nested_dropins(root, n):
    write(root / "etc/containerd/config.toml", 'version = 2\nimports = ["/etc/containerd/conf.d/*.toml"]\n')
    for i in range(n):
        write(root / f"etc/containerd/conf.d/{i:04d}.toml",
              'version = 2\nimports = ["/etc/containerd/conf.d/*.toml"]\n'
              f'[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.h{i}]\n'
              '  runtime_type = "io.containerd.runc.v2"\n')
    return ["--root", str(root)]


def sysctl_files_and_conf(root, n):
    # Model scanned every file per key (NL206 asks for every key), and kept its keys in a list
    for i in range(n):
        write(root / f"etc/sysctl.d/{i:05d}-x.conf", f"net.x.k{i} = 1\nfs.inotify.max_user_instances = {i}\n")
    write(root / "etc/sysctl.conf", "".join(f"net.x.k{i} = 2\n" for i in range(n)))
    return ["--root", str(root)]


def misspelled_yaml_keys(root, n):
    # a finding and a fix per key: every lookup scanned the whole mapping
    write(root / "var/lib/kubelet/config.yaml", "kind: KubeletConfiguration\n" + "".join(
        f"cgroup_driver{i}: systemd\n" for i in range(n)))
    return ["--root", str(root)]


def misspelled_json_keys(root, n):
    # a deletion per key: list.index compared records field by field
    write(root / "etc/docker/daemon.json", "{\n" + ",\n".join(f'  "cgroup-driver{i}": "systemd"' for i in range(n))
          + "\n}\n")
    return ["--root", str(root)]


def unit_environment_lines(root, n):
    write(root / "etc/systemd/system/kubelet.service",
          "[Service]\n" + "".join(f'Environment="V{i}=--flag-{i}=x"\n' for i in range(n))
          + 'Environment="KUBELET_EXTRA_ARGS=--cgroup-driver=cgroupfs"\nExecStart=/usr/bin/kubelet $KUBELET_EXTRA_ARGS\n')
    return ["--root", str(root)]


MORE = [(nested_dropins, 60), (sysctl_files_and_conf, 150), (misspelled_yaml_keys, 300),
        (misspelled_json_keys, 300), (unit_environment_lines, 300)]


@pytest.mark.parametrize("mode", [(), ("--diff",)], ids=["check", "diff"])
@pytest.mark.parametrize("make, n", MORE, ids=[m.__name__ for m, _ in MORE])
def test_more_shapes_grow_linearly(nodelint, tmp_path, make, n, mode):
    assert ratio_of_work(nodelint, tmp_path, make, n, "-q", *mode) <= LINEAR


def test_fixing_thousands_of_handlers_in_one_file_grows_linearly(nodelint, tmp_path):
    # every fix re-applied all planned splices and re-learnt the file's style (N*N, N*N*N)
    def many(root, n):
        shapes.containerd_many_tables(root, n)
        return ["--root", str(root)]

    assert ratio_of_work(nodelint, tmp_path, many, 200, "-q", "--fix") <= LINEAR


def test_a_diff_of_thousands_of_changed_lines_grows_linearly():
    # difflib alone was quadratic here: 29 s to print what took 2 s to fix
    from nodelint.report.diff import unified

    def texts(n):
        head = 'plugins."io.containerd.grpc.v1.cri".containerd.runtimes'
        old = "".join(f'[{head}.h{i}]\n  runtime_type = "io.containerd.runc.v2"\n' for i in range(n))
        new = "".join(f'[{head}.h{i}]\n  runtime_type = "io.containerd.runc.v2"\n'
                      f'[{head}.h{i}.options]\n  SystemdCgroup = true\n' for i in range(n))
        return old, new

    counts = []
    for n in (1500, 6000):
        old, new = texts(n)
        count = 0

        def hook(frame, event, arg):
            nonlocal count
            count += event in ("call", "c_call")

        sys.setprofile(hook)
        try:
            unified("config.toml", old, new)
        finally:
            sys.setprofile(None)
        counts.append(count)
    assert counts[1] / counts[0] <= LINEAR


def test_the_anchored_diff_turns_the_old_text_into_the_new():
    from nodelint.report import diff

    rng = random.Random(5)
    for _ in range(1000):
        a = [rng.choice("abcdefghijklmnop") + "\n" for _ in range(rng.randint(0, 300))]
        b = list(a)
        for _ in range(rng.randint(0, 30)):
            i = rng.randint(0, len(b))
            roll = rng.random()
            if roll < 0.4:
                b.insert(i, rng.choice("xyzab") + "\n")
            elif b:
                b[min(i, len(b) - 1):min(i, len(b) - 1) + (roll < 0.7)] = [] if roll < 0.7 else ["q\n"]
        rebuilt = []
        for tag, i1, i2, j1, j2 in _anchored_opcodes(diff, a, b):
            if tag == "equal":
                assert a[i1:i2] == b[j1:j2]
                rebuilt += a[i1:i2]
            else:
                rebuilt += b[j1:j2]
        assert rebuilt == b


def _anchored_opcodes(diff, a, b):
    raw: list = []
    diff._opcodes(a, 0, len(a), b, 0, len(b), raw)
    return raw


def test_a_ten_megabyte_quoted_string_is_read_in_bounded_memory():
    # re kept a frame per character for "(a|b)*": 10 MB of string took 1.2 GB
    from nodelint.read.formats import flags, json as fjson, toml

    big = "x" * 2_000_000
    assert toml.load(f'a = "{big}"\n').data["a"] == big
    assert fjson.load(f'{{"a": "{big}"}}').data["a"] == big
    unit = flags.load_unit(f'[Service]\nEnvironment="A=--b={big}"\n')
    assert unit.environment()[0].value.text == f"--b={big}"


def test_a_kubelet_config_of_many_plain_keys_is_not_an_alias_bomb():
    from nodelint.read.formats import yaml as fmt

    text = "kind: KubeletConfiguration\n" + "".join(f"k{i}: v\n" for i in range(120_000))
    assert len(fmt.load(text).data[0]) == 120_001


def test_alias_expansion_is_still_bounded():
    from nodelint.read.formats import yaml as fmt

    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))
    with pytest.raises(fmt.YamlSyntaxError, match="alias expansion limit"):
        fmt.load(bomb)


# ---------------------------------------------------------------- equivalences


def test_split_words_reads_as_the_character_scan_does():
    from nodelint.read.formats.flags import Segment, _split_words_scan, split_words

    rng = random.Random(7)
    alphabet = ["a", "-", "=", " ", "\t", '"', "'", "\\", "x"]
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        for offsets in (list(range(3, 3 + len(text))), range(3, 3 + len(text))):
            fast = [(w.text, list(w.offsets)) for w in split_words(Segment(text, offsets))]
            slow = [(w.text, list(w.offsets)) for w in _split_words_scan(Segment(text, list(offsets)))]
            assert fast == slow, text


def test_splice_plan_accepts_what_apply_splices_accepts():
    from nodelint.read.formats.text import EditConflict, Splice, SplicePlan, apply_splices

    rng = random.Random(11)
    text = "0123456789" * 3
    for _ in range(5_000):
        plan, planned = SplicePlan(), []
        for _ in range(rng.randint(1, 8)):
            attempt = []
            for _ in range(rng.randint(1, 2)):
                start = rng.randint(0, 12)
                attempt.append(Splice(start, start + rng.choice([0, 0, 1, 2, 3]), rng.choice(["", "a", "b"])))
            try:
                apply_splices(text, planned + attempt)
                fits = True
            except EditConflict:
                fits = False
            assert plan.fits(attempt) == fits, (planned, attempt)
            if fits:
                plan.add(attempt)
                planned += attempt
        assert plan.splices == planned


def test_the_unrolled_string_patterns_match_as_before():
    from nodelint.read.formats import json as fjson, toml

    before = {toml._BASIC: re.compile(r'"(?:[^"\\\n]|\\.)*"'),
              fjson._STRING: re.compile(r'"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"')}
    rng = random.Random(3)
    alphabet = ["a", '"', "\\", "\n", "u", "0", "f", "\x01", "/"]
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        for now, then in before.items():
            a, b = now.match(text), then.match(text)
            assert (a and a.span()) == (b and b.span()), text


class CountingText(str):
    """A document's text that counts how often it is split into lines (a C-level scan of the
    whole text, which a count of function calls sees as one call whatever its cost)."""

    splits = 0

    def splitlines(self, *args, **kwargs):
        CountingText.splits += 1
        return super().splitlines(*args, **kwargs)


@pytest.mark.parametrize("make", [shapes.containerd_many_tables, misspelled_json_keys])
def test_a_file_with_thousands_of_findings_is_split_into_lines_a_bounded_number_of_times(
        nodelint, tmp_path, monkeypatch, make):
    # suppression comments were looked for with a splitlines of the whole file per finding
    from nodelint.read import document

    real_decode = document.decode

    def decode(raw):
        text, bom, error = real_decode(raw)
        return CountingText(text), bom, error

    monkeypatch.setattr(document, "decode", decode)
    args = make(tmp_path / "root", 2000)
    CountingText.splits = 0
    out = nodelint("-q", "--diff", *args)
    assert out.code in (0, 1), out.err
    assert CountingText.splits < 50, CountingText.splits
