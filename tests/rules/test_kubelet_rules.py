"""kubelet (NL105) on single files and in node views where flags and drop-ins win."""
from __future__ import annotations

import pytest

from ..conftest import write

KUBELET = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"


def rules_at(outcome):
    return [(f["rule"], f["path"].split("/", 1)[-1] if "/" in f["path"] else f["path"], f["line"])
            for f in outcome.json["findings"]]


def test_missing_driver_in_a_kubelet_config_is_cgroupfs(nodelint, tmp_path):
    path = write(tmp_path / "kubelet-config.yaml", KUBELET + "maxPods: 110\n")
    out = nodelint("--format", "json", path).json["findings"]
    assert [(f["rule"], f["line"]) for f in out] == [("NL105", 2)]
    assert "default, cgroupfs" in out[0]["message"] and "1.31" in out[0]["message"]
    nodelint("--fix", path)
    # the file's keys are sorted, so the new one goes in order
    assert path.read_text() == ("apiVersion: kubelet.config.k8s.io/v1beta1\ncgroupDriver: systemd\n"
                                "kind: KubeletConfiguration\nmaxPods: 110\n")


def test_json_kubelet_config_is_fixed_in_place(nodelint, tmp_path):
    path = write(tmp_path / "etc/kubernetes/kubelet/kubelet-config.json",
                 '{\n  "kind": "KubeletConfiguration",\n  "cgroupDriver": "cgroupfs",\n  "maxPods": 58\n}\n')
    assert nodelint("--format", "json", path).rules() == ["NL105"]
    nodelint("--fix", path)
    assert '"cgroupDriver": "systemd",' in path.read_text()


def test_kubeadm_file_missing_driver_is_fine_but_cgroupfs_is_not(nodelint, tmp_path):
    doc = ("apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n---\n" + KUBELET)
    assert nodelint("--format", "json", write(tmp_path / "kubeadm.yaml", doc)).rules() == []
    bad = write(tmp_path / "kubeadm2.yaml", doc + "cgroupDriver: cgroupfs\n")
    assert nodelint("--format", "json", bad).rules() == ["NL105"]


def test_kubeadm_extra_args_beat_the_kubelet_document(nodelint, tmp_path):
    doc = ("apiVersion: kubeadm.k8s.io/v1beta4\nkind: JoinConfiguration\nnodeRegistration:\n"
           "  kubeletExtraArgs:\n    - name: cgroup-driver\n      value: cgroupfs\n---\n" + KUBELET +
           "cgroupDriver: systemd\n")
    path = write(tmp_path / "kubeadm.yaml", doc)
    out = nodelint("--format", "json", path).json["findings"]
    assert [(f["rule"], f["line"]) for f in out] == [("NL105", 6)]
    nodelint("--fix", path)
    assert "      value: systemd\n" in path.read_text()


def test_a_flag_in_an_env_file_is_judged_alone(nodelint, tmp_path):
    env = write(tmp_path / "etc/default/kubelet", "KUBELET_EXTRA_ARGS=--cgroup-driver=cgroupfs --v=2\n")
    out = nodelint("--format", "json", env).json["findings"]
    assert [(f["rule"], f["line"], f["column"]) for f in out] == [("NL105", 1, 36)]
    nodelint("--fix", env)
    assert env.read_text() == "KUBELET_EXTRA_ARGS=--cgroup-driver=systemd --v=2\n"


def test_a_drop_in_alone_is_judged_on_what_it_sets(nodelint, tmp_path):
    dropin = write(tmp_path / "etc/kubernetes/kubelet.conf.d/10-x.conf", KUBELET + "maxPods: 10\n")
    assert nodelint("--format", "json", dropin).rules() == []


def test_in_a_node_the_flag_wins_over_the_config_file(nodelint, tmp_path):
    root = tmp_path / "node"
    write(root / "var/lib/kubelet/config.yaml", KUBELET + "cgroupDriver: systemd\n")
    write(root / "usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
          "[Service]\nEnvironment=\"KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml\"\n"
          "EnvironmentFile=-/etc/default/kubelet\nExecStart=\n"
          "ExecStart=/usr/bin/kubelet $KUBELET_CONFIG_ARGS $KUBELET_EXTRA_ARGS\n")
    env = write(root / "etc/default/kubelet", "KUBELET_EXTRA_ARGS=--cgroup-driver=cgroupfs\n")
    out = nodelint("--format", "json", "--ignore", "NL2", "--root", root)
    assert [(f["rule"], f["path"].endswith("etc/default/kubelet")) for f in out.json["findings"]] == [("NL105", True)]
    assert "flags override" in out.json["findings"][0]["message"]
    nodelint("--fix", "--root", root)
    assert env.read_text() == "KUBELET_EXTRA_ARGS=--cgroup-driver=systemd\n"


