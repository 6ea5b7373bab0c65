"""Run generated cases through the real programs and through nodelint; list the disagreements.

Used by the conformance tests (a bounded number of cases each CI run) and by
``scripts/conformance --cases N --seed S`` (as many as you like).
"""
from __future__ import annotations

import json
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
                config = next((c for c in view.get("containerd", []) if c["config"].endswith("etc/containerd/config.toml")),
                              None)
                reading = config["lines"][family] if config else None
                if reading is None:
                    # no main config: the daemon runs on its defaults (1.x's config dump refuses the
                    # missing file, the daemon does not); nodelint has no reading to compare
                    continue
                if family != "1.6" and family != "1.7" and containerd_cases.missing_import(root):
                    # 2.x's config dump swallows a missing import and stops loading there; the daemon
                    # refuses to start (cmd/containerd/command/main.go): dump is no judge of this case
                    continue
                if family not in ("1.6", "1.7") and containerd_cases.names_a_plugin_twice(root):
                    # 2.x picks one of the two tables at random (containerd_cases.names_a_plugin_twice):
                    # not judged, but nodelint must say so
                    if not _reports(root, "NL005"):
                        failures.append(f"containerd {line}, case seed {root.name[5:]}: a plugin under two IDs "
                                        f"and no NL005\n{containerd_cases.describe(root)}")
                    continue
                else:
                    problems = compare.containerd_disagreements(reading, result)
                if problems:
                    failures.append(f"containerd {line} ({family}), case seed {root.name[5:]}:\n  "
                                    + "\n  ".join(problems) + "\n" + containerd_cases.describe(root))
        return cases, failures
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _reports(root: Path, rule: str) -> bool:
    """Whether ``nodelint --root`` reports ``rule`` on a case."""
    import contextlib
    import io

    from nodelint.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main(["--quiet", "--format", "json", "--select", rule, "--root", str(root)])
    return bool(json.loads(out.getvalue())["findings"])


def containerd_fixes(cases: int, seed: int, lines=None) -> tuple[int, list[str]]:
    """After ``nodelint --fix --select NL101`` on each case, every runc handler containerd ends up
    with (on each line that accepts the config and runs CRI) has SystemdCgroup = true, unless
    nodelint still reports it (NL101 without a safe fix, NL403): a fix never leaves a node on
    cgroupfs silently.  And what is left after --fix offers no fix (one --fix did not apply)."""
    import contextlib
    import io

    from nodelint.cli import main
    from nodelint.models.containerd_load import considered_lines

    from . import containerd_cases

    work = Path(tempfile.mkdtemp(prefix="nodelint-containerd-fixes-"))
    lines = lines or [line for line in judges.CONTAINERD if judges.containerd_available(line) is None]
    try:
        roots, offered = [], []
        for i in range(cases):
            root = containerd_cases.make(work / f"case-{seed + i}", seed + i)
            before = containerd_cases.describe(root)
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                main(["--fix", "--quiet", "--select", "NL101", "--root", str(root)])
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
                main(["--quiet", "--format", "json", "--select", "NL101,NL403", "--root", str(root)])
            left = json.loads(out.getvalue())["findings"]
            if any(f["fixable"] for f in left):  # --fix offered it and did not do it
                offered.append(f"case seed {seed + i}: after --fix, a fix is still offered: "
                               f"{[f['message'] for f in left if f['fixable']]}\nbefore:\n{before}")
            if left:
                continue  # what is left is reported
            roots.append((root, before))
        failures = offered
        for line in lines:
            for (root, before), result in zip(roots, judges.containerd_batch(line, [r for r, _ in roots])):
                config = root / "etc/containerd/config.toml"
                if result["exit"] != 0 or not config.is_file() or containerd_cases.missing_import(root):
                    continue
                import tomli

                try:
                    data = tomli.loads(config.read_text())
                except tomli.TOMLDecodeError as e:
                    failures.append(f"containerd {line}, case seed {root.name[5:]}: the fix broke the TOML ({e})")
                    continue
                if judges.FAMILY[line] not in considered_lines(data, None):
                    continue
                dumped = compare.handlers_from_dump(result["stdout"])
                disabled = containerd_cases.disables_cri(root)
                # the handlers the files that containerd reads define, and the default runtime: what NL101 judges
                view = compare.show(root)
                config = next((c for c in view.get("containerd", []) if c["config"].endswith("config.toml")), None)
                reading = config["lines"].get(judges.FAMILY[line]) if config else None
                if reading is None:
                    continue
                judged = {h["name"] for h in reading["handlers"] if h.get("path")} | {dumped["default"]}
                wrong = [name for name, (rt, sc) in dumped["handlers"].items() if name in judged
                         and rt in ("io.containerd.runc.v2", "io.containerd.runc.v1") and sc is not True]
                if wrong and not disabled:
                    failures.append(f"containerd {line}, case seed {root.name[5:]}: after --fix, handlers {wrong} "
                                    f"still run on cgroupfs\nbefore:\n{before}\nafter:\n{containerd_cases.describe(root)}")
        return cases, failures
    finally:
        shutil.rmtree(work, ignore_errors=True)


