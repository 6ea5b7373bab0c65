"""The typer application: help, usage errors and the `rules` and `explain` commands.

A plain check never comes here (options.parse_check reads it without importing typer); everything
else does.  `check`'s options are built from options.CHECK_OPTIONS, the table the fast path reads.
"""
import inspect
import sys
from typing import Annotated, Optional

import typer

from . import commands, options

app = typer.Typer(
    add_completion=False,
    help="Lint and fix Kubernetes node configuration (containerd, runsc, Docker, kubelet, CRI-O, sysctl).\n\n"
         "`nodelint [PATHS]` is the same as `nodelint check [PATHS]`.",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_TYPES = {"flag": bool, "multi": Optional[list[str]], "int": int}


def _check_command():
    params = [inspect.Parameter("paths", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None,
                                annotation=Annotated[Optional[list[str]],
                                                     typer.Argument(help="Files or directories (default: .)")])]
    for name, flags, kind, default, metavar, help_text in options.CHECK_OPTIONS:
        kind_type = _TYPES.get(kind) or (str if default is not None else Optional[str])
        params.append(inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default,
                                        annotation=Annotated[kind_type, typer.Option(*flags, metavar=metavar,
                                                                                     help=help_text)]))

    def check(**params) -> int:
        """Check node configuration files: `nodelint [check] [OPTIONS] [PATHS]` (the default command).

        Other commands: `nodelint show` (the effective view behind the findings), `nodelint rules`
        (every rule), `nodelint explain CODE` (a rule's documentation); `nodelint --version`.
        """
        return commands.run_check(**params)

    check.__signature__ = inspect.Signature(params, return_annotation=int)
    return check


app.command("check")(_check_command())


@app.command("rules")
def rules(
    output_format: Annotated[str, typer.Option("--format", metavar="FORMAT", help="text or json.")] = "text",
) -> int:
    """List every rule: code, severity, whether --fix can fix it, summary."""
    return commands.run_rules(output_format)


@app.command("explain")
def explain(code: Annotated[str, typer.Argument(help="A rule code, e.g. NL101.")]) -> int:
    """Print a rule's documentation."""
    return commands.run_explain(code)


@app.command("show")
def show(
    paths: Annotated[Optional[list[str]], typer.Argument(help="Files or directories (default: .)")] = None,
    root: Annotated[Optional[str], typer.Option("--root", metavar="DIR", help="Show DIR as a node's root.")] = None,
    kind: Annotated[Optional[str], typer.Option("--kind", metavar="KIND", help="Force the kind of the given paths.")] = None,
    output_format: Annotated[str, typer.Option("--format", metavar="FORMAT", help="text or json.")] = "text",
    key: Annotated[Optional[list[str]], typer.Option("--key", metavar="KEY",
                   help="Also show this kernel parameter (set by a glob, or not at all); repeatable.")] = None,
    runtime_version: Annotated[Optional[list[str]], typer.Option("--runtime-version", metavar="COMPONENT=VERSION",
                               help="Declare a runtime version; repeatable.")] = None,
    config_file: Annotated[Optional[str], typer.Option("--config", metavar="FILE",
                           help="Use this .nodelint.toml or pyproject.toml.")] = None,
    output: Annotated[Optional[str], typer.Option("--output", "-o", metavar="FILE",
                      help="Write the view to FILE instead of stdout.")] = None,
) -> int:
    """Show the effective configuration nodelint judges: every kernel parameter and the line that
    wins, every containerd runtime handler per containerd line, the kubelet's cgroup driver, the
    runtime versions known."""
    return commands.run_show(paths, root, kind, output_format, key, runtime_version, config_file, output)


def _click():
    """The click typer runs on: vendored in typer >= 0.22, a dependency before."""
    try:
        from typer import _click as click
    except ImportError:  # pragma: no cover - older typer
        import click
    return click


def run_typer(args: list[str]) -> int:
    """Run ``args`` through typer; usage errors become one line and exit code 2."""
    click = _click()
    first = next(iter(args), None)
    if first is None or first not in options.SUBCOMMANDS:
        args = ["check"] + args  # `nodelint --help` is the default command's help: its options are what people use
    command = typer.main.get_command(app)
    try:
        result = command.main(args=args, prog_name="nodelint", standalone_mode=False)
    except typer.Exit as e:
        return e.exit_code
    except click.ClickException as e:
        print(f"nodelint: error: {e.format_message()}", file=sys.stderr)
        return 2
    except typer.Abort:
        return 130
    return result if isinstance(result, int) else 0
