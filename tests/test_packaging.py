"""The wheel carries the rule data, and an installed nodelint finds it outside the source tree."""
from __future__ import annotations

import subprocess
import sys
import zipfile

from .conftest import REPO


def test_wheel_ships_rule_data_and_runs_from_it(tmp_path):
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(REPO)],
                           capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr
    wheel = next(tmp_path.glob("nodelint-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "nodelint/_data/cgroup-driver.toml" in names
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=600)
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import nodelint.read.data as d; "
            "print(d.data_dir()); import nodelint.models.containerd")
    out = subprocess.run([sys.executable, "-c", code, str(target)], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().startswith(str(target))
