"""Docker (NL104, NL109), gVisor (NL103), CRI-O (NL106) and the node mismatch (NL107)."""
from __future__ import annotations

from ..conftest import write

V2 = 'plugins."io.containerd.grpc.v1.cri"'


def found(nodelint, *args):
    return [(f["rule"], f["severity"]) for f in nodelint("--format", "json", *args).json["findings"]]


# ------------------------------------------------------------------- Docker

def test_docker_driver(nodelint, tmp_path):
    path = write(tmp_path / "etc/docker/daemon.json", '{\n  "exec-opts": ["native.cgroupdriver=cgroupfs"]\n}\n')
    assert found(nodelint, path) == [("NL104", "error")]
    nodelint("--fix", path)
    assert path.read_text() == '{\n  "exec-opts": ["native.cgroupdriver=systemd"]\n}\n'
    missing = write(tmp_path / "x/etc/docker/daemon.json", '{\n  "exec-opts": ["foo=bar"]\n}\n')
    assert found(nodelint, missing) == [("NL104", "warning")]
    nodelint("--fix", missing)
    assert missing.read_text() == '{\n  "exec-opts": ["foo=bar", "native.cgroupdriver=systemd"]\n}\n'


def test_docker_key_spellings_are_case_and_space_insensitive(nodelint, tmp_path):
    path = write(tmp_path / "etc/docker/daemon.json", '{"exec-opts": [" Native.CgroupDriver = systemd"]}')
    assert found(nodelint, path) == []


def test_docker_unknown_keys_that_stop_dockerd(nodelint, tmp_path):
    path = write(tmp_path / "etc/docker/daemon.json", '{\n  "cgroupdriver": "systemd",\n  "bridge": "none"\n}\n')
    assert ("NL108", "error") in found(nodelint, path)
    nodelint("--fix", path)
    assert path.read_text() == '{\n  "bridge": "none",\n  "exec-opts": ["native.cgroupdriver=systemd"]\n}\n'


def test_docker_runsc_systemd_flag_with_cgroupfs(nodelint, tmp_path):
    path = write(tmp_path / "etc/docker/daemon.json",
                 '{"exec-opts": ["native.cgroupdriver=cgroupfs"], "runtimes": {"gvisor": '
                 '{"path": "/usr/local/bin/runsc", "runtimeArgs": ["--systemd-cgroup"]}}}')
    assert ("NL109", "error") in found(nodelint, path, "--cgroup-driver", "cgroupfs")


# ------------------------------------------------------------------- gVisor

def test_runsc_toml(nodelint, tmp_path):
    path = write(tmp_path / "etc/containerd/runsc.toml", "[runsc_config]\n  systemd-cgroup = true\n")
    out = nodelint("--format", "json", path).json["findings"]
    assert [f["rule"] for f in out] == ["NL103"] and "must be strings" in out[0]["message"]
    nodelint("--fix", path)
    assert path.read_text() == '[runsc_config]\n  systemd-cgroup = "true"\n'
    assert found(nodelint, write(tmp_path / "a/runsc.toml", '[runsc_config]\nsystemd-cgroup = "True"\n')) == \
        [("NL103", "error")]
    assert found(nodelint, write(tmp_path / "b/runsc.toml", 'log_level = "debug"\n')) == [("NL103", "error")]


def test_runsc_handler_without_config_path_or_with_systemd_cgroup(nodelint, tmp_path):
    text = (f"version = 2\n[{V2}.containerd.runtimes.runc.options]\n  SystemdCgroup = true\n"
            f"[{V2}.containerd.runtimes.runsc]\n  runtime_type = 'io.containerd.runsc.v1'\n"
            f"[{V2}.containerd.runtimes.runsc.options]\n  SystemdCgroup = true\n")
    out = nodelint("--format", "json", write(tmp_path / "etc/containerd/config.toml", text)).json["findings"]
    assert sorted((f["rule"], f["line"]) for f in out) == [("NL103", 4), ("NL103", 7)]


