"""Start-up stays lean: a plain check imports no module it does not need (README, Performance).

Import lists, not timings: bench/run.py measures time; these fail when a heavy import creeps
back into the path every pre-commit run takes."""
from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import write

# typer and its help renderer; the round-trip editors; what only worker pools need; typing
NEVER_FOR_A_PLAIN_CHECK = {"typer", "click", "rich", "pydantic", "tomlkit", "ruamel.yaml",
                           "concurrent.futures", "multiprocessing", "typing", "ctypes", "subprocess"}


def imported(*args: str, cwd=None) -> set[str]:
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "nodelint", *args],
                         capture_output=True, text=True, cwd=cwd)
    assert out.returncode in (0, 1), out.stderr
    return {line.rsplit("|", 1)[1].strip() for line in out.stderr.splitlines() if line.startswith("import time:")}


BAD_CONTAINERD = ('version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n'
                  '  runtime_type = "io.containerd.runc.v2"\n')
KUBELET = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: systemd\n"


@pytest.mark.parametrize("name, text", [("etc/containerd/config.toml", BAD_CONTAINERD),
                                        ("var/lib/kubelet/config.yaml", KUBELET)])
def test_a_plain_check_of_one_file_imports_nothing_heavy(tmp_path, name, text):
    path = write(tmp_path / name, text)
    assert imported("check", "-q", str(path), cwd=tmp_path) & NEVER_FOR_A_PLAIN_CHECK == set()


def test_checking_a_tree_with_version_pins_runs_no_program_so_imports_no_subprocess(tmp_path):
    write(tmp_path / "node/etc/containerd/config.toml", BAD_CONTAINERD)
    write(tmp_path / "packer/containerd.json", '{"containerd_version": "1.5.9"}\n')
    modules = imported("check", "-q", "node/etc/containerd/config.toml", "packer/containerd.json", cwd=tmp_path)
    assert "nodelint.version_sources" in modules  # the pin was read
    assert "subprocess" not in modules


def test_fixing_a_toml_file_does_not_import_tomlkit(tmp_path):
    path = write(tmp_path / "etc/containerd/config.toml", BAD_CONTAINERD)
    modules = imported("check", "--fix", "-q", str(path), cwd=tmp_path)
    assert "SystemdCgroup = true" in path.read_text()
    assert "tomlkit" not in modules and "typer" not in modules
