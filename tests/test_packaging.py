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


def test_release_build_passes_twine_check(tmp_path):
    """`python -m build` makes the sdist and wheel a release uploads; twine checks their metadata as the
    package index would (README renders, license file shipped)."""
    import shutil

    twine = shutil.which("twine") or str(__import__("pathlib").Path(sys.executable).parent / "twine")
    built = subprocess.run([sys.executable, "-m", "build", "-o", str(tmp_path), str(REPO)], capture_output=True,
                           text=True, timeout=600)
    if built.returncode != 0 and "No module named build" in built.stderr:
        import pytest

        pytest.skip("build is not installed (pip install -e '.[test]')")
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    dists = sorted(tmp_path.glob("nodelint-*"), key=lambda d: d.suffix)
    assert [d.suffix for d in dists] == [".gz", ".whl"]
    checked = subprocess.run([twine, "check", "--strict", *map(str, dists)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    wheel = zipfile.ZipFile(dists[1]).namelist()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in wheel)
