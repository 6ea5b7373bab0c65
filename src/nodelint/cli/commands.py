"""The commands: each parses what typer or the fast path read, calls the engine, renders.

``check`` (the default), ``show``, ``rules`` and ``explain``.  Usage errors are ``Failure``:
one line, exit code 2.
"""
from __future__ import annotations

import os
import sys

from .options import FORMATS, SEVERITY_CHOICES


class Failure(Exception):
    """A one-line error for the user; exit code 2."""


def run_check(paths: list[str] | None = None, fix: bool = False, unsafe_fixes: bool = False,
              runtime_version: list[str] | None = None, diff: bool = False, root: str | None = None,
              kind: str | None = None, select: list[str] | None = None, ignore: list[str] | None = None,
              extend_select: list[str] | None = None, output_format: str = "text", output: str | None = None,
              fail_on: str | None = None, live: bool = False, cgroup_driver: str | None = None,
              quiet: bool = False, no_color: bool = False, config_file: str | None = None, jobs: int = 0,
              debug: bool = False) -> int:
    """Check node configuration files (the default command)."""
    from ..read.kinds import KINDS

    if output_format not in FORMATS:
        raise Failure(f"--format must be one of {', '.join(FORMATS)}")
    if kind is not None and kind not in KINDS:
        raise Failure(f"--kind must be one of {', '.join(sorted(KINDS))}")
    if fail_on is not None and fail_on not in SEVERITY_CHOICES:
        raise Failure(f"--fail-on must be one of {', '.join(SEVERITY_CHOICES)}")
    if cgroup_driver is not None and cgroup_driver not in ("systemd", "cgroupfs"):
        raise Failure("--cgroup-driver must be systemd or cgroupfs")
    if jobs < 0:
        raise Failure("--jobs must be 0 (all cores) or more")
    args = (paths, fix, unsafe_fixes, runtime_version, diff, root, kind, select, ignore, extend_select,
            output_format, output, fail_on, live, cgroup_driver, quiet, no_color, config_file, jobs)
    if output_format == "prometheus" and output is not None:
        try:
            return _run_check(*args)
        except (Failure, Exception):  # the alert on nodelint_run_success == 0 must fire: the file says so
            _failed_metrics(output, [], root)
            raise
    return _run_check(*args)


def _failed_metrics(output: str, findings: list, root: str | None) -> None:
    """A Prometheus textfile for a run that failed: run_success 0, the time, what was found."""
    from ..report import prometheus

    _write_report(output, prometheus.render(findings, success=False, root=root), fatal=False)


def _run_check(paths, fix, unsafe_fixes, runtime_version, diff, root, kind, select, ignore, extend_select,
               output_format, output, fail_on, live, cgroup_driver, quiet, no_color, config_file, jobs) -> int:
    _check_today()
    if live:
        root = root or "/"
    groups = _settings_groups(config_file, paths or [], root)
    for settings, _ in groups:
        _check_codes(settings, settings.config_path)  # what the configuration names
        if select:
            settings.select = _codes(select)
        if ignore:
            settings.ignore += _codes(ignore)
        if extend_select:
            settings.extend_select += _codes(extend_select)
        if fail_on:
            settings.fail_on = fail_on
        if cgroup_driver:
            settings.cgroup_driver = cgroup_driver
        settings.live = settings.live or live
        settings.unsafe_fixes = unsafe_fixes
        settings.runtime_versions = list(runtime_version or [])
        settings.extra_root = root
        _check_versions(settings, advisories=True)
    _check_codes(groups[0][0], None, select=_codes(select), ignore=_codes(ignore), extend=_codes(extend_select))
    if unsafe_fixes and not (fix or diff):
        print("nodelint: warning: --unsafe-fixes does nothing without --fix or --diff", file=sys.stderr)
    return _check(groups, root=root, kind=kind, fix=fix, diff=diff, output_format=output_format,
                  quiet=quiet, no_color=no_color, output=output, jobs=jobs or _cores())


