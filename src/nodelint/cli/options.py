"""The options of ``nodelint check``, and the fast path that parses a plain run without typer.

Speed trick, measured: most runs (pre-commit, CI, Packer) are plain ``nodelint [check] ...``
command lines, and importing typer (with click) would add about 80 ms of CPU to a one-file check
of about 71 ms (``python3 bench/tricks.py``, on the 2-core CI machine, 2026-11-30).  The typer command
(typer_app.py) is built from the same table, and tests/test_cli_parsing.py holds both parsers to
the same reading of every command line.
"""
from __future__ import annotations

SUBCOMMANDS = {"check", "rules", "explain", "show"}
FORMATS = ("text", "json", "sarif", "junit", "github", "prometheus")
SEVERITY_CHOICES = ("error", "warning", "info")

# The options of `nodelint check`: (parameter, flags, kind, default, metavar, help).  The typer
# command (typer_app.py) is built from this table, and so is the fast path that parses a plain
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
     "Also audit the running node under the root (/proc, /sys/fs/cgroup: running sysctls, cgroup drivers, "
     "pod cgroups, gVisor limits, inotify use); implies --root / when no root is given."),
    ("cgroup_driver", ("--cgroup-driver",), "value", None, "DRIVER", "Target driver: systemd (default) or cgroupfs."),
    ("quiet", ("--quiet", "-q"), "flag", False, None, "Print findings only, no summary."),
    ("no_color", ("--no-color",), "flag", False, None, "No colours (NO_COLOR is honoured too)."),
    ("config_file", ("--config",), "value", None, "FILE", "Use this .nodelint.toml or pyproject.toml."),
    ("jobs", ("--jobs", "-j"), "int", 0, "N", "Worker processes for large trees (default: all cores)."),
    ("debug", ("--debug",), "flag", False, None, "Show tracebacks of internal errors."),
)
_CHECK_FLAGS = {flag: option for option in CHECK_OPTIONS for flag in option[1]}


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
