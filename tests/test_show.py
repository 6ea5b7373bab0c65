"""``nodelint show``: the effective view behind the findings, as a user asks "why does nodelint say
this?".  The conformance tests (tests/conformance) hold the same view to the real programs;
these examples pin what a user reads."""
from __future__ import annotations

import json

import pytest

from .conftest import write

RUNC_V2 = ('version = 2\n'
           '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n'
           'runtime_type = "io.containerd.runc.v2"\n'
           '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n'
           'SystemdCgroup = true\n')


@pytest.fixture
def node(tmp_path):
    root = tmp_path / "root"
    write(root / "usr/lib/sysctl.d/50-base.conf", "fs.inotify.max_user_instances = 8192\n")
    write(root / "etc/sysctl.d/zz.conf", "fs.inotify.max_user_instances = 128\n-fs.inotify.max_user_watches\n")
    write(root / "etc/sysctl.conf", "fs.inotify.max_user_watches = 1000\n")
    write(root / "etc/containerd/config.toml", RUNC_V2)
    write(root / "etc/systemd/system/kubelet.service", "[Service]\nExecStart=/usr/bin/kubelet $KUBELET_EXTRA_ARGS\n")
    write(root / "etc/systemd/system/kubelet.service.d/10-args.conf",
          '[Service]\nEnvironment="KUBELET_EXTRA_ARGS=--cgroup-driver=cgroupfs"\n')
    return root


def test_text_names_the_line_that_wins_for_each_setting(nodelint, node):
    out = nodelint("show", "--root", str(node))
    assert out.code == 0, out.err
    text = out.out.replace(str(node), "ROOT")
    # the later file wins for systemd-sysctl; "-key" drops sysctl.conf's value, which procps still applies
    assert "  fs.inotify.max_user_instances = 128    # ROOT/etc/sysctl.d/zz.conf:1\n" in text
    assert ("  fs.inotify.max_user_watches: not set (kernel default 8192)"
            "    (sysctl --system: 1000, ROOT/etc/sysctl.conf:1)\n") in text
    # every containerd line reads this version 2 file alike, except 2.3 which migrates it to version 4
    assert ("  containerd 1.6, 1.7, 2.0-2.2:\n"
            "    config version 2, default runtime runc\n"
            "    runc: io.containerd.runc.v2, SystemdCgroup = true    # SystemdCgroup at ROOT/etc/containerd/config.toml:5\n"
            "  containerd 2.3:\n"
            "    config version 4, default runtime runc\n") in text
    assert "  cgroupDriver = cgroupfs    # flag, ROOT/etc/systemd/system/kubelet.service.d/10-args.conf:2\n" in text


def test_json_is_a_stable_contract(nodelint, node):
    out = json.loads(nodelint("show", "--root", str(node), "--format", "json").out)
    assert out["version"] == 1
    (n,) = out["nodes"]
    assert n["mode"] == "root"
    sysctl = {e["key"]: e for e in n["sysctl"]}
    assert sysctl["fs.inotify.max_user_instances"]["value"] == "128"
    assert sysctl["fs.inotify.max_user_watches"]["value"] is None
    assert sysctl["fs.inotify.max_user_watches"]["procps"]["value"] == "1000"
    (config,) = n["containerd"]
    assert sorted(config["lines"]) == ["1.6", "1.7", "2.0-2.2", "2.3"]
    (runc,) = config["lines"]["1.6"]["handlers"]
    assert runc["systemd_cgroup"] is True and runc["systemd_cgroup_at"]["line"] == 5
    assert n["kubelet"][0]["cgroup_driver"]["value"] == "cgroupfs"


def test_a_known_version_shows_only_its_line(nodelint, node):
    out = nodelint("show", "--root", str(node), "--runtime-version", "containerd=2.1.4", "--format", "json")
    (config,) = json.loads(out.out)["nodes"][0]["containerd"]
    assert list(config["lines"]) == ["2.0-2.2"]