def _settings_groups(config_file: str | None, paths: list[str], root: str | None) -> list[tuple]:
    """(settings, paths) by the configuration that governs each path: the nearest .nodelint.toml
    or pyproject.toml [tool.nodelint] above it (as ruff and yamllint find theirs); --config, or
    --root, or no paths: one configuration, found from the working directory."""
    if config_file is not None or root is not None or not paths:
        return [(_settings(config_file), paths)]
    from ..read import settings as C

    groups: dict = {}
    for path in paths:
        start = path if os.path.isdir(path) else (os.path.dirname(path) or ".")
        try:
            found = C.find_config(start)
        except C.ConfigError as e:
            raise Failure(str(e)) from None
        groups.setdefault(found[0] if found else None, []).append(path)
    out = []
    for config, members in groups.items():
        out.append((_settings(config) if config else C.Settings(), members))
    return out


def _codes(values: list[str] | None) -> list[str]:
    out = []
    for v in values or []:
        out += [c.strip().upper() for c in v.split(",") if c.strip()]
    return out


def _settings(config_file: str | None):
    from ..read import settings as C

    try:
        if config_file is not None:
            table = C.read_table(config_file)
            if config_file.endswith("pyproject.toml"):
                table = table.get("tool", {}).get("nodelint", {})
            return C.from_table(config_file, table)
        return C.load_settings()
    except C.ConfigError as e:
        raise Failure(str(e)) from None


def _check_versions(settings, advisories: bool = False) -> None:
    """A bad declared version, pin or advisory is a usage error before any file is read."""
    if not (settings.versions or settings.runtime_versions):
        return
    from ..models.versions import ConfigError as VersionConfigError, declared, parse, user_entries

    try:
        versions = declared(settings, settings.runtime_versions)
        if advisories:
            user_entries(settings)
    except VersionConfigError as e:
        raise Failure(str(e)) from None
    for component, value in versions.items():
        if parse(value, component) is None and not str(value).strip() in ("latest", "*"):
            raise Failure(f"{component} version {value!r} is not a version (e.g. {component}=1.7.20)")


def _check_today() -> None:
    today = os.environ.get("NODELINT_TODAY")
    if today:
        import datetime

        try:
            datetime.date.fromisoformat(today)
        except ValueError:
            raise Failure(f"NODELINT_TODAY must be a date, YYYY-MM-DD (not {today!r})") from None


def _check_codes(settings, config: str | None, select=(), ignore=(), extend=()) -> None:
    """An unknown rule code or prefix is a usage error where it selects (every rule would be
    silently off) and a warning where it ignores; the nearest code is suggested."""
    from ..rules import INDEX, plugins

    known = sorted(set(INDEX) | set(plugins()))
    where = f"{config}: " if config else ""
    if config:
        select, ignore, extend = settings.select, settings.ignore, settings.extend_select
        ignore = list(ignore) + [c for codes in settings.per_file_ignores.values() for c in codes]
        extend = list(extend) + list(settings.severity)
    for option, codes, fatal in (("select", select, True), ("extend-select", extend, True), ("ignore", ignore, False)):
        for code in codes:
            if code == "ALL" or any(k.startswith(code) for k in known):
                continue
            import difflib

            near = difflib.get_close_matches(code.upper(), known, n=1)
            hint = f"; did you mean {near[0]}?" if near else "; `nodelint rules` lists them"
            message = f"{where}unknown rule code {code!r} in {option}{hint}"
            if fatal:
                raise Failure(message)
            print(f"nodelint: warning: {message}", file=sys.stderr)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may run on (containers, taskset)
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _check(groups, *, root, kind, fix, diff, output_format, quiet, no_color, output=None, jobs=1) -> int:
    """Run the batches of each configuration's paths (the engine writes each batch's fixes where
    it was fixed), print diffs and, for large text reports, findings as they come; then report."""
    from ..engine import batches
    from ..read.discover import DiscoveryError

    writing = fix and not diff
    settings, paths = groups[0][0], [p for _, members in groups for p in members]
    result, stream = None, False
    try:
        with batches.locked(root if writing else None):
            for group_settings, members in groups:
                plan = batches.plan([] if root else members, group_settings, root=root, kind=kind, jobs=jobs)
                stream = stream or (output is None and not diff and output_format in ("text", "github")
                                    and (len(plan.batches) > 1 or len(groups) > 1))
                part, failed = _run(plan, group_settings, fix=fix, diff=diff, jobs=jobs, output_format=output_format,
                                    stream=stream, no_color=no_color, wanted=_named(root, members), quiet=quiet)
                if failed:
                    if output_format == "prometheus" and output is not None:
                        _failed_metrics(output, part.findings, root)
                    return 2
                result = part if result is None else result.merge(part)
    except DiscoveryError as e:
        raise Failure(str(e)) from None
    if not result.checked and not result.errors and not result.findings and not quiet:
        looked = f"the root {root}" if root else ", ".join(paths or ["."])
        print(f"nodelint: no node configuration files found in {looked} (files are recognised by their node "
              "location, name and content: `nodelint --help`, README 'Kinds, and where they live')", file=sys.stderr)
    if diff:
        return _finish_diff(result, settings, output_format, quiet, no_color, output)
    return _finish_check(result, settings, output_format, fix, quiet, no_color, output, stream)


