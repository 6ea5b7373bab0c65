"""The live audit on a running node of 2,000 processes: the one pass over /proc, and a whole run.

    python3 bench/live.py [--processes N] [--nodelint PATH] [--rounds R]

Builds a /proc and /sys/fs/cgroup tree (tests/test_live.py's Node) with N processes: a
containerd holding 120 inotify instances, pods of a shim, a pause and two workers each, 8 open
files per process.  Prints the median seconds of read/live.read() in this process and of
``nodelint --live --root TREE --select NL5`` as a fresh process, over R rounds.  The target is
under 1 s for 2,000 processes on the 2-core CI machine.  It prints figures and asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))
from tests.test_live import CID, Node, systemd_pod  # noqa: E402


def build(root: Path, processes: int) -> None:
    node = Node(root)
    node.process(812, 1, "containerd", inotify=[3] * 120)
    pid = 1000
    while pid < 1000 + processes - 2:
        uid = f"{pid:08d}-0000-4000-8000-000000000000"
        pod = systemd_pod(uid)
        node.process(pid, 1, "containerd-shim")
        node.process(pid + 1, pid, "pause", cgroup=f"{pod}/cri-containerd-{CID}.scope", ns_pid=1)
        for worker in (pid + 2, pid + 3):
            node.process(worker, pid, "app", cgroup=f"{pod}/cri-containerd-{CID}.scope", ns_pid=worker - pid)
        pid += 4
    for base in (root / "proc").iterdir():
        if base.name.isdigit():
            for n in range(1, 8):
                os.symlink(f"socket:[{n}]", base / "fd" / str(1000 + n))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--processes", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--nodelint", default=str(Path(sys.executable).with_name("nodelint")))
    args = parser.parse_args()
    from nodelint.read import live
    from nodelint.read.rootfs import RootFS

    work = Path(tempfile.mkdtemp(prefix="nodelint-live-bench-"))
    try:
        build(work, args.processes)
        count = len([p for p in (work / "proc").iterdir() if p.name.isdigit()])
        reads, runs = [], []
        for _ in range(args.rounds):
            start = time.perf_counter()
            snap = live.read(RootFS(str(work)))
            reads.append(time.perf_counter() - start)
            start = time.perf_counter()
            subprocess.run([args.nodelint, "--live", "--root", str(work), "--select", "NL5", "--quiet"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            runs.append(time.perf_counter() - start)
        print(f"processes: {count} (read: {len(snap.processes)})")
        print(f"one pass over /proc (read/live.read): median {statistics.median(reads):.3f} s")
        print(f"nodelint --live --select NL5, whole run: median {statistics.median(runs):.3f} s (target < 1 s)")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