def test_key_asks_about_a_parameter_no_file_sets(nodelint, node):
    out = nodelint("show", "--root", str(node), "--key", "vm/panic_on_oom")
    assert "  vm.panic_on_oom: not set (kernel default 0)\n" in out.out


def test_a_version_1_file_loses_its_runtimes_on_containerd_2(nodelint, tmp_path):
    write(tmp_path / "etc/containerd/config.toml",
          '[plugins.cri.containerd.runtimes.runc.options]\nSystemdCgroup = true\n')
    out = json.loads(nodelint("show", "--root", str(tmp_path), "--format", "json").out)
    lines = out["nodes"][0]["containerd"][0]["lines"]
    assert lines["1.6"]["handlers"][0]["systemd_cgroup"] is True
    assert lines["2.0-2.2"]["handlers"][0]["systemd_cgroup"] is False  # the default config's value


def test_output_file_and_bad_arguments(nodelint, node, tmp_path):
    target = tmp_path / "view.json"
    assert nodelint("show", "--root", str(node), "--format", "json", "-o", str(target)).out == ""
    assert json.loads(target.read_text())["version"] == 1
    bad = nodelint("show", "--format", "sarif", str(node))
    assert bad.code == 2 and bad.err.strip() == "nodelint: error: --format must be text or json for show"
    missing = nodelint("show", "--root", str(tmp_path / "nowhere"))
    assert missing.code == 2 and "Traceback" not in missing.err and missing.err.count("\n") == 1


def test_the_readme_example_is_what_show_prints(nodelint, tmp_path, monkeypatch):
    import re

    from .conftest import REPO

    root = tmp_path / "mnt/image"
    write(root / "usr/lib/sysctl.d/50-base.conf", "fs.inotify.max_user_instances = 8192\n")
    write(root / "etc/sysctl.d/zz.conf", "fs.inotify.max_user_instances = 128\n-fs.inotify.max_user_watches\n")
    write(root / "etc/sysctl.conf", "fs.inotify.max_user_watches = 1000\n")
    write(root / "etc/containerd/config.toml", '[plugins.cri.containerd.runtimes.runc]\nruntime_type = '
          '"io.containerd.runc.v2"\n[plugins.cri.containerd.runtimes.runc.options]\nSystemdCgroup = true\n')
    write(root / "etc/systemd/system/kubelet.service", "[Service]\nExecStart=/usr/bin/kubelet $KUBELET_EXTRA_ARGS\n")
    write(root / "etc/systemd/system/kubelet.service.d/10-args.conf",
          '[Service]\nEnvironment="KUBELET_EXTRA_ARGS=--cgroup-driver=cgroupfs"\n')
    monkeypatch.chdir(tmp_path)
    shown = nodelint("show", "--root", "mnt/image").out.replace("mnt/image", "/mnt/image")
    documented = re.search(r"```text\n(# node /mnt/image.*?)```", (REPO / "README.md").read_text(), re.S).group(1)
    assert shown.strip() == documented.strip()


def test_systemd_cgroup_set_by_another_file_is_not_placed_in_the_handlers_file(nodelint, tmp_path):
    # 2.x merges the drop-in's runc table over the main file's: the drop-in is the table's
    # document, but SystemdCgroup still comes from the main file, so show names no line for it
    root = tmp_path / "root"
    write(root / "etc/containerd/config.toml", 'version = 2\nimports = ["/etc/containerd/conf.d/*.toml"]\n'
          '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\nSystemdCgroup = false\n')
    write(root / "etc/containerd/conf.d/10-runc.toml", 'version = 2\n\n\n'
          '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\nruntime_type = "io.containerd.runc.v2"\n')
    out = nodelint("show", "--root", str(root), "--runtime-version", "containerd=2.1.4", "--format", "json")
    (config,) = json.loads(out.out)["nodes"][0]["containerd"]
    (runc,) = config["lines"]["2.0-2.2"]["handlers"]
    assert runc["systemd_cgroup"] is False
    assert runc["path"].endswith("10-runc.toml") and runc["line"] == 4
    assert "systemd_cgroup_at" not in runc  # before: line 1 of the drop-in, which does not set it
