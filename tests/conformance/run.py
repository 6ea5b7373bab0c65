"""Run generated cases through the real programs and through nodelint; list the disagreements.

Used by the conformance tests (a bounded number of cases each CI run) and by
``scripts/conformance --cases N --seed S`` (as many as you like).
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from . import compare, judges, sysctl_cases


def sysctl(cases: int, seed: int, programs=("systemd", "procps")) -> tuple[int, list[str]]:
    """(cases run, disagreements as reproducible reports)."""
    work = Path(tempfile.mkdtemp(prefix="nodelint-sysctl-cases-"))
    try:
        roots = [sysctl_cases.make(work / f"case-{seed + i}", seed + i) for i in range(cases)]
        expected = [compare.sysctl_expectations(r) for r in roots]
        failures = []
        for program in programs:
            index = 0 if program == "systemd" else 1
            for root, result, expect in zip(roots, judges.sysctl_batch(program, roots), expected):
                problems = compare.sysctl_disagreements(expect[index], result)
                if problems:
                    failures.append(f"{program}, case seed {root.name[5:]}:\n  " + "\n  ".join(problems)
                                    + "\n" + sysctl_cases.describe(root))
        return cases, failures
    finally:
        shutil.rmtree(work, ignore_errors=True)


def sysctl_fixes(cases: int, seed: int) -> tuple[int, list[str]]:
    """After ``nodelint --fix --select NL201,NL202`` on each case, the real systemd-sysctl must end
    with the minimums (the fix's value must win in the real order), and a second --fix must change
    nothing."""
    import contextlib
    import io

    from nodelint.cli import main

    minimums = {"fs.inotify.max_user_instances": 8192, "fs.inotify.max_user_watches": 524288}
    work = Path(tempfile.mkdtemp(prefix="nodelint-sysctl-fixes-"))
    try:
        roots, failures = [], []
        for i in range(cases):
            root = sysctl_cases.make(work / f"case-{seed + i}", seed + i)
            before = sysctl_cases.describe(root)
            for attempt in (1, 2):
                out = io.StringIO()
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
                    code = main(["--fix", "--quiet", "--select", "NL201,NL202", "--root", str(root)])
                if attempt == 2 and out.getvalue().strip():
                    failures.append(f"case seed {seed + i}: a second --fix left {out.getvalue().strip()}\n{before}")
            roots.append((root, before, code))
        for (root, before, code), result in zip(roots, judges.sysctl_batch("systemd", [r for r, _, _ in roots])):
            for key, minimum in minimums.items():
                written = result["values"].get(key, "")
                number = int(written.split()[0]) if written.split() and written.split()[0].isdigit() else None
                if number is None or number < minimum:
                    failures.append(f"case seed {root.name[5:]}: after --fix (exit {code}) systemd-sysctl writes "
                                    f"{key} = {written!r}\nbefore:\n{before}\nafter:\n{sysctl_cases.describe(root)}")
        return cases, failures
    finally:
        shutil.rmtree(work, ignore_errors=True)


def containerd(cases: int, seed: int, lines=None) -> tuple[int, list[str]]:
    from . import containerd_cases

    work = Path(tempfile.mkdtemp(prefix="nodelint-containerd-cases-"))
    lines = lines or [line for line in judges.CONTAINERD if judges.containerd_available(line) is None]
    try:
        roots = [containerd_cases.make(work / f"case-{seed + i}", seed + i) for i in range(cases)]
        views = [compare.show(r) for r in roots]
        failures = []
        for line in lines:
            family = judges.FAMILY[line]
            for root, result, view in zip(roots, judges.containerd_batch(line, roots), views):
                config = next(iter(view.get("containerd", [])), None)
                reading = config["lines"][family] if config else None
                if reading is None:
                    if result["exit"] == 0:
                        continue  # no main config: containerd's defaults, nothing of nodelint's to compare
                    problems = [f"containerd refuses the case: {result['stderr'].strip()[-300:]}; nodelint shows no config"]
                else:
                    problems = compare.containerd_disagreements(reading, result)
                if problems:
                    failures.append(f"containerd {line} ({family}), case seed {root.name[5:]}:\n  "
                                    + "\n  ".join(problems) + "\n" + containerd_cases.describe(root))
        return cases, failures
    finally:
        shutil.rmtree(work, ignore_errors=True)
