"""Pathological inputs: time and memory at n and at 10n, and their ratio.

    python3 bench/pathological.py [--nodelint PATH] [--fix] [--only SHAPE]

For each shape of tests/shapes.py (a sysctl file repeating one key, a kubelet env file with
many flags, many containerd drop-ins, many sysctl files, a large kubelet YAML, ...) it prints
the wall time and peak RSS of a check (and with --fix, of a fix on a fresh copy) at n and 10n.
Linear work gives a ratio near 10; the targets are ratio <= 12 and the 10n case under 2 s on a
2-core machine.  It prints figures and asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.shapes import SHAPES  # noqa: E402

TIMEOUT = 300


def timed(argv: list[str]) -> tuple[float, int, int]:
    """Wall seconds, peak RSS (KiB) and exit code of one run (inf on a time-out)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = start + TIMEOUT
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            return time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status)
        if time.perf_counter() > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            return float("inf"), 0, -9
        time.sleep(0.005)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodelint", default=shutil.which("nodelint") or str(REPO / ".venv/bin/nodelint"))
    ap.add_argument("--fix", action="store_true", help="also time --fix on a fresh copy")
    ap.add_argument("--only", help="run only the shapes whose name contains this")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="nodelint-patho-"))
    rows = []
    try:
        for name, (write, n, unit) in SHAPES.items():
            if args.only and args.only not in name:
                continue
            modes = [("check", [])] + ([("fix", ["--fix"])] if args.fix else [])
            for mode, extra in modes:
                figures = []
                for size in (n, 10 * n):
                    root = work / f"{size}"
                    shutil.rmtree(root, ignore_errors=True)
                    target = write(root, size)
                    figures.append(timed([args.nodelint, "-q", *extra, *target]))
                    shutil.rmtree(root, ignore_errors=True)
                (t1, rss1, _), (t10, rss10, code) = figures
                ratio = t10 / t1 if t1 else float("inf")
                verdict = "ok" if ratio <= 12 and t10 < 2 else "OVER TARGET"
                rows.append((f"{name} ({mode})", f"{n:,}/{10 * n:,} {unit}", f"{t1:7.3f} s", f"{t10:7.3f} s",
                             f"{ratio:6.1f}x", f"{max(rss1, rss10) / 1024:6.1f} MiB", verdict))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    header = ("shape", "n / 10n", "time(n)", "time(10n)", "ratio", "peak RSS", "target: ratio <= 12, 10n < 2 s")
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    for row in [header] + rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