def test_runsc_config_path_is_followed_under_root(nodelint, tmp_path):
    root = tmp_path / "img"
    write(root / "etc/containerd/config.toml",
          f"version = 2\n[{V2}.containerd.runtimes.runc.options]\n  SystemdCgroup = true\n"
          f"[{V2}.containerd.runtimes.runsc]\n  runtime_type = 'io.containerd.runsc.v1'\n"
          f"[{V2}.containerd.runtimes.runsc.options]\n  TypeUrl = 'io.containerd.runsc.v1.options'\n"
          "  ConfigPath = '/opt/gvisor/shim.toml'\n")
    out = nodelint("--format", "json", "--ignore", "NL2", "--root", root).json["findings"]
    assert [(f["rule"], f["line"]) for f in out] == [("NL103", 8)]  # the file does not exist
    shim = write(root / "opt/gvisor/shim.toml", "[runsc_config]\n")
    out = nodelint("--format", "json", "--ignore", "NL2", "--root", root).json["findings"]
    assert [(f["rule"], f["path"].endswith("opt/gvisor/shim.toml")) for f in out] == [("NL103", True)]
    nodelint("--fix", "--root", root)
    assert shim.read_text() == '[runsc_config]\nsystemd-cgroup = "true"\n'


# -------------------------------------------------------------------- CRI-O

def test_crio_drop_in_order_decides(nodelint, tmp_path):
    root = tmp_path / "node"
    write(root / "etc/crio/crio.conf", '[crio.runtime]\ncgroup_manager = "systemd"\n')
    late = write(root / "etc/crio/crio.conf.d/20-cgroupfs.conf", '[crio.runtime]\ncgroup_manager = "cgroupfs"\n'
                 'conmon_cgroup = "pod"\n')
    out = nodelint("--format", "json", "--ignore", "NL2", "--root", root).json["findings"]
    assert [(f["rule"], f["path"].endswith("20-cgroupfs.conf")) for f in out] == [("NL106", True)]
    nodelint("--fix", "--root", root)
    assert 'cgroup_manager = "systemd"' in late.read_text()


def test_crio_fix_is_withheld_when_conmon_cgroup_needs_cgroupfs(nodelint, tmp_path):
    path = write(tmp_path / "etc/crio/crio.conf", '[crio.runtime]\ncgroup_manager = "cgroupfs"\n'
                 'conmon_cgroup = "/conmon"\n')
    out = nodelint("--format", "json", path).json["findings"]
    assert [(f["rule"], f["fixable"]) for f in out] == [("NL106", False)]


def test_containers_conf_engine_and_old_location(nodelint, tmp_path):
    path = write(tmp_path / "etc/containers/containers.conf", '[engine]\ncgroup_manager = "cgroupfs"\n')
    assert found(nodelint, path) == [("NL106", "error")]
    old = write(tmp_path / "x/etc/containers/containers.conf", '[containers]\ncgroup_manager = "systemd"\n')
    assert found(nodelint, old) == [("NL108", "warning")]


# --------------------------------------------------------------- node views

def test_kubelet_and_containerd_mismatch_in_a_repo_tree(nodelint, tmp_path):
    repo = tmp_path / "repo"
    write(repo / "files/var/lib/kubelet/config.yaml", "kind: KubeletConfiguration\ncgroupDriver: systemd\n")
    write(repo / "files/etc/containerd/config.toml",
          f"version = 2\n[{V2}.containerd.runtimes.runc]\n  runtime_type = 'io.containerd.runc.v2'\n"
          f"[{V2}.containerd.runtimes.runc.options]\n  SystemdCgroup = false\n")
    out = nodelint("--format", "json", "--ignore", "NL2", repo).json["findings"]
    mismatch = [f for f in out if f["rule"] == "NL107"]
    assert len(mismatch) == 1
    assert mismatch[0]["path"].endswith("var/lib/kubelet/config.yaml")
    assert "etc/containerd/config.toml:5:19" in mismatch[0]["message"]
    # named one by one, the files are not a node view
    assert "NL107" not in nodelint("--format", "json", repo / "files/var/lib/kubelet/config.yaml",
                                   repo / "files/etc/containerd/config.toml").rules()