def test_in_a_node_a_drop_in_wins_over_the_config_file(nodelint, tmp_path):
    root = tmp_path / "node"
    write(root / "etc/kubernetes/kubelet/config.json", '{"kind": "KubeletConfiguration", "cgroupDriver": "systemd"}\n')
    write(root / "etc/kubernetes/kubelet/config.json.d/00-nodeadm.conf",
          '{"apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration", "cgroupDriver": "cgroupfs"}\n')
    out = nodelint("--format", "json", "--ignore", "NL2", "--root", root).json["findings"]
    assert [(f["rule"], f["path"].endswith("00-nodeadm.conf")) for f in out] == [("NL105", True)]


def test_config_path_comes_from_the_unit(nodelint, tmp_path):
    root = tmp_path / "node"
    write(root / "etc/systemd/system/kubelet.service",
          "[Service]\nExecStart=/usr/bin/kubelet --config=/opt/kubelet/custom.yaml\n")
    write(root / "opt/kubelet/custom.yaml", KUBELET + "cgroupDriver: cgroupfs\n")
    out = nodelint("--format", "json", "--ignore", "NL2", "--root", root).json["findings"]
    assert [(f["rule"], f["path"].endswith("opt/kubelet/custom.yaml")) for f in out] == [("NL105", True)]


def test_misspelled_kubelet_field_is_nl108(nodelint, tmp_path):
    path = write(tmp_path / "var/lib/kubelet/config.yaml", KUBELET + "cgroupdriver: systemd\n")
    assert sorted(nodelint("--format", "json", path).rules()) == ["NL105", "NL108"]
    nodelint("--fix", path)
    assert path.read_text() == KUBELET + "cgroupDriver: systemd\n"


@pytest.mark.parametrize("path, text", [
    ("etc/default/kubelet", 'KUBELET_EXTRA_ARGS="--cgroup-driver cgroupfs --v 2"\n'),
    ("etc/systemd/system/kubelet.service",
     '[Service]\nEnvironment="KUBELET_EXTRA_ARGS=--cgroup-driver cgroupfs"\nExecStart=/usr/bin/kubelet $KUBELET_EXTRA_ARGS\n'),
    ("etc/systemd/system/kubelet.service", "[Service]\nExecStart=/usr/bin/kubelet --cgroup-driver cgroupfs\n"),
])
def test_a_flag_and_its_value_in_two_words_are_read_as_one(nodelint, tmp_path, path, text):
    """kubelet (pflag) reads "--cgroup-driver cgroupfs" as "--cgroup-driver=cgroupfs"."""
    write(tmp_path / path, text)
    out = nodelint("--format", "json", "--select", "NL105", "--root", tmp_path)
    messages = [f["message"] for f in out.json["findings"]]
    assert messages and all("cgroupfs" in m and "true" not in m for m in messages), messages


# ------------------------------------------------------------- resolv.conf (NL404)

def resolv_node(tmp_path, kubelet_extra="", resolv=None, link=None):
    import os

    root = tmp_path / "img"
    write(root / "var/lib/kubelet/config.yaml", KUBELET + "cgroupDriver: systemd\n" + kubelet_extra)
    if resolv is not None:
        write(root / "etc/resolv.conf", resolv)
    if link is not None:
        (root / "etc").mkdir(parents=True, exist_ok=True)
        os.symlink(link, root / "etc/resolv.conf")
    return root


def nl404(nodelint, root):
    return [(f["line"], f["message"], f["fixable"]) for f in
            nodelint("--format", "json", "--select", "NL404", "--root", root).json["findings"]]


def test_systemd_resolved_stub_is_fixed_the_way_kubeadm_does(nodelint, tmp_path):
    root = resolv_node(tmp_path, link="../run/systemd/resolve/stub-resolv.conf")
    [(line, message, fixable)] = nl404(nodelint, root)
    assert "systemd-resolved's stub" in message and fixable
    nodelint("--fix", "--select", "NL404", "--root", root)
    assert (root / "var/lib/kubelet/config.yaml").read_text().endswith("resolvConf: /run/systemd/resolve/resolv.conf\n")
    assert nl404(nodelint, root) == []


def test_a_loopback_nameserver_of_another_resolver_is_reported_without_a_fix(nodelint, tmp_path):
    root = resolv_node(tmp_path, resolv="search example.com\nnameserver 127.0.0.1\n")
    [(_, message, fixable)] = nl404(nodelint, root)
    assert "(127.0.0.1)" in message and not fixable


def test_resolv_conf_named_explicitly_is_judged_at_its_value(nodelint, tmp_path):
    root = resolv_node(tmp_path, "resolvConf: /run/systemd/resolve/stub-resolv.conf\n")
    [(line, _, fixable)] = nl404(nodelint, root)
    assert line == 4 and fixable


