"""nodelint's benchmark: start-up, throughput, scaling and memory, each against a floor measured
in the same run.  It prints figures; it asserts nothing (timings belong in reports, not tests).

    python3 bench/run.py                 # build the wheel, install it in .cache/bench, measure
    python3 bench/run.py --quick         # fewer repeats and a 1,000/5,000-file pair of trees
    python3 bench/run.py --venv DIR      # measure the nodelint already installed in DIR
                                         # (e.g. an older release, for before/after figures)

What it measures (medians over repeated runs; every process is started fresh):
- cold start: `nodelint check <containerd config>` against `python -c pass` and
  `python -c "import typer"` (the CLI framework's own import);
- the same for a kubelet YAML, against yamllint on the same file (the linter image-build
  repos already run in pre-commit);
- throughput: trees of 1,000 and 10,000 files built from ../shared/corpus (bench/tree.py),
  checked and fixed, in files per second, against a parse-only floor (bench/floor.py:
  tomllib, json and libyaml over the same files);
- scaling: time(10,000) / time(1,000);
- peak RSS of the 10,000-file check (one process) and of its largest process with --jobs.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from tree import corpus_files, make_tree  # noqa: E402


def run_once(argv: list[str], cwd: Path | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB, largest process of the tree) of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {err.strip()}")
    return elapsed, usage.ru_maxrss


def median_of(argv: list[str], repeats: int, cwd: Path | None = None, before=None) -> tuple[float, int]:
    times, peak = [], 0
    for _ in range(repeats):
        if before is not None:
            before()
        t, rss = run_once(argv, cwd)
        times.append(t)
        peak = max(peak, rss)
    return statistics.median(times), peak


def interleaved(commands: dict[str, list[str]], repeats: int, warmup: int = 3) -> dict[str, float]:
    """Medians of short commands, run in turn so that drift in the machine hits them all alike."""
    for argv in commands.values():
        for _ in range(warmup):
            run_once(argv)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeats):
        for name, argv in commands.items():
            times[name].append(run_once(argv)[0])
    return {name: statistics.median(t) for name, t in times.items()}


def install(cache: Path) -> Path:
    """A virtualenv with nodelint's wheel (built from this checkout) and yamllint."""
    venv = cache / "venv"
    log = cache / "install.log"

    def quietly(argv: list[str]) -> None:
        with open(log, "a") as out:
            if subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT).returncode != 0:
                raise SystemExit(f"{' '.join(argv)} failed; see {log}")

    log.write_text("")
    if not (venv / "bin" / "python").exists():
        quietly([sys.executable, "-m", "venv", str(venv)])
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
    dist = cache / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    quietly(pip + ["wheel", "--no-deps", "-w", str(dist), str(REPO)])
    wheel = next(dist.glob("nodelint-*.whl"))
    quietly(pip + ["install", "--force-reinstall", "--no-deps", str(wheel)])
    quietly(pip + ["install", f"{wheel}[bench]"])
    return venv


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--venv", type=Path, help="measure the nodelint installed in this virtualenv")
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("--quick", action="store_true", help="fewer repeats, trees of 1,000 and 5,000 files")
    ap.add_argument("--cache", type=Path, default=REPO / ".cache" / "bench")
    args = ap.parse_args()

    args.cache.mkdir(parents=True, exist_ok=True)
    venv = args.venv.absolute() if args.venv else install(args.cache)  # the runs change directory
    bin_dir = venv / "bin"
    python, nodelint, yamllint = str(bin_dir / "python"), str(bin_dir / "nodelint"), shutil.which("yamllint", path=str(bin_dir)) \
        or str(bin_dir / "yamllint")
    starts = 10 if args.quick else 30
    tree_runs = 3 if args.quick else 5
    sizes = (1_000, 5_000) if args.quick else (1_000, 10_000)
    version = subprocess.run([python, "-c", "import nodelint; print(nodelint.__version__)"],
                             capture_output=True, text=True).stdout.strip()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    has_jobs = "--jobs" in subprocess.run([nodelint, "check", "--help"], capture_output=True, text=True).stdout
    one_process = ["--jobs", "1"] if has_jobs else []  # releases before --jobs ran in one process

    work = Path(tempfile.mkdtemp(prefix="nodelint-bench-"))
    try:
        by_kind = corpus_files(args.corpus)
        containerd = work / "one/etc/containerd/config.toml"
        containerd.parent.mkdir(parents=True)
        shutil.copy(next(p for p in by_kind["containerd"] if p.name == "config.toml"), containerd)
        kubelet = work / "one/var/lib/kubelet/config.yaml"
        kubelet.parent.mkdir(parents=True)
        shutil.copy(next(p for p in by_kind["kubelet"] if p.suffix == ".yaml"), kubelet)

        rows: list[tuple[str, str, str]] = []
        start = interleaved({
            "pass": [python, "-c", "pass"],
            "typer": [python, "-c", "import typer"],
            "check": [nodelint, "check", "-q", str(containerd)],
            "kubelet": [nodelint, "check", "-q", str(kubelet)],
            "yamllint": [yamllint, str(kubelet)],
        }, starts)
        rows += [
            ("python -c pass", fmt_ms(start["pass"]), ""),
            ('python -c "import typer"', fmt_ms(start["typer"]), ""),
            ("nodelint check <containerd config.toml>", fmt_ms(start["check"]),
             f"{start['check'] / start['typer']:.2f}x import typer (target <= 1.25x)"),
            ("yamllint <kubelet config.yaml>", fmt_ms(start["yamllint"]), ""),
            ("nodelint check <kubelet config.yaml>", fmt_ms(start["kubelet"]),
             f"{start['kubelet'] / start['yamllint']:.2f}x yamllint (target <= 0.7x)"),
        ]

        timings: dict[tuple[int, str], tuple[float, int]] = {}
        for n in sizes:
            tree = work / f"tree-{n}"
            make_tree(args.corpus, tree, n)
            floor, _ = median_of([python, str(HERE / "floor.py"), str(tree)], tree_runs)
            timings[(n, "floor")] = (floor, 0)
            for label, extra in (("check -j1", one_process), ("check", [])):
                timings[(n, label)] = median_of([nodelint, "check", "-q", *extra, "."], tree_runs, cwd=tree)
            scratch = work / "scratch"

            def fresh_copy(tree=tree, scratch=scratch):
                shutil.rmtree(scratch, ignore_errors=True)
                shutil.copytree(tree, scratch, symlinks=True)
                os.sync()  # the copy's own write-back is not the timed run's to pay

            for label, extra in (("fix -j1", one_process), ("fix", [])):
                timings[(n, label)] = median_of([nodelint, "check", "--fix", "-q", *extra, "."], tree_runs,
                                                cwd=scratch, before=fresh_copy)
            rows.append((f"parse-only floor, {n:,} files", fmt_ms(floor), f"{n / floor:8.0f} files/s"))
            for label in ("check -j1", "check", "fix -j1", "fix"):
                t, _ = timings[(n, label)]
                if not has_jobs:
                    jobs = " (one process: no --jobs)"
                else:
                    jobs = " --jobs 1" if "-j1" in label else f" (--jobs {cores})"
                target = "(one process)" if "-j1" in label else "(target <= 3x)"  # the target is for the default
                rows.append((f"nodelint {label.split()[0]}{jobs}, {n:,} files",
                             fmt_ms(t), f"{n / t:8.0f} files/s  {t / floor:.2f}x floor {target}"))
            shutil.rmtree(scratch, ignore_errors=True)
            shutil.rmtree(tree)
        small, large = sizes
        for label in ("check -j1", "check"):
            ratio = timings[(large, label)][0] / timings[(small, label)][0]
            rows.append((f"scaling {label}: time({large:,}) / time({small:,})", f"{ratio:8.2f}",
                         f"target <= {large / small * 1.1:.0f}"))
        rows.append((f"peak RSS, check --jobs 1, {large:,} files", f"{timings[(large, 'check -j1')][1] / 1024:6.1f} MiB",
                     "target <= 150 MiB"))
        rows.append((f"peak RSS, check --jobs {cores}, {large:,} files (largest process)",
                     f"{timings[(large, 'check')][1] / 1024:6.1f} MiB", ""))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"nodelint {version} | Python {platform.python_version()} | {cores} cores | {platform.machine()} | "
          f"medians of {starts} cold starts and {tree_runs} tree runs")
    width = max(len(r[0]) for r in rows)
    for name, figure, note in rows:
        print(f"{name:<{width}}  {figure:>12}  {note}")


if __name__ == "__main__":
    main()