def _named(root, paths):
    """With --root and paths: report on those files of the node only."""
    if not (root and paths):
        return None
    named = {os.path.abspath(os.path.normpath(os.path.join(root, p.lstrip("/")))) for p in paths}
    return lambda path: os.path.abspath(os.path.normpath(path)) in named


def _run(plan, settings, *, fix, diff, jobs, output_format, stream, no_color, wanted, quiet=False):
    """Every batch's outcome into one result; (result, whether writing failed)."""
    from .render import Progress

    progress = Progress(plan.files, output_format == "text" and not quiet and sys.stderr.isatty())
    try:
        return _batches(plan, settings, fix=fix, diff=diff, jobs=jobs, output_format=output_format, stream=stream,
                        no_color=no_color, wanted=wanted, progress=progress)
    finally:
        progress.end()


def _batches(plan, settings, *, fix, diff, jobs, output_format, stream, no_color, wanted, progress):
    from ..engine import batches
    from ..report import text as text_report
    from .render import out, print_diffs, render_lines

    color = stream and output_format == "text" and text_report.use_color(no_color)
    diff_color = diff and text_report.use_color(no_color)
    result = batches.Result()
    written = 0
    for outcome in batches.execute(plan, settings, fix=fix or diff, jobs=jobs, in_place=fix and not diff,
                                   replacements=output_format == "sarif"):
        new = result.add(outcome, wanted)
        if outcome.errors or (stream and new) or diff:
            progress.end()  # a line of its own comes first; the progress line follows it
        for message in outcome.errors:
            print(f"nodelint: error: {message}", file=sys.stderr)
        if outcome.write_error is not None:
            kept = f" ({written} file{'s' if written != 1 else ''} of other nodes, fixed earlier in " \
                   "this run, stay fixed)" if written else ""
            print(f"nodelint: error: {outcome.write_error}; no file {'of this batch ' if written else ''}"
                  f"was changed{kept}", file=sys.stderr)
            return result, True
        written += len(outcome.changes) if fix and not diff else 0
        if diff:
            print_diffs(outcome.changes, diff_color)
        if stream and new:
            out(render_lines(output_format, new, color))
        progress.update(len(outcome.checked), len(new))
    return result, False


def _finish_diff(result, settings, output_format, quiet, no_color, output) -> int:
    from .render import render

    if not quiet:
        n = result.changed
        print(f"{n} file{'s' if n != 1 else ''} would be changed by --fix." if n else "No file would be changed by --fix.",
              file=sys.stderr)
    if output is not None:  # the report of what --fix would leave, next to the diff
        findings = sorted(result.findings, key=lambda f: f.order)
        if not _write_report(output, render(output_format, result, findings, settings, True, quiet, no_color,
                                            to_file=True, would=True), fatal=False):
            return 2
    return 2 if result.errors else (1 if result.changed else 0)