def test_real_upstream_servers_are_fine(nodelint, tmp_path):
    assert nl404(nodelint, resolv_node(tmp_path, resolv="nameserver 10.0.0.2\nnameserver 10.0.0.3\n")) == []
    assert nl404(nodelint, resolv_node(tmp_path / "u", "resolvConf: /run/systemd/resolve/resolv.conf\n",
                                        link="../run/systemd/resolve/stub-resolv.conf")) == []


# ------------------------------------------------------- sandbox image (NL405, NL406)

def sandbox_node(tmp_path, containerd: str, flags: str | None = None, kubeadm: str | None = None):
    root = tmp_path / "img"
    write(root / "etc/containerd/config.toml", containerd)
    write(root / "var/lib/kubelet/config.yaml", KUBELET + "cgroupDriver: systemd\n")
    if flags is not None:
        write(root / "var/lib/kubelet/kubeadm-flags.env", f'KUBELET_KUBEADM_ARGS="{flags}"\n')
    if kubeadm is not None:
        write(root / "etc/kubernetes/kubeadm-config.yaml", kubeadm)
    return root


def sandbox(nodelint, root, *versions):
    args = [a for v in versions for a in ("--runtime-version", v)]
    out = nodelint("--format", "json", "--select", "NL405,NL406", *args, "--root", root).json["findings"]
    return [(f["rule"], f["severity"], f["path"].split("/img/", 1)[-1], f["line"]) for f in out]


V2_SANDBOX = 'version = 2\n[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "{}"\n'


def test_runtime_image_against_kubeadms_for_the_kubelet_version(nodelint, tmp_path):
    root = sandbox_node(tmp_path, V2_SANDBOX.format("registry.k8s.io/pause:3.8"), flags="--node-ip=10.0.0.5")
    assert sandbox(nodelint, root, "kubelet=1.31.2") == [("NL405", "warning", "etc/containerd/config.toml", 3)]
    assert sandbox(nodelint, root, "kubelet=1.30.4") == [("NL405", "warning", "etc/containerd/config.toml", 3)]
    ok = sandbox_node(tmp_path / "ok", V2_SANDBOX.format("registry.k8s.io/pause:3.10"), flags="--node-ip=10.0.0.5")
    assert sandbox(nodelint, ok, "kubelet=1.33.0") == []
    # without kubelet's version, kubeadm's expectation is not known
    assert sandbox(nodelint, root) == []


def test_containerd_default_image_by_its_version_and_a_mirror_repository(nodelint, tmp_path):
    kubeadm = ("apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n"
               "imageRepository: mirror.example.com/k8s\n")
    root = sandbox_node(tmp_path, "version = 2\n", kubeadm=kubeadm)
    out = nodelint("--format", "json", "--select", "NL405", "--runtime-version", "kubelet=1.31.0",
                   "--runtime-version", "containerd=1.7.24", "--root", root).json["findings"]
    assert len(out) == 1 and "registry.k8s.io/pause:3.8 (its default for 1.7)" in out[0]["message"]
    assert "expects mirror.example.com/k8s/pause:3.10" in out[0]["message"]


def test_version_3_pinned_sandbox_and_the_kubelet_flag(nodelint, tmp_path):
    v3 = "version = 3\n[plugins.'io.containerd.cri.v1.images'.pinned_images]\n  sandbox = 'registry.k8s.io/pause:3.10'\n"
    root = sandbox_node(tmp_path, v3, flags="--pod-infra-container-image=registry.k8s.io/pause:3.9")
    found = sandbox(nodelint, root, "kubelet=1.33.1")
    assert ("NL405", "warning", "var/lib/kubelet/kubeadm-flags.env", 1) in found
    assert ("NL406", "warning", "var/lib/kubelet/kubeadm-flags.env", 1) in found
    assert ("NL406", "error", "var/lib/kubelet/kubeadm-flags.env", 1) in sandbox(nodelint, root, "kubelet=1.35.0")


def test_pod_infra_container_image_in_kubeadm_extra_args(nodelint, tmp_path):
    kubeadm = ("apiVersion: kubeadm.k8s.io/v1beta4\nkind: JoinConfiguration\nnodeRegistration:\n  kubeletExtraArgs:\n"
               "  - name: pod-infra-container-image\n    value: registry.k8s.io/pause:3.10\n")
    root = sandbox_node(tmp_path, V2_SANDBOX.format("registry.k8s.io/pause:3.10.1"), kubeadm=kubeadm)
    assert sandbox(nodelint, root, "kubelet=1.35.0") == [("NL406", "error", "etc/kubernetes/kubeadm-config.yaml", 6)]


# ---------------------------------------------------------- reserved cgroups (NL115)

