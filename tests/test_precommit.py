"""The real pre-commit runs nodelint's hooks on an image-build repo made of corpus files."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from .conftest import CORPUS, REPO, needs_corpus

pytest.importorskip("pre_commit")
pytestmark = needs_corpus

FILES = {
    "files/etc/containerd/config.toml": "minikube/deploy/kicbase/containerd.toml",
    "files/etc/docker/daemon.json": "amazon-eks-ami-0ab8428/templates/al2/runtime/docker-daemon.json",
    "files/etc/containerd/runsc.toml": "extensions/container-runtime/gvisor/runsc-kvm.toml",
    "roles/kubelet/files/var/lib/kubelet/config.yaml": "kubernetes-the-hard-way/configs/kubelet-config.yaml",
    "roles/containerd/templates/config.toml.j2": "kubespray/roles/container-engine/containerd/templates/config.toml.j2",
    "README.md": None,
}


def git(repo, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(repo), *args], check=True,
                   capture_output=True)


@pytest.fixture(scope="module")
def image_repo(tmp_path_factory):
    repo = tmp_path_factory.mktemp("image-repo")
    for dest, src in FILES.items():
        (repo / dest).parent.mkdir(parents=True, exist_ok=True)
        if src is None:
            (repo / dest).write_text("# an image-build repo\n")
        else:
            shutil.copyfile(CORPUS / src, repo / dest)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "initial")
    return repo


def try_repo(repo, hook, home):
    env_home = {"PRE_COMMIT_HOME": str(home), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    import os

    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(REPO), hook, "--all-files",
                           "--verbose"], cwd=repo, capture_output=True, text=True, timeout=900,
                          env=dict(os.environ, **env_home))


def test_hooks_check_then_fix_then_pass(image_repo, tmp_path_factory):
    home = tmp_path_factory.mktemp("pre-commit-home")
    check = try_repo(image_repo, "nodelint", home)
    assert check.returncode == 1, check.stdout + check.stderr
    found = set(re.findall(r": (NL\d{3}) ", check.stdout))
    assert {"NL101", "NL103", "NL104"} <= found, check.stdout
    assert "NL002" in found  # the Jinja template is recognised, not checked
    assert "README.md" not in check.stdout and "Traceback" not in check.stdout + check.stderr

    fix = try_repo(image_repo, "nodelint-fix", home)
    assert fix.returncode == 1  # pre-commit fails a hook that modified files
    assert "files were modified by this hook" in fix.stdout
    assert "SystemdCgroup = true" in (image_repo / "files/etc/containerd/config.toml").read_text()
    assert "native.cgroupdriver=systemd" in (image_repo / "files/etc/docker/daemon.json").read_text()

    again = try_repo(image_repo, "nodelint", home)
    assert again.returncode == 0, again.stdout


def test_the_fix_hook_over_more_files_than_one_batch(tmp_path_factory):
    """pre-commit splits a long file list into batches and runs them in parallel processes: every
    file is fixed once, wholly, and no temporary file is left (the writer's locks, safety issue)."""
    repo = tmp_path_factory.mktemp("many")
    bad = '{"exec-opts": ["native.cgroupdriver=cgroupfs"]}\n'
    long = "a-rather-long-directory-name-so-that-the-command-line-fills-up-quickly-" * 3
    paths = []
    for i in range(700):  # about 180 KB of arguments: more than one batch (pre-commit splits at 128 KiB)
        path = repo / f"nodes/{long}{i:03d}/etc/docker/daemon.json"
        path.parent.mkdir(parents=True)
        path.write_text(bad)
        paths.append(path)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "initial")
    fix = try_repo(repo, "nodelint-fix", tmp_path_factory.mktemp("home"))
    assert fix.returncode == 1 and "Traceback" not in fix.stdout + fix.stderr
    assert all(p.read_text() == '{"exec-opts": ["native.cgroupdriver=systemd"]}\n' for p in paths)
    left = [p for p in repo.rglob("*") if p.name.startswith(".nodelint-")]
    assert left == []