def test_a_mismatch_on_some_containerd_lines_names_them(nodelint, tmp_path):
    """A version 1 config keeps runc on systemd for containerd 1.x; 2.0-2.2 ignore its CRI tables."""
    root = tmp_path / "img"
    write(root / "var/lib/kubelet/config.yaml", "kind: KubeletConfiguration\ncgroupDriver: systemd\n")
    write(root / "etc/containerd/config.toml",
          "[plugins.cri.containerd.runtimes.runc]\n  runtime_type = 'io.containerd.runc.v2'\n"
          "[plugins.cri.containerd.runtimes.runc.options]\n  SystemdCgroup = true\n")
    out = nodelint("--format", "json", "--select", "NL107", "--root", root).json["findings"]
    assert [f["message"].split(" (")[0] for f in out] == [
        "kubelet uses the systemd cgroup driver but containerd uses cgroupfs on containerd 2.0-2.2"]
    # a node whose containerd is known to be 1.7 has no mismatch
    assert nodelint("--format", "json", "--select", "NL107", "--runtime-version", "containerd=1.7.24",
                    "--root", root).rules() == []


def test_ansible_roles_of_one_tree_form_one_node(nodelint, tmp_path):
    repo = tmp_path / "ansible"
    write(repo / "roles/kubelet/templates/var/lib/kubelet/config.yaml.j2",
          "kind: KubeletConfiguration\ncgroupDriver: {{ driver }}\n")
    write(repo / "roles/kubelet/files/etc/default/kubelet", "KUBELET_EXTRA_ARGS=--cgroup-driver=cgroupfs\n")
    write(repo / "roles/containerd/files/etc/containerd/config.toml",
          f"version = 2\n[{V2}.containerd.runtimes.runc.options]\n  SystemdCgroup = true\n")
    out = nodelint("--format", "json", "--ignore", "NL2", repo).json["findings"]
    assert sorted(f["rule"] for f in out) == ["NL002", "NL105", "NL107"]


def test_containerd_imports_are_merged_under_root(nodelint, tmp_path):
    root = tmp_path / "img"
    write(root / "etc/containerd/config.toml", "version = 2\nimports = ['/etc/containerd/conf.d/*.toml']\n")
    drop = write(root / "etc/containerd/conf.d/10-runc.toml",
                 f"version = 2\n[{V2}.containerd.runtimes.runc]\n  runtime_type = 'io.containerd.runc.v2'\n"
                 f"[{V2}.containerd.runtimes.runc.options]\n  SystemdCgroup = false\n")
    out = nodelint("--format", "json", "--ignore", "NL2", "--root", root).json["findings"]
    assert [(f["rule"], f["path"].endswith("10-runc.toml")) for f in out] == [("NL101", True)]
    nodelint("--fix", "--root", root)
    assert "SystemdCgroup = true" in drop.read_text()
    assert nodelint("--format", "json", "--ignore", "NL2", "--root", root).rules() == []


def test_a_mismatch_set_by_another_file_is_reported_at_the_handlers_table(nodelint, tmp_path):
    # the drop-in's runc table is merged over the main file's, whose SystemdCgroup = false stands
    root = tmp_path / "img"
    write(root / "var/lib/kubelet/config.yaml", "kind: KubeletConfiguration\ncgroupDriver: systemd\n")
    write(root / "etc/containerd/config.toml", "version = 2\nimports = ['/etc/containerd/conf.d/*.toml']\n"
          f"[{V2}.containerd.runtimes.runc.options]\n  SystemdCgroup = false\n")
    write(root / "etc/containerd/conf.d/10-runc.toml",
          f"version = 2\n\n[{V2}.containerd.runtimes.runc]\n  runtime_type = 'io.containerd.runc.v2'\n")
    out = nodelint("--format", "json", "--select", "NL107", "--runtime-version", "containerd=2.1.4",
                   "--root", root).json["findings"]
    # the drop-in names the handler, not the setting: the message points at its table's line, not
    # at line 1 of the drop-in
    (finding,) = out
    assert "uses cgroupfs (" in finding["message"] and "conf.d/10-runc.toml:3:1)" in finding["message"]


# ------------------------------------------- the driver kubelet really uses (KubeletCgroupDriverFromCRI)

def driver_node(tmp_path, kubelet_driver: str, systemd_cgroup: bool, extra: str = ""):
    root = tmp_path / "img"
    write(root / "var/lib/kubelet/config.yaml",
          f"kind: KubeletConfiguration\ncgroupDriver: {kubelet_driver}\n{extra}")
    write(root / "etc/containerd/config.toml",
          f"version = 2\n[{V2}.containerd.runtimes.runc]\n  runtime_type = 'io.containerd.runc.v2'\n"
          f"[{V2}.containerd.runtimes.runc.options]\n  SystemdCgroup = {str(systemd_cgroup).lower()}\n")
    return root