def reserved(nodelint, root, *args):
    out = nodelint("--format", "json", "--select", "NL115", "--root", root, *args).json["findings"]
    return [(f["line"], f["message"].split(":")[0]) for f in out]


def reserved_node(tmp_path, extra, driver="systemd"):
    root = tmp_path / "img"
    write(root / "var/lib/kubelet/config.yaml", KUBELET + f"cgroupDriver: {driver}\n" + extra)
    return root


def test_an_enforced_reservation_needs_its_cgroup_named(nodelint, tmp_path):
    root = reserved_node(tmp_path, 'enforceNodeAllocatable: ["pods", "kube-reserved-compressible"]\n')
    assert reserved(nodelint, root) == [(4, "enforceNodeAllocatable has kube-reserved but kubeReservedCgroup is not set")]


def test_the_slice_must_be_defined_in_the_image(nodelint, tmp_path):
    root = reserved_node(tmp_path, 'enforceNodeAllocatable: ["pods", "kube-reserved", "system-reserved"]\n'
                                   "kubeReservedCgroup: /runtime.slice/runtime-kube.slice\nsystemReservedCgroup: /system.slice\n")
    assert reserved(nodelint, root) == [(5, "kubeReservedCgroup /runtime.slice/runtime-kube.slice")]
    write(root / "etc/systemd/system/runtime-kube.slice", "[Unit]\nDescription=kube reserved\n")
    assert reserved(nodelint, root) == []


def test_a_service_is_not_a_slice_under_systemd(nodelint, tmp_path):
    root = reserved_node(tmp_path, 'enforceNodeAllocatable: ["pods", "system-reserved"]\n'
                                   "systemReservedCgroup: /system.slice/kubelet.service\n")
    out = nodelint("--format", "json", "--select", "NL115", "--root", root).json["findings"]
    assert len(out) == 1 and "kubelet.service is not one" in out[0]["message"]


def test_flags_and_the_live_node(nodelint, tmp_path):
    root = tmp_path / "img"
    write(root / "etc/default/kubelet", "KUBELET_EXTRA_ARGS=--cgroup-driver=cgroupfs "
          "--enforce-node-allocatable=pods,system-reserved --system-reserved-cgroup=/sysres\n")
    assert reserved(nodelint, root) == []  # cgroupfs: known only on the running node
    write(root / "sys/fs/cgroup/cgroup.controllers", "memory\n")
    assert reserved(nodelint, root, "--live") == [(1, "systemReservedCgroup /sysres")]
    (root / "sys/fs/cgroup/sysres").mkdir()
    assert reserved(nodelint, root, "--live") == []


def test_a_slice_kubelets_unit_runs_in_exists(nodelint, tmp_path):
    root = reserved_node(tmp_path, 'enforceNodeAllocatable: ["pods", "kube-reserved"]\nkubeReservedCgroup: /kube.slice\n')
    assert len(reserved(nodelint, root)) == 1
    write(root / "etc/systemd/system/kubelet.service.d/20-slice.conf", "[Service]\nSlice=kube.slice\n")
    assert reserved(nodelint, root) == []


def test_null_settings_are_unset_and_one_part_versions_are_minor_zero(nodelint, tmp_path):
    root = tmp_path / "img"
    write(root / "var/lib/kubelet/config.yaml", KUBELET + "cgroupDriver: null\nfailSwapOn: null\n")
    write(root / "etc/fstab", "/swapfile none swap sw 0 0\n")
    write(root / "etc/containerd/config.toml", 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc'
          '.options]\n  SystemdCgroup = true\n')
    out = nodelint("--format", "json", "--select", "NL105,NL112,NL208", "--runtime-version", "kubelet=1.35",
                   "--runtime-version", "containerd=2", "--root", root).json["findings"]
    assert [f["rule"] for f in out] == ["NL208"]  # failSwapOn null is its default, true; no "None" driver
    assert all("None" not in f["message"] for f in out)


def test_the_endpoint_a_kubelet_drop_in_names_decides_the_runtime(nodelint, tmp_path):
    root = tmp_path / "img"
    write(root / "var/lib/kubelet/config.yaml", KUBELET + "cgroupDriver: systemd\n")
    write(root / "etc/kubernetes/kubelet.conf.d/10-crio.conf", KUBELET
          + "containerRuntimeEndpoint: unix:///var/run/crio/crio.sock\n")
    write(root / "etc/crio/crio.conf.d/10-cgroup.conf", '[crio.runtime]\ncgroup_manager = "cgroupfs"\n')
    write(root / "etc/containerd/config.toml", 'version = 2\n')
    out = nodelint("--format", "json", "--select", "NL112", "--runtime-version", "kubelet=1.34.0",
                   "--root", root).json["findings"]
    assert len(out) == 1 and "CRI-O" in out[0]["message"] and "cgroupfs" in out[0]["message"]
