"""Command line: ``nodelint [check] [PATHS]``, ``nodelint rules``, ``nodelint explain CODE``.

Exit codes: 0 nothing at or above --fail-on remains; 1 findings remain (with --diff:
changes would be made); 2 usage error, unreadable path or internal error.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager

from . import __version__

SUBCOMMANDS = {"check", "rules", "explain", "show"}
FORMATS = ("text", "json", "sarif", "junit", "github", "prometheus")
SEVERITY_CHOICES = ("error", "warning", "info")

# The options of `nodelint check`: (parameter, flags, kind, default, metavar, help).  The typer
# command (commands.py) is built from this table, and so is the fast path that parses a plain
# run without importing typer (parse_check): both read the same options the same way.
CHECK_OPTIONS = (
    ("fix", ("--fix",), "flag", False, None, "Apply safe fixes."),
    ("unsafe_fixes", ("--unsafe-fixes",), "flag", False, None,
     "With --fix or --diff, also apply fixes marked unsafe (e.g. raising version pins)."),
    ("runtime_version", ("--runtime-version",), "multi", None, "COMPONENT=VERSION",
     "Declare a runtime version (containerd, runc, runsc, docker, kubelet); repeatable."),
    ("diff", ("--diff",), "flag", False, None,
     "Print what --fix would change; write nothing (but the report of what --fix would leave, with --output)."),
    ("root", ("--root",), "value", None, "DIR", "Check DIR as a node's filesystem root."),
    ("kind", ("--kind",), "value", None, "KIND", "Force the kind of the given paths."),
    ("select", ("--select",), "multi", None, "CODES", "Rules to run (prefixes such as NL1)."),
    ("ignore", ("--ignore",), "multi", None, "CODES", "Rules to skip."),
    ("extend_select", ("--extend-select",), "multi", None, "CODES", "Rules to add to the selection."),
    ("output_format", ("--format",), "value", "text", "FORMAT", "text, json, sarif, junit, github or prometheus."),
    ("output", ("--output", "-o"), "value", None, "FILE", "Write the report to FILE (atomically) instead of stdout."),
    ("fail_on", ("--fail-on",), "value", None, "SEVERITY", "error, warning (default) or info."),
    ("live", ("--live",), "flag", False, None,
     "Also compare running values under the root (/proc/sys); implies --root / when no root is given."),
    ("cgroup_driver", ("--cgroup-driver",), "value", None, "DRIVER", "Target driver: systemd (default) or cgroupfs."),
    ("quiet", ("--quiet", "-q"), "flag", False, None, "Print findings only, no summary."),
    ("no_color", ("--no-color",), "flag", False, None, "No colours (NO_COLOR is honoured too)."),
    ("config_file", ("--config",), "value", None, "FILE", "Use this .nodelint.toml or pyproject.toml."),
    ("jobs", ("--jobs", "-j"), "int", 0, "N", "Worker processes for large trees (default: all cores)."),
    ("debug", ("--debug",), "flag", False, None, "Show tracebacks of internal errors."),
)
_CHECK_FLAGS = {flag: option for option in CHECK_OPTIONS for flag in option[1]}


class Failure(Exception):
    """A one-line error for the user; exit code 2."""


def __getattr__(name: str):
    if name == "app":  # the typer application, for tools that want it (imported on demand)
        from .commands import app

        return app
    raise AttributeError(name)


def parse_check(args: list[str]) -> dict | None:
    """The parameters of a plain ``nodelint [check] ...`` run, parsed as click parses them, or
    None when typer must parse it (help, an unknown option, a missing or malformed value).

    Most runs (pre-commit, CI, Packer) are plain, and importing typer costs more than the rest
    of a one-file check; the table above keeps both parsers on the same options.
    """
    if args and args[0] == "check":
        args = args[1:]
    elif args and args[0] in SUBCOMMANDS:
        return None
    params: dict = {option[0]: option[3] for option in CHECK_OPTIONS}
    paths: list[str] = []
    i, only_paths = 0, False
    while i < len(args):
        arg = args[i]
        i += 1
        if only_paths or arg == "-" or not arg.startswith("-"):
            paths.append(arg)
            continue
        if arg == "--":
            only_paths = True
            continue
        flag, equals, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        option = _CHECK_FLAGS.get(flag)
        short = _CHECK_FLAGS.get(arg[:2]) if option is None and not arg.startswith("--") else None
        if short is not None and short[2] != "flag":
            option, equals, value = short, "=", arg[2:]  # -j2, -oFILE: the rest of the word is the value
        if option is None:
            return None  # -h, --help, -qj2, a typo: typer decides
        name, _, kind = option[:3]
        if kind == "flag":
            if equals:
                return None
            params[name] = True
            continue
        if not equals:
            if i >= len(args):
                return None
            value = args[i]
            i += 1
        if kind == "int":
            try:
                value = int(value)
            except ValueError:
                return None
        params[name] = (params[name] or []) + [value] if kind == "multi" else value
    params["paths"] = paths or None
    return params


def _codes(values: list[str] | None) -> list[str]:
    out = []
    for v in values or []:
        out += [c.strip().upper() for c in v.split(",") if c.strip()]
    return out


def run_check(paths: list[str] | None = None, fix: bool = False, unsafe_fixes: bool = False,
              runtime_version: list[str] | None = None, diff: bool = False, root: str | None = None,
              kind: str | None = None, select: list[str] | None = None, ignore: list[str] | None = None,
              extend_select: list[str] | None = None, output_format: str = "text", output: str | None = None,
              fail_on: str | None = None, live: bool = False, cgroup_driver: str | None = None,
              quiet: bool = False, no_color: bool = False, config_file: str | None = None, jobs: int = 0,
              debug: bool = False) -> int:
    """Check node configuration files (the default command)."""
    from . import config as C
    from .kinds import KINDS

    if output_format not in FORMATS:
        raise Failure(f"--format must be one of {', '.join(FORMATS)}")
    if kind is not None and kind not in KINDS:
        raise Failure(f"--kind must be one of {', '.join(sorted(KINDS))}")
    if fail_on is not None and fail_on not in SEVERITY_CHOICES:
        raise Failure(f"--fail-on must be one of {', '.join(SEVERITY_CHOICES)}")
    if cgroup_driver is not None and cgroup_driver not in ("systemd", "cgroupfs"):
        raise Failure("--cgroup-driver must be systemd or cgroupfs")
    try:
        if config_file is not None:
            table = C._read(config_file)
            if config_file.endswith("pyproject.toml"):
                table = table.get("tool", {}).get("nodelint", {})
            settings = C.from_table(config_file, table)
        else:
            settings = C.load_settings()
    except C.ConfigError as e:
        raise Failure(str(e)) from None
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
    if live:
        settings.live = True
        root = root or "/"
    settings.unsafe_fixes = unsafe_fixes
    settings.runtime_versions = list(runtime_version or [])
    if settings.versions or settings.runtime_versions:
        from .versions import ConfigError as VersionConfigError, declared, user_entries

        try:  # a bad pin or advisory is a usage error before any file is read
            declared(settings, settings.runtime_versions)
            user_entries(settings)
        except VersionConfigError as e:
            raise Failure(str(e)) from None
    if jobs < 0:
        raise Failure("--jobs must be 0 (all cores) or more")
    return _check(paths or [], settings, root=root, kind=kind, fix=fix, diff=diff, output_format=output_format,
                  quiet=quiet, no_color=no_color, output=output, jobs=jobs or _cores())


def _cores() -> int:
    import os

    try:
        return len(os.sched_getaffinity(0))  # the cores this process may run on (containers, taskset)
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _check(paths, settings, *, root, kind, fix, diff, output_format, quiet, no_color, output=None,
           jobs=1) -> int:
    """Run the batches, writing each one's fixes (or printing its diffs and, for large text
    reports, its findings) as it comes, then report."""
    import os

    from . import engine
    from .discover import DiscoveryError
    from .model import severity_rank

    wanted = None
    if root and paths:  # --root with paths: report on those files of the node only
        named = {os.path.abspath(os.path.normpath(os.path.join(root, p.lstrip("/")))) for p in paths}
        wanted = lambda f: os.path.abspath(os.path.normpath(f.path)) in named  # noqa: E731
    result = engine.Result()
    written = 0
    try:
        with _root_lock(root if fix and not diff else None):
            plan = engine.plan([] if root else paths, settings, root=root, kind=kind)
            stream = output is None and not diff and output_format in ("text", "github") and len(plan.batches) > 1
            if stream and output_format == "text":
                from .report import text as text_report

                color = text_report.use_color(no_color)
            else:
                color = False
            writes = write_batch if fix and not diff else None
            for outcome in engine.execute(plan, settings, fix=fix or diff, jobs=jobs, write=writes,
                                          replacements=output_format == "sarif"):
                new = result.add(outcome, wanted)
                for message in outcome.errors:
                    print(f"nodelint: error: {message}", file=sys.stderr)
                if outcome.write_error is not None:
                    kept = f" ({written} file{'s' if written != 1 else ''} of other nodes, fixed earlier in " \
                           "this run, stay fixed)" if written else ""
                    print(f"nodelint: error: {outcome.write_error}; no file {'of this batch ' if written else ''}"
                          f"was changed{kept}", file=sys.stderr)
                    return 2
                written += len(outcome.changes) if writes else 0
                if diff:
                    _print_diffs(outcome.changes)
                if stream and new:
                    sys.stdout.write(_render_lines(output_format, new, color))
    except DiscoveryError as e:
        raise Failure(str(e)) from None
    findings = result.findings
    if not stream:
        findings.sort(key=lambda f: f.order)
    if diff:
        if not quiet:
            n = result.changed
            print(f"{n} file{'s' if n != 1 else ''} would be changed by --fix.", file=sys.stderr)
        if output is not None:  # the report of what --fix would leave, next to the diff
            from .writer import WriteError, replace_file

            try:
                replace_file(output, _render(output_format, result, findings, settings, True, quiet,
                                             no_color, to_file=True).encode("utf-8"))
            except WriteError as e:
                print(f"nodelint: error: {e}", file=sys.stderr)
                return 2
        return 2 if result.errors else (1 if result.changed else 0)
    if stream:
        if not quiet and output_format == "text":
            from .report import text as text_report

            print(text_report.summary(findings, result.files, result.fixed, fix))
    else:
        report = _render(output_format, result, findings, settings, fix, quiet, no_color,
                         to_file=output is not None)
        if output is not None:
            from .writer import WriteError, replace_file

            try:
                replace_file(output, report.encode("utf-8"))
            except WriteError as e:
                print(f"nodelint: error: {e}", file=sys.stderr)
                return 2
        else:
            sys.stdout.write(report)
    if result.errors:
        return 2
    threshold = severity_rank(settings.fail_on)
    return 1 if any(severity_rank(f.severity) >= threshold for f in findings) else 0


def _render_lines(output_format: str, findings, color: bool) -> str:
    """Finding lines alone (text or github), for reports printed batch by batch."""
    findings = sorted(findings, key=lambda f: f.order)
    if output_format == "github":
        from .report import github

        return github.render(findings)
    from .report import text as text_report

    return "".join(text_report.line(f, color) + "\n" for f in findings)


def _print_diffs(changes) -> None:
    from .report.diff import unified

    for c in changes:
        sys.stdout.write(unified(c.path, (c.old or b"").decode("utf-8", "replace"), c.new.decode("utf-8"),
                                 created=c.old is None))


@contextmanager
def _root_lock(root):
    """Two --fix runs over one root take turns (an flock on the root directory: no lock file is left)."""
    if root is None:
        yield
        return
    import fcntl
    import os

    try:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        yield  # discovery reports the unusable root
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def write_batch(changes) -> str | None:
    """Write every changed file of a batch (whole nodes), or none; the error, or None.

    Runs where the batch was checked (a worker process, with --jobs), so writes go in parallel."""
    import os

    from .writer import WriteError, write_all

    for c in changes:
        try:
            links = os.lstat(c.fs_path).st_nlink
        except OSError:
            continue
        if links > 1 and c.old is not None:
            print(f"nodelint: warning: {c.path} has {links} hard links; --fix writes a new file, so the other "
                  "names keep the old content", file=sys.stderr)
    try:
        write_all([(c.fs_path, c.new, c.old, c.anchor) for c in changes])
    except WriteError as e:
        return str(e)
    return None


def _render(output_format, result, findings, settings, fixing, quiet, no_color, to_file=False) -> str:
    if output_format == "json":
        from .report import json as json_report

        return json_report.render(findings, result.files, result.fixed)
    if output_format == "sarif":
        from .report import sarif

        return sarif.render(findings, result.replacements)
    if output_format == "junit":
        from .report import junit

        return junit.render(findings, result.checked, settings.fail_on)
    if output_format == "github":
        from .report import github

        return github.render(findings)
    if output_format == "prometheus":
        from .report import prometheus

        return prometheus.render(findings, success=not result.errors)
    from .report import text as text_report

    color = not to_file and text_report.use_color(no_color)
    return text_report.render(findings, result.files, result.fixed, fixing, quiet, color)


def _settings(config_file: str | None):
    from . import config as C

    try:
        if config_file is not None:
            table = C._read(config_file)
            if config_file.endswith("pyproject.toml"):
                table = table.get("tool", {}).get("nodelint", {})
            return C.from_table(config_file, table)
        return C.load_settings()
    except C.ConfigError as e:
        raise Failure(str(e)) from None


def run_show(paths: list[str] | None = None, root: str | None = None, kind: str | None = None,
             output_format: str = "text", key: list[str] | None = None, runtime_version: list[str] | None = None,
             config_file: str | None = None, output: str | None = None) -> int:
    """Print the effective view nodelint judges: kernel parameters, containerd handlers, the
    kubelet's cgroup driver, runtime versions."""
    import json

    from . import show
    from .discover import DiscoveryError
    from .formats.sysctl import normalize_key
    from .kinds import KINDS

    if output_format not in ("text", "json"):
        raise Failure("--format must be text or json for show")
    if kind is not None and kind not in KINDS:
        raise Failure(f"--kind must be one of {', '.join(sorted(KINDS))}")
    settings = _settings(config_file)
    settings.runtime_versions = list(runtime_version or [])
    if settings.runtime_versions:
        from .versions import ConfigError as VersionConfigError, declared

        try:
            declared(settings, settings.runtime_versions)
        except VersionConfigError as e:
            raise Failure(str(e)) from None
    try:
        nodes = show.views(paths or [], settings, root=root, kind=kind, keys=[normalize_key(k) for k in key or []])
    except DiscoveryError as e:
        raise Failure(str(e)) from None
    text = json.dumps({"version": 1, "nodes": nodes}, indent=2) + "\n" if output_format == "json" \
        else show.render_text(nodes)
    if output is not None:
        from .writer import WriteError, replace_file

        try:
            replace_file(output, text.encode("utf-8"))
        except WriteError as e:
            raise Failure(str(e)) from None
    else:
        sys.stdout.write(text)
    return 0


