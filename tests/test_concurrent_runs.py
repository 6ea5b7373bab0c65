"""Two --fix runs at once never get in each other's way.

pre-commit hands a hook's files to several processes at once, and a --root run can meet a walk
of the same tree: a run removes only the temporary files of runs that are dead (see write/atomic.py),
so every file gets fixed and no run fails.
"""
from __future__ import annotations

import subprocess

from .conftest import nodelint_exe, write

LOW = "fs.inotify.max_user_instances = 128\n"
FIXED = "fs.inotify.max_user_instances = 8192\n"


def sysctl_files(directory, n):
    return [write(directory / f"{i:03d}-k8s.conf", LOW) for i in range(n)]


def run_together(*argvs):
    procs = [subprocess.Popen([nodelint_exe(), *map(str, argv)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True) for argv in argvs]
    return [(p.wait(timeout=120), p.stderr.read()) for p in procs]


def test_two_fix_runs_over_the_halves_of_one_directory_both_succeed(tmp_path):
    for attempt in range(20):
        directory = tmp_path / f"round{attempt}/etc/sysctl.d"
        paths = sysctl_files(directory, 200)
        common = ["--fix", "--quiet", "--select", "NL201"]
        results = run_together(common + paths[:100], common + paths[100:])
        for code, err in results:
            assert code == 0, f"round {attempt}: {err}"
        assert all(p.read_text() == FIXED for p in paths), f"round {attempt}: a file was not fixed"
        assert sorted(p.name for p in directory.iterdir()) == sorted(p.name for p in paths)


def test_a_root_run_beside_a_walk_of_the_same_tree(tmp_path):
    for attempt in range(5):
        root = tmp_path / f"round{attempt}"
        paths = sysctl_files(root / "etc/sysctl.d", 60)
        results = run_together(["--fix", "--quiet", "--select", "NL201", "--root", root],
                               ["--fix", "--quiet", "--select", "NL201", root / "etc/sysctl.d"])
        for code, err in results:
            # the second run to reach a file finds it changed since it read it: that is refused, not an error
            assert code == 0 or "changed on disk" in err, f"round {attempt}: {err}"
            assert "No such file" not in err
        assert all(p.read_text() in (LOW, FIXED) for p in paths)  # the root run fixes the file that wins
        assert not [p for p in (root / "etc/sysctl.d").iterdir() if p.name.startswith(".nodelint-")]