def _finish_check(result, settings, output_format, fix, quiet, no_color, output, stream) -> int:
    from ..values.findings import severity_rank
    from .render import render

    findings = result.findings
    if stream:
        if not quiet and output_format == "text":
            from ..report import text as text_report

            if result.live:
                print(text_report.live_facts(result.live))
            print(text_report.summary(findings, result.files, result.fixed, fix))
    else:
        findings.sort(key=lambda f: f.order)
        report = render(output_format, result, findings, settings, fix, quiet, no_color, to_file=output is not None)
        if output is None:
            sys.stdout.write(report)
        elif not _write_report(output, report, fatal=False):
            return 2
    if result.errors:
        return 2
    threshold = severity_rank(settings.fail_on)
    return 1 if any(severity_rank(f.severity) >= threshold for f in findings) else 0


def _write_report(path: str, text: str, fatal: bool = True) -> bool:
    """Write a report to ``path`` atomically; an error is one line (raised, or printed: False)."""
    from ..write.atomic import WriteError, replace_file

    try:
        replace_file(path, text.encode("utf-8"))
    except WriteError as e:
        if fatal:
            raise Failure(str(e)) from None
        print(f"nodelint: error: {e}", file=sys.stderr)
        return False
    return True


def run_show(paths: list[str] | None = None, root: str | None = None, kind: str | None = None,
             output_format: str = "text", key: list[str] | None = None, runtime_version: list[str] | None = None,
             config_file: str | None = None, output: str | None = None) -> int:
    """Print the effective view nodelint judges: kernel parameters, containerd handlers, the
    kubelet's cgroup driver, runtime versions."""
    import json

    from ..engine import view as show
    from ..report.show import render_text as render_show
    from ..read.discover import DiscoveryError
    from ..read.formats.sysctl import normalize_key
    from ..read.kinds import KINDS

    if output_format not in ("text", "json"):
        raise Failure("--format must be text or json for show")
    if kind is not None and kind not in KINDS:
        raise Failure(f"--kind must be one of {', '.join(sorted(KINDS))}")
    settings = _settings(config_file)
    settings.runtime_versions = list(runtime_version or [])
    _check_versions(settings)
    try:
        nodes = show.views(paths or [], settings, root=root, kind=kind, keys=[normalize_key(k) for k in key or []])
    except DiscoveryError as e:
        raise Failure(str(e)) from None
    text = json.dumps({"version": 1, "nodes": nodes}, indent=2) + "\n" if output_format == "json" \
        else render_show(nodes)
    if output is not None:
        _write_report(output, text)
    else:
        sys.stdout.write(text)
    return 0


def run_rules(output_format: str = "text") -> int:
    """List every rule: code, severity, whether --fix can fix it, summary."""
    from ..rules import registry

    rules = registry()
    if output_format == "json":
        import json

        print(json.dumps([{"code": r.code, "name": r.name, "severity": r.severity, "fixable": r.fixable,
                           "summary": r.summary} for r in rules.values()], indent=2))
        return 0
    for r in rules.values():
        fix = "unsafe" if r.fixable == "unsafe" else ("fix" if r.fixable else "")
        print(f"{r.code}  {r.severity:<7}  {fix:<6}  {r.name}: {r.summary}")
    return 0


def run_explain(code: str) -> int:
    """Print a rule's documentation."""
    from ..report import docs_terminal
    from ..report.text import use_color
    from ..rules import registry

    rules = registry()
    rule = rules.get(code.strip().upper()) or next((r for r in rules.values() if r.name == code.strip().lower()), None)
    if rule is None:
        import difflib

        near = difflib.get_close_matches(code.strip(), [r.code for r in rules.values()] + [r.name for r in rules.values()], 1)
        hint = f"; did you mean {near[0]}?" if near else "; `nodelint rules` lists them"
        raise Failure(f"unknown rule {code!r}{hint}")
    fix = ", unsafe fix" if rule.fixable == "unsafe" else (", fixable" if rule.fixable else "")
    print(f"{rule.code} {rule.name} ({rule.severity}{fix})\n")
    sys.stdout.write(docs_terminal.render(rule.docs, use_color(False) and sys.stdout.isatty()))
    return 0