def docker(cases: int, seed: int, versions=None) -> tuple[int, list[str]]:
    """For each generated daemon.json: nodelint reports an NL001 error exactly when every dockerd
    judged refuses it (an NL001 warning when only some do), and after --fix a file dockerd
    accepted is still accepted, and one it refused is unchanged or now accepted."""
    import contextlib
    import io

    from nodelint.cli import main

    from . import docker_cases

    versions = versions or [v for v in judges.DOCKERD if judges.docker_available(v) is None]
    work = Path(tempfile.mkdtemp(prefix="nodelint-docker-cases-"))
    try:
        files = [docker_cases.make(work / "before", seed + i) for i in range(cases)]
        verdicts = {v: judges.docker_batch(v, files) for v in versions}
        failures = []
        fixed = []
        for i, path in enumerate(files):
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
                main(["--format", "json", "--select", "NL001", str(path)])
            severities = {f["severity"] for f in json.loads(out.getvalue())["findings"]
                          if f["rule"] == "NL001" and ("refuse" in f["message"] or "cannot parse" in f["message"])}
            accepted = [verdicts[v][i]["accepted"] for v in versions]
            expect = "error" if not any(accepted) else ("warning" if not all(accepted) else None)
            got = "error" if "error" in severities else ("warning" if "warning" in severities else None)
            if got != expect:
                failures.append(f"case seed {seed + i}: dockerd {dict(zip(versions, accepted))}, nodelint "
                                f"{got or 'accepts it'}\n{docker_cases.describe(path)}\n"
                                + "\n".join(verdicts[v][i]["log"][-300:] for v in versions))
            copy = work / "after" / path.relative_to(work / "before")
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(path.read_bytes())
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                main(["--fix", "--quiet", str(copy)])
            fixed.append(copy)
        after = {v: judges.docker_batch(v, fixed) for v in versions}
        for i, (path, copy) in enumerate(zip(files, fixed)):
            refused_by_all = not any(verdicts[v][i]["accepted"] for v in versions)
            for v in versions:
                before_ok, after_ok = verdicts[v][i]["accepted"], after[v][i]["accepted"]
                changed = path.read_bytes() != copy.read_bytes()
                # a file every dockerd refuses is left alone unless the fix repairs it; one only some
                # refuse (a BOM before 23.0) may be fixed for the others
                if (before_ok and not after_ok) or (refused_by_all and changed and not after_ok):
                    failures.append(f"case seed {seed + i}: dockerd {v} {'accepted' if before_ok else 'refused'} it, "
                                    f"and refuses what --fix wrote\n{docker_cases.describe(path)}\n"
                                    f"after: {copy.read_bytes()!r}\n{after[v][i]['log'][-300:]}")
        return cases, failures
    finally:
        shutil.rmtree(work, ignore_errors=True)
