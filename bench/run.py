"""nodelint's benchmark: start-up, throughput, parallel work, scaling and memory, each against a
floor measured in the same run.  It prints figures; it asserts nothing (timings belong in
reports, not tests).

    python3 bench/run.py                 # build the wheel, install it in .cache/bench, measure
    python3 bench/run.py --quick         # fewer rounds, trees of 1,000 and 5,000 files, no 100k row
    python3 bench/run.py --venv DIR      # measure the nodelint already installed in DIR
                                         # (e.g. an older release, for before/after figures)
    python3 bench/run.py --instructions  # only the instruction counts (valgrind), ~2 minutes

How it measures: commands that are compared run in rounds; a round runs each of them once, in a
shuffled order, and a ratio is taken within its round, so load on a shared machine hits all
alike.  Every figure is the median over rounds with its interquartile range (IQR); every
process is started fresh.

- start-up: ``nodelint check`` of one containerd config and of one kubelet YAML against
  ``python -c pass`` of the same interpreter (wall time, and CPU from ``wait4``), against
  ``python -c "import typer"`` and yamllint (the earlier targets);
- throughput: trees of 1,000 and 10,000 files built from ../shared/corpus (bench/tree.py),
  checked and fixed with ``--jobs 1`` and with every core, against the parse-only floor
  (bench/floor.py: tomli, json's C decoder, libyaml: the parsers nodelint uses), with the
  earlier pure-Python tomllib floor beside it;
- parallel work: the parent's and the workers' CPU of a 10,000-file check with every core
  (``NODELINT_STATS=1``) and the serial fraction they imply;
- instructions (full runs, or ``--instructions`` alone, where valgrind is installed): check and
  --fix with --jobs 1 against the floor, per file between trees of 1,000 and 2,000 files, in
  instructions counted by cachegrind: a ratio that holds still on a machine whose timings
  wander (user space only: the kernel's share of the time is not in it);
- scaling and memory: time(10,000) / time(1,000), a 100,000-file tree (check and --fix, one
  process and every core, peak RSS) and time(100,000) / time(10,000);
- pathological inputs: bench/pathological.py's rows (time at n and 10n, peak RSS).
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import re
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


def run_once(argv: list[str], cwd: Path | None = None, env: dict | None = None) -> dict:
    """Wall and CPU seconds, peak RSS (KiB, largest process) and stderr of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read().decode() if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({code}): {err.strip()}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss, "err": err}


def rounds(commands: dict, count: int, warmup: int = 1, before: dict | None = None) -> dict[str, list[dict]]:
    """Each command ``count`` times; a round runs every command once in a shuffled order.
    ``commands``: name -> (argv, cwd); ``before``: name -> a function run before it, untimed."""
    for _ in range(warmup):
        for name, (argv, cwd) in commands.items():
            if before and name in before:
                before[name]()
            run_once(argv, cwd)
    out: dict[str, list[dict]] = {name: [] for name in commands}
    rng = random.Random(7)
    for _ in range(count):
        order = list(commands)
        rng.shuffle(order)
        for name in order:
            if before and name in before:
                before[name]()
            argv, cwd = commands[name]
            out[name].append(run_once(argv, cwd))
    return out


def spread(values: list[float]) -> tuple[float, float]:
    """(median, interquartile range)."""
    if len(values) < 4:
        return statistics.median(values), max(values) - min(values)
    q = statistics.quantiles(values, n=4)
    return statistics.median(values), q[2] - q[0]


def ratio(runs: dict, top: str, bottom: str, key: str = "wall") -> tuple[float, float]:
    """Median and IQR of the per-round ratio top / bottom."""
    return spread([a[key] / b[key] for a, b in zip(runs[top], runs[bottom])])


def ms(values: list[dict], key: str = "wall") -> str:
    m, iqr = spread([v[key] for v in values])
    return f"{m * 1000:8.1f} ms ±{iqr * 1000:5.1f}"


def secs(values: list[dict], key: str = "wall") -> str:
    m, iqr = spread([v[key] for v in values])
    return f"{m:8.3f} s ±{iqr:6.3f}"


def x(r: tuple[float, float]) -> str:
    return f"{r[0]:.2f}x (IQR {r[1]:.2f})"


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