def driver_findings(nodelint, root, *versions):
    args = [a for v in versions for a in ("--runtime-version", v)]
    out = nodelint("--format", "json", "--select", "NL105,NL107,NL112", *args, "--root", root).json["findings"]
    return [(f["rule"], f["message"]) for f in out]


def test_kubelet_131_with_containerd_2_takes_the_runtimes_driver(nodelint, tmp_path):
    root = driver_node(tmp_path, "cgroupfs", True)
    found = driver_findings(nodelint, root, "kubelet=1.33.2", "containerd=2.1.4")
    assert [rule for rule, _ in found] == ["NL112"]  # no NL105, no NL107: the runtime's systemd is used
    assert found[0][1].startswith("kubelet ignores cgroupDriver: cgroupfs: kubelet 1.33 with "
                                  "KubeletCgroupDriverFromCRI, containerd 2.1 reports its driver, systemd (")
    nodelint("--fix", "--select", "NL112", "--runtime-version", "kubelet=1.33.2", "--runtime-version",
             "containerd=2.1.4", "--root", root)
    assert "cgroupDriver: systemd\n" in (root / "var/lib/kubelet/config.yaml").read_text()
    assert driver_findings(nodelint, root, "kubelet=1.33.2", "containerd=2.1.4") == []


def test_containerd_17_leaves_kubelets_own_setting_in_force(nodelint, tmp_path):
    root = driver_node(tmp_path, "cgroupfs", True)
    found = driver_findings(nodelint, root, "kubelet=1.33.2", "containerd=1.7.24")
    assert sorted(rule for rule, _ in found) == ["NL105", "NL107"]
    assert not any("assuming" in message for _, message in found)


def test_kubelet_130_uses_its_own_setting_unless_the_gate_is_on(nodelint, tmp_path):
    root = driver_node(tmp_path, "cgroupfs", True)
    assert sorted(r for r, _ in driver_findings(nodelint, root, "kubelet=1.30.5", "containerd=2.0.2")) == \
        ["NL105", "NL107"]
    gated = driver_node(tmp_path / "gated", "cgroupfs", True, "featureGates:\n  KubeletCgroupDriverFromCRI: true\n")
    assert [r for r, _ in driver_findings(nodelint, gated, "kubelet=1.30.5", "containerd=2.0.2")] == ["NL112"]
    off = driver_node(tmp_path / "off", "cgroupfs", True, "featureGates:\n  KubeletCgroupDriverFromCRI: false\n")
    assert sorted(r for r, _ in driver_findings(nodelint, off, "kubelet=1.32.0", "containerd=2.0.2")) == \
        ["NL105", "NL107"]
    # GA in 1.34: the gate is locked on
    locked = driver_node(tmp_path / "locked", "cgroupfs", True, "featureGates:\n  KubeletCgroupDriverFromCRI: false\n")
    assert [r for r, _ in driver_findings(nodelint, locked, "kubelet=1.34.1", "containerd=2.1.0")] == ["NL112"]


def test_unknown_versions_judge_kubelets_setting_and_say_so(nodelint, tmp_path):
    root = driver_node(tmp_path, "cgroupfs", True)
    found = driver_findings(nodelint, root)
    assert sorted(rule for rule, _ in found) == ["NL105", "NL107"]
    assert all("assuming kubelet's own setting decides" in message for _, message in found)


def test_a_matching_kubelet_setting_is_not_reported_as_ignored(nodelint, tmp_path):
    root = driver_node(tmp_path, "systemd", True)
    assert driver_findings(nodelint, root, "kubelet=1.33.2", "containerd=2.1.4") == []
    # the runtime's cgroupfs is what kubelet uses: NL101 judges it, kubelet's systemd is ignored
    cgroupfs = driver_node(tmp_path / "fs", "systemd", False)
    out = nodelint("--format", "json", "--select", "NL101,NL105,NL107,NL112", "--runtime-version", "kubelet=1.33.2",
                   "--runtime-version", "containerd=2.1.4", "--root", cgroupfs).json["findings"]
    assert sorted(f["rule"] for f in out) == ["NL101", "NL112"]
