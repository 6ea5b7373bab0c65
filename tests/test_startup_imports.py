"""Start-up stays lean: a plain check imports no module it does not need (README, Performance).

Import lists, not timings: bench/run.py measures time; these fail when a heavy import creeps
back into the path every pre-commit run takes."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CORPUS, needs_corpus, write

# typer and its help renderer; the round-trip editors; what only worker pools need; typing; what
# only carriers (user data, scripts: read/embedded) need; the parts of PyYAML nodelint does not use
NEVER_FOR_A_PLAIN_CHECK = {"typer", "click", "rich", "pydantic", "tomlkit", "ruamel.yaml",
                           "concurrent.futures", "multiprocessing", "typing", "ctypes", "subprocess",
                           "nodelint.read.embedded.codecs", "nodelint.read.embedded.generated", "gzip",
                           # PyYAML beyond libyaml's composer (read/formats/libyaml.py)
                           "yaml.reader", "yaml.constructor", "yaml.resolver", "yaml.emitter", "yaml.dumper",
                           "yaml.representer", "yaml.loader", "yaml.cyaml"}


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
    assert "nodelint.models.version_sources" in modules  # the pin was read
    assert "subprocess" not in modules


def test_fixing_a_toml_file_does_not_import_tomlkit(tmp_path):
    path = write(tmp_path / "etc/containerd/config.toml", BAD_CONTAINERD)
    modules = imported("check", "--fix", "-q", str(path), cwd=tmp_path)
    assert "SystemdCgroup = true" in path.read_text()
    assert "tomlkit" not in modules and "typer" not in modules


@needs_corpus
def test_a_tree_checked_in_worker_processes_imports_neither_multiprocessing_nor_concurrent_futures(tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from tree import make_tree  # bench/tree.py: trees of nodes built from the corpus

    make_tree(CORPUS, tmp_path / "tree", 450)
    modules = imported("check", "-q", "--jobs", "2", ".", cwd=tmp_path / "tree")
    assert "nodelint.write.workers" in modules  # the tree was big enough for workers
    assert {"multiprocessing", "concurrent.futures"} & modules == set()


def test_a_yaml_template_is_not_read_twice_to_word_an_error_nobody_sees(tmp_path):
    # libyaml rejects it; ruamel.yaml would only word the error, and a template's is not shown
    write(tmp_path / "roles/kube/templates/kubeadm.yaml.j2",
          "apiVersion: kubeadm.k8s.io/v1beta3\nkind: InitConfiguration\n{% if socket %}\nnodeRegistration:\n"
          "  criSocket: {{ socket }}\n{% endif %}\n")
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "nodelint", "check", "--format", "json", "."],
                         capture_output=True, text=True, cwd=tmp_path)
    assert [f["rule"] for f in json.loads(out.stdout)["findings"]] == ["NL002"]
    assert "ruamel.yaml" not in {line.rsplit("|", 1)[1].strip() for line in out.stderr.splitlines()
                                 if line.startswith("import time:")}