class Bench:
    def __init__(self, python: str, nodelint: str, yamllint: str, corpus: Path, work: Path, cores: int, jobs: bool):
        self.python, self.nodelint, self.yamllint = python, nodelint, yamllint
        self.corpus, self.work, self.cores = corpus, work, cores
        self.one_process = ["--jobs", "1"] if jobs else []  # releases before --jobs ran in one process
        self.rows: list[tuple[str, str, str]] = []

    def row(self, name: str, figure: str, note: str = "") -> None:
        self.rows.append((name, figure, note))

    def start_up(self, count: int) -> None:
        by_kind = corpus_files(self.corpus)
        containerd = self.work / "one/etc/containerd/config.toml"
        containerd.parent.mkdir(parents=True)
        shutil.copy(next(p for p in by_kind["containerd"] if p.name == "config.toml"), containerd)
        kubelet = self.work / "one/var/lib/kubelet/config.yaml"
        kubelet.parent.mkdir(parents=True)
        shutil.copy(next(p for p in by_kind["kubelet"] if p.suffix == ".yaml"), kubelet)
        runs = rounds({
            "pass": ([self.python, "-c", "pass"], None),
            "typer": ([self.python, "-c", "import typer"], None),
            "containerd": ([self.nodelint, "check", "-q", str(containerd)], None),
            "kubelet": ([self.nodelint, "check", "-q", str(kubelet)], None),
            "yamllint": ([self.yamllint, str(kubelet)], None),
        }, count, warmup=3)
        self.row("python -c pass", ms(runs["pass"]), f"CPU {ms(runs['pass'], 'cpu').strip()}")
        self.row('python -c "import typer"', ms(runs["typer"]))
        self.row("yamllint <kubelet config.yaml>", ms(runs["yamllint"]))
        for name, target in (("containerd", 2.0), ("kubelet", 2.5)):
            what = "containerd config.toml" if name == "containerd" else "kubelet config.yaml"
            self.row(f"nodelint check <{what}>", ms(runs[name]),
                     f"{x(ratio(runs, name, 'pass'))} python -c pass by wall, {x(ratio(runs, name, 'pass', 'cpu'))} "
                     f"by CPU (target <= {target}x)")
        self.row("  (earlier targets)", "", f"containerd {x(ratio(runs, 'containerd', 'typer'))} import typer "
                 f"(<= 1.25x); kubelet {x(ratio(runs, 'kubelet', 'yamllint'))} yamllint (<= 0.7x)")

    def tree(self, n: int, count: int, fix: bool = True) -> dict:
        tree = self.work / f"tree-{n}"
        make_tree(self.corpus, tree, n)
        os.sync()  # the tree's own write-back is not the timed runs' to pay
        scratch = {label: self.work / f"scratch-{label}" for label in ("fix -j1", "fix")}

        def fresh_copy(target):
            def copy():
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(tree, target, symlinks=True)
                os.sync()  # the copy's own write-back is not the timed run's to pay
            return copy

        commands = {
            "floor": ([self.python, str(HERE / "floor.py"), "."], tree),
            "floor (tomllib)": ([self.python, str(HERE / "floor.py"), "--tomllib", "."], tree),
            "check -j1": ([self.nodelint, "check", "-q", *self.one_process, "."], tree),
            "check": ([self.nodelint, "check", "-q", "."], tree),
        }
        before = {}
        if fix:
            for label, extra in (("fix -j1", self.one_process), ("fix", [])):
                commands[label] = ([self.nodelint, "check", "--fix", "-q", *extra, "."], scratch[label])
                before[label] = fresh_copy(scratch[label])
        runs = rounds(commands, count, warmup=0, before=before)
        self.row(f"parse-only floor, {n:,} files", secs(runs["floor"]),
                 f"{n / spread([r['wall'] for r in runs['floor']])[0]:8.0f} files/s (tomli, json, libyaml)")
        self.row(f"  earlier floor (tomllib), {n:,} files", secs(runs["floor (tomllib)"]))
        for label in commands:
            if label.startswith("floor"):
                continue
            jobs = " --jobs 1" if "-j1" in label else f" (--jobs {self.cores})"
            target = {"check -j1": " (target <= 2.0x)", "fix -j1": " (target <= 4.0x)"}.get(label, "")
            median = spread([r["wall"] for r in runs[label]])[0]
            self.row(f"nodelint {label.split()[0]}{jobs}, {n:,} files", secs(runs[label]),
                     f"{n / median:8.0f} files/s  {x(ratio(runs, label, 'floor'))} floor{target}; "
                     f"{ratio(runs, label, 'floor (tomllib)')[0]:.2f}x the tomllib floor")
        for path in scratch.values():
            shutil.rmtree(path, ignore_errors=True)
        return {"tree": tree, "runs": runs}

    def instructions(self, sizes: tuple[int, int] = (1_000, 2_000)) -> None:
        """check and --fix with --jobs 1 against the floor, counted in instructions (valgrind's
        cachegrind; user space only, kernel time not included): one run each, the same count
        on every run (PYTHONHASHSEED=0), so the ratio holds still on a machine whose timings
        wander.  Taken between two tree sizes, so start-up and fixed costs cancel out."""
        valgrind = shutil.which("valgrind")
        if valgrind is None:
            self.row("instructions per file", "n/a", "no valgrind on PATH")
            return
        env = dict(os.environ, PYTHONHASHSEED="0")

        def counted(argv: list[str], cwd: Path) -> int:
            out = subprocess.run([valgrind, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                                  *argv], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                 text=True).stderr
            return int(re.search(r"I\s+refs:\s+([\d,]+)", out).group(1).replace(",", ""))

        counts: dict[str, list[int]] = {"floor": [], "check": [], "fix": []}
        for n in sizes:
            tree, scratch = self.work / f"ir-tree-{n}", self.work / f"ir-scratch-{n}"
            make_tree(self.corpus, tree, n)
            shutil.copytree(tree, scratch, symlinks=True)
            counts["floor"].append(counted([self.python, str(HERE / "floor.py"), "."], tree))
            counts["check"].append(counted([self.python, self.nodelint, "check", "-q", *self.one_process, "."], tree))
            counts["fix"].append(counted([self.python, self.nodelint, "check", "--fix", "-q", *self.one_process, "."],
                                         scratch))
            shutil.rmtree(tree)
            shutil.rmtree(scratch)
        small, large = sizes
        per_file = {k: (v[1] - v[0]) / (large - small) for k, v in counts.items()}
        self.row(f"instructions per file, {small:,} -> {large:,} files", f"{per_file['floor'] / 1e3:6.0f} k",
                 "parse-only floor (valgrind; user space only)")
        for label, target in (("check", 2.0), ("fix", 4.0)):
            self.row(f"  nodelint {label} --jobs 1", f"{per_file[label] / 1e3:6.0f} k",
                     f"{per_file[label] / per_file['floor']:.2f}x floor (the time target: <= {target}x)")

    def serial_fraction(self, tree: Path, count: int) -> None:
        env = dict(os.environ, NODELINT_STATS="1")
        figures = []
        for _ in range(count):
            err = run_once([self.nodelint, "check", "-q", "."], tree, env)["err"]
            m = re.search(r"parent_cpu=([\d.]+) workers_cpu=([\d.]+) serial_fraction=([\d.]+)", err)
            if m is None:
                self.row("serial fraction", "n/a", "this nodelint prints no NODELINT_STATS line")
                return
            figures.append(tuple(float(g) for g in m.groups()))
        parent, workers, fraction = (spread([f[i] for f in figures]) for i in range(3))
        self.row(f"parent / workers CPU, check --jobs {self.cores}", f"{parent[0]:6.2f} / {workers[0]:.2f} s",
                 f"serial fraction {fraction[0]:.3f} (IQR {fraction[1]:.3f}; target <= 0.05)")

    def big(self, count: int) -> dict:
        n = 100_000
        tree = self.work / "tree-100000"
        make_tree(self.corpus, tree, n)
        os.sync()  # 100,000 new files: their write-back would land in the first timed runs
        scratch = self.work / "scratch-100000"
        out = {}
        for label, argv in (("check -j1", ["check", "-q", *self.one_process, "."]), ("check", ["check", "-q", "."]),
                            ("fix -j1", ["check", "--fix", "-q", *self.one_process, "."]),
                            ("fix", ["check", "--fix", "-q", "."])):
            runs = []
            for _ in range(count):
                cwd = tree
                if label.startswith("fix"):
                    shutil.rmtree(scratch, ignore_errors=True)
                    shutil.copytree(tree, scratch, symlinks=True)
                    os.sync()
                    cwd = scratch
                runs.append(run_once([self.nodelint, *argv], cwd))
            out[label] = runs
            jobs = " --jobs 1" if "-j1" in label else f" (--jobs {self.cores})"
            peak = max(r["rss"] for r in runs) / 1024
            self.row(f"nodelint {label.split()[0]}{jobs}, 100,000 files", secs(runs),
                     f"{n / spread([r['wall'] for r in runs])[0]:8.0f} files/s  peak RSS {peak:6.1f} MiB (target <= 100)")
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(tree, ignore_errors=True)
        return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--venv", type=Path, help="measure the nodelint installed in this virtualenv")
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("--quick", action="store_true", help="fewer rounds, trees of 1,000 and 5,000 files, no 100k row")
    ap.add_argument("--no-pathological", action="store_true", help="skip bench/pathological.py's rows")
    ap.add_argument("--instructions", action="store_true", help="only the instruction counts (valgrind)")
    ap.add_argument("--cache", type=Path, default=REPO / ".cache" / "bench")
    args = ap.parse_args()

    args.cache.mkdir(parents=True, exist_ok=True)
    venv = args.venv.absolute() if args.venv else install(args.cache)  # the runs change directory
    bin_dir = venv / "bin"
    python, nodelint = str(bin_dir / "python"), str(bin_dir / "nodelint")
    yamllint = shutil.which("yamllint", path=str(bin_dir)) or str(bin_dir / "yamllint")
    starts, tree_rounds = (10, 3) if args.quick else (30, 5)
    sizes = (1_000, 5_000) if args.quick else (1_000, 10_000)
    version = subprocess.run([python, "-c", "import nodelint; print(nodelint.__version__)"],
                             capture_output=True, text=True).stdout.strip()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    has_jobs = "--jobs" in subprocess.run([nodelint, "check", "--help"], capture_output=True, text=True).stdout

    work = Path(tempfile.mkdtemp(prefix="nodelint-bench-"))
    bench = Bench(python, nodelint, yamllint, args.corpus, work, cores, has_jobs)
    try:
        if args.instructions:
            bench.instructions()
            args.no_pathological = True
        else:
            bench.start_up(starts)
            trees = {n: bench.tree(n, tree_rounds) for n in sizes}
            small, large = sizes
            bench.serial_fraction(trees[large]["tree"], tree_rounds)
            if not args.quick:
                bench.instructions()
            for label in ("check -j1", "check"):
                r = spread([b["wall"] / a["wall"] for a, b in zip(trees[small]["runs"][label], trees[large]["runs"][label])])
                bench.row(f"scaling {label}: time({large:,}) / time({small:,})", f"{r[0]:8.2f}",
                          f"IQR {r[1]:.2f} (target <= {large / small * 1.1:.0f})")
            bench.row(f"peak RSS, check --jobs 1, {large:,} files",
                      f"{max(r['rss'] for r in trees[large]['runs']['check -j1']) / 1024:6.1f} MiB")
            for tree in trees.values():
                shutil.rmtree(tree["tree"], ignore_errors=True)
            if not args.quick:
                big = bench.big(3)
                for label in ("check -j1", "check"):
                    r, cpu = (statistics.median(b[key] for b in big[label]) /
                              statistics.median(t[key] for t in trees[large]["runs"][label]) for key in ("wall", "cpu"))
                    bench.row(f"scaling {label}: time(100,000) / time({large:,})", f"{r:8.2f}",
                              f"target <= 10.5; by CPU {cpu:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"nodelint {version} | Python {platform.python_version()} | {cores} cores | {platform.machine()} | "
          f"medians (± IQR) of {starts} start-up rounds and {tree_rounds} tree rounds, ratios within a round")
    width = max(len(r[0]) for r in bench.rows)
    for name, figure, note in bench.rows:
        print(f"{name:<{width}}  {figure:>20}  {note}".rstrip())
    if not args.no_pathological:
        print("\npathological inputs (bench/pathological.py):", flush=True)
        subprocess.run([sys.executable, str(HERE / "pathological.py"), "--nodelint", nodelint])


if __name__ == "__main__":
    main()