def run_rules(output_format: str = "text") -> int:
    """List every rule: code, severity, whether --fix can fix it, summary."""
    from .rules import registry

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
    from .rules import registry

    rule = registry().get(code.strip().upper())
    if rule is None:
        raise Failure(f"unknown rule {code!r}; `nodelint rules` lists them")
    fix = ", unsafe fix" if rule.fixable == "unsafe" else (", fixable" if rule.fixable else "")
    print(f"{rule.code} {rule.name} ({rule.severity}{fix})\n")
    print(rule.docs)
    return 0


# Objects allocated between two collections of the youngest generation (Python's default: 700).
# nodelint's documents and parse trees hold no reference cycles (tests/test_memory.py), so they
# are freed by reference counting and the cyclic collector has almost nothing to find; at the
# default it spent a tenth of a big tree's check walking parse trees that were still in use.
GC_YOUNG_THRESHOLD = 10_000


def main(argv: list[str] | None = None) -> int:
    import gc

    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    args = list(sys.argv[1:] if argv is None else argv)
    if "--version" in args and (not args or args[0] not in SUBCOMMANDS):
        print(f"nodelint {__version__}")
        return 0
    debug = "--debug" in args
    params = parse_check(args)
    from . import interrupts

    previous = interrupts.install()
    try:
        if params is not None:
            return run_check(**params)
        from .commands import run_typer

        return run_typer(args)
    except Failure as e:
        print(f"nodelint: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as e:  # Ctrl-C (130) or SIGTERM (143): see interrupts.py
        return getattr(e, "exit_code", 130)
    except BrokenPipeError:
        return 1
    except Exception as e:  # never a traceback unless asked for
        if debug:
            raise
        print(f"nodelint: internal error: {type(e).__name__}: {e} (run with --debug for details)", file=sys.stderr)
        return 2
    finally:
        interrupts.restore(previous)
