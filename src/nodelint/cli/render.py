"""Reports as the command line prints them: whole reports, finding lines batch by batch, diffs."""
from __future__ import annotations

import sys


def render(output_format, result, findings, settings, fixing, quiet, no_color, to_file=False, would=False) -> str:
    if output_format == "json":
        from ..report import json as json_report

        return json_report.render(findings, result.files, result.fixed, would, live=result.live)
    if output_format == "sarif":
        from ..report import sarif

        return sarif.render(findings, result.replacements)
    if output_format == "junit":
        from ..report import junit

        return junit.render(findings, result.checked, settings.fail_on)
    if output_format == "github":
        from ..report import github

        return github.render(findings)
    if output_format == "prometheus":
        from ..report import prometheus

        return prometheus.render(findings, success=not result.errors, root=settings.extra_root, live=result.live)
    from ..report import text as text_report

    color = not to_file and text_report.use_color(no_color)
    return text_report.render(findings, result.files, result.fixed, fixing, quiet, color, would, live=result.live)


def render_lines(output_format: str, findings, color: bool) -> str:
    """Finding lines alone (text or github), for reports printed batch by batch."""
    findings = sorted(findings, key=lambda f: f.order)
    if output_format == "github":
        from ..report import github

        return github.render(findings)
    from ..report import text as text_report

    return "".join(text_report.line(f, color) + "\n" for f in findings)


_DIFF_COLORS = (("+++", "\033[1m"), ("---", "\033[1m"), ("@@", "\033[36m"), ("+", "\033[32m"), ("-", "\033[31m"))


def print_diffs(changes, color: bool = False) -> None:
    from ..report.diff import unified

    for c in changes:
        text = unified(c.path, (c.old or b"").decode("utf-8", "replace"), c.new.decode("utf-8"), created=c.old is None)
        out(_colored(text) if color else text)


def _colored(diff: str) -> str:
    lines = []
    for line in diff.splitlines(keepends=True):
        code = next((c for prefix, c in _DIFF_COLORS if line.startswith(prefix)), None)
        body = line.rstrip("\n")
        lines.append(f"{code}{body}\033[0m{line[len(body):]}" if code else line)
    return "".join(lines)


def out(text: str) -> None:
    """Write to stdout; once the reader has gone (``| head``), drop the rest: the run and its
    ``--output`` file do not depend on who reads stdout."""
    if getattr(out, "closed", False):
        return
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        import os

        out.closed = True
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second BrokenPipeError when Python exits
        os.close(devnull)


class Progress:
    """A progress line on a terminal's stderr for a long run: after ``delay`` seconds, files done
    of the total, the rate and the findings so far; cleared at the end.  Off in pipes."""

    def __init__(self, total: int, enabled: bool, delay: float = 1.0):
        import time

        self.total, self.enabled, self.delay = total, enabled and total > 0, delay
        self.start, self.done, self.found, self.shown = time.monotonic(), 0, 0, False

    def update(self, files: int, findings: int) -> None:
        import time

        if not self.enabled:
            return
        self.done += files
        self.found += findings
        elapsed = time.monotonic() - self.start
        if elapsed < self.delay:
            return
        rate = self.done / elapsed if elapsed else 0
        sys.stderr.write(f"\r\033[K{self.done}/{self.total} files, {rate:.0f}/s, "
                         f"{self.found} finding{'s' if self.found != 1 else ''} so far")
        sys.stderr.flush()
        self.shown = True

    def end(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
            self.shown = False
