"""Command line: ``nodelint [check] [PATHS]``, ``nodelint show``, ``nodelint rules``,
``nodelint explain CODE``.

Exit codes: 0 nothing at or above --fail-on remains; 1 findings remain (with --diff:
changes would be made); 2 usage error, unreadable path or internal error.

options.py reads a plain check without typer (the fast path); typer_app.py is the typer
application for everything else; commands.py runs each command; render.py prints reports.
"""
from __future__ import annotations

import os
import sys

from .. import __version__
from .commands import Failure, run_check, run_explain, run_rules, run_show
from .options import CHECK_OPTIONS, FORMATS, SEVERITY_CHOICES, SUBCOMMANDS, parse_check

__all__ = ["CHECK_OPTIONS", "FORMATS", "SEVERITY_CHOICES", "SUBCOMMANDS", "Failure", "main", "parse_check",
           "run_check", "run_explain", "run_rules", "run_show"]


def __getattr__(name: str):
    if name == "app":  # the typer application, for tools that want it (imported on demand)
        from .typer_app import app

        return app
    raise AttributeError(name)


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
    from ..write import interrupts

    previous = interrupts.install()
    try:
        if params is not None:
            return run_check(**params)
        from .typer_app import run_typer

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
        if os.environ.get("NODELINT_STATS") == "1":
            _print_stats()


def _print_stats() -> None:
    """NODELINT_STATS=1: where the CPU went, for the benchmark (bench/run.py): this process (the
    parent: discovery, grouping, pins, the report) and its worker processes, and the serial
    fraction they imply (parent / total), which bounds what more cores can give."""
    import resource

    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    parent, children = own.ru_utime + own.ru_stime, workers.ru_utime + workers.ru_stime
    total = parent + children
    print(f"nodelint stats: parent_cpu={parent:.3f} workers_cpu={children:.3f} "
          f"serial_fraction={parent / total if total else 0:.3f} peak_rss_kib={own.ru_maxrss}", file=sys.stderr)
