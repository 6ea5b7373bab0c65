"""--fix keeps every byte it does not have to change: BOM, CRLF, final newline, owner."""
from __future__ import annotations

import os

import pytest

from .conftest import write

V2 = 'plugins."io.containerd.grpc.v1.cri"'


def test_bom_and_crlf_survive_a_fix(nodelint, tmp_path):
    text = (f"\ufeffversion = 2\r\n[{V2}.containerd.runtimes.runc.options]\r\n  SystemdCgroup = false\r\n")
    path = tmp_path / "etc/containerd/config.toml"
    path.parent.mkdir(parents=True)
    path.write_bytes(text.encode("utf-8"))
    assert nodelint("--format", "json", path).rules() == ["NL101"]
    nodelint("--fix", path)
    assert path.read_bytes() == text.replace("false", "true").encode("utf-8")


def test_yaml_bom_and_missing_final_newline(nodelint, tmp_path):
    path = tmp_path / "var/lib/kubelet/config.yaml"
    path.parent.mkdir(parents=True)
    path.write_bytes("\ufeffkind: KubeletConfiguration\r\ncgroupDriver: cgroupfs".encode())
    nodelint("--fix", path)
    assert path.read_bytes() == "\ufeffkind: KubeletConfiguration\r\ncgroupDriver: systemd".encode()


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's owner needs root")
def test_owner_and_group_are_kept(nodelint, tmp_path):
    path = write(tmp_path / "etc/docker/daemon.json", '{"exec-opts": ["native.cgroupdriver=cgroupfs"]}\n')
    os.chown(path, 1234, 4321)
    nodelint("--fix", path)
    st = path.stat()
    assert (st.st_uid, st.st_gid) == (1234, 4321)
    assert "systemd" in path.read_text()


def test_suppression_in_yaml_and_env_files(nodelint, tmp_path):
    yaml = write(tmp_path / "var/lib/kubelet/config.yaml",
                 "kind: KubeletConfiguration\n# nodelint: ignore[NL105]\ncgroupDriver: cgroupfs\n")
    env = write(tmp_path / "etc/default/kubelet",
                "# nodelint: ignore\nKUBELET_EXTRA_ARGS=--cgroup-driver=cgroupfs\n")
    assert nodelint("--format", "json", yaml, env).rules() == []
    # an environment file's comments are whole lines: a trailing one is part of the value, not a suppression
    trailing = write(tmp_path / "x/etc/default/kubelet",
                     "KUBELET_EXTRA_ARGS=--cgroup-driver=cgroupfs  # nodelint: ignore\n")
    assert "NL105" in nodelint("--format", "json", trailing).rules()


def test_unparseable_fix_results_are_never_written(nodelint, tmp_path, monkeypatch):
    from nodelint.read.formats import toml
    from nodelint.read.formats.text import Splice

    path = write(tmp_path / "etc/containerd/config.toml",
                 f"version = 2\n[{V2}.containerd.runtimes.runc.options]\n  SystemdCgroup = false\n")
    before = path.read_bytes()
    monkeypatch.setattr(toml, "plan", lambda doc, edit: [Splice(0, 0, "[[[ broken\n")])
    out = nodelint("--fix", path)
    assert path.read_bytes() == before
    assert out.code == 1
