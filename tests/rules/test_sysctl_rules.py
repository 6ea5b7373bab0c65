"""Kernel parameters (NL201-NL206): the value a node really ends up with, and fixes that win."""
from __future__ import annotations

import os

import pytest

from ..conftest import write

INSTANCES, WATCHES = "fs.inotify.max_user_instances", "fs.inotify.max_user_watches"
GOOD_WATCHES = f"{WATCHES} = 524288\n"


def report(nodelint, root, *args):
    return nodelint("--format", "json", "--root", root, *args).json["findings"]


def where(findings, code):
    return [(f["path"].split("/root/", 1)[-1], f["line"]) for f in findings if f["rule"] == code]


def effective(root, key):
    """The value systemd-sysctl would apply, computed by nodelint's model after a fix."""
    from nodelint.read.settings import Settings
    from nodelint.engine.run import Run
    from nodelint.read.discover import discover
    from nodelint.models import sysctl

    run = Run(Settings(), str(root))
    run.prepare(discover([], Settings(), root=str(root)))
    node = next(n for n in run.nodes if n.mode == "root")
    winner = sysctl.model(node)[0].effective(key)
    return None if winner is None else winner.value


@pytest.fixture
def root(tmp_path):
    r = tmp_path / "root"
    write(r / "usr/lib/sysctl.d/50-default.conf", GOOD_WATCHES)
    return r


def test_unset_means_the_kernel_default(nodelint, root):
    out = report(nodelint, root)
    assert where(out, "NL201") == [("etc/sysctl.d/99-nodelint.conf", 1)]  # the drop-in the fix creates
    assert "kernel default 128" in out[0]["message"]
    nodelint("--fix", "--root", root)
    dropin = root / "etc/sysctl.d/99-nodelint.conf"
    assert dropin.read_text().startswith("# Written by nodelint --fix")
    assert f"{INSTANCES} = 8192\n" in dropin.read_text()
    assert effective(root, INSTANCES) == "8192"
    assert report(nodelint, root) == []
    before = dropin.read_bytes()
    nodelint("--fix", "--root", root)
    assert dropin.read_bytes() == before


def test_a_file_in_etc_masks_the_vendor_file_of_the_same_name(nodelint, root):
    write(root / "usr/lib/sysctl.d/60-k8s.conf", f"{INSTANCES} = 8192\n")
    assert report(nodelint, root) == []
    write(root / "etc/sysctl.d/60-k8s.conf", "")  # an empty file masks it away
    assert [f["rule"] for f in report(nodelint, root)] == ["NL201"]


def test_a_symlink_to_dev_null_masks_too(nodelint, root):
    write(root / "usr/lib/sysctl.d/60-k8s.conf", f"{INSTANCES} = 8192\n")
    (root / "etc/sysctl.d").mkdir(parents=True)
    os.symlink("/dev/null", root / "etc/sysctl.d/60-k8s.conf")
    assert [f["rule"] for f in report(nodelint, root)] == ["NL201"]


def test_files_apply_in_name_order_whatever_their_directory(nodelint, root):
    write(root / "etc/sysctl.d/10-admin.conf", f"{INSTANCES} = 8192\n")
    vendor = write(root / "usr/lib/sysctl.d/99-vendor.conf", f"{INSTANCES} = 128\n")
    out = report(nodelint, root)
    assert sorted((f["rule"], f["path"].endswith("99-vendor.conf")) for f in out) == [("NL201", True), ("NL204", True)]
    nodelint("--fix", "--root", root)
    assert vendor.read_text() == f"{INSTANCES} = 128\n"  # vendor files are never edited
    # 99-nodelint.conf would sort before 99-vendor.conf and lose: the drop-in gets a later name
    assert (root / "etc/sysctl.d/zz-nodelint.conf").is_file()
    assert effective(root, INSTANCES) == "8192"
    assert report(nodelint, root) == []


def test_the_winning_etc_file_is_changed_in_place(nodelint, root):
    admin = write(root / "etc/sysctl.d/90-k8s.conf", f"# raised for pods\n{INSTANCES}=1024\n")
    nodelint("--fix", "--root", root)
    assert admin.read_text() == f"# raised for pods\n{INSTANCES}=8192\n"
    assert not (root / "etc/sysctl.d/99-nodelint.conf").exists()


def test_run_has_priority_over_usr_lib(nodelint, root):
    write(root / "usr/lib/sysctl.d/70-x.conf", f"{INSTANCES} = 8192\n")
    write(root / "run/sysctl.d/70-x.conf", f"{INSTANCES} = 256\n")
    assert effective(root, INSTANCES) == "256"


def test_slash_keys_and_globs(nodelint, root):
    write(root / "etc/sysctl.d/70-x.conf", "fs/inotify/max_user_instances = 8192\n")
    assert effective(root, INSTANCES) == "8192"
    write(root / "etc/sysctl.d/80-glob.conf", "fs.inotify.* = 100\n")
    assert effective(root, INSTANCES) == "8192"  # an explicit key is never overwritten by a glob
    assert effective(root, "fs.inotify.max_queued_events") == "100"
    write(root / "etc/sysctl.d/81-exclude.conf", "-fs.inotify.max_queued_events\n")
    assert effective(root, "fs.inotify.max_queued_events") is None


def test_later_lowers_earlier_in_one_file_too(nodelint, tmp_path):
    path = write(tmp_path / "etc/sysctl.d/50-k8s.conf", f"{INSTANCES} = 8192\n{INSTANCES} = 128\n")
    out = nodelint("--format", "json", path).json["findings"]
    assert sorted((f["rule"], f["line"]) for f in out) == [("NL201", 2), ("NL204", 2)]


def test_single_files_are_judged_on_what_they_set(nodelint, tmp_path):
    path = write(tmp_path / "etc/sysctl.d/10-net.conf", "net.ipv4.ip_forward = 1\n")
    assert nodelint("--format", "json", path).json["findings"] == []
    low = write(tmp_path / "etc/sysctl.d/50-fs.conf", f"{WATCHES} = 65536\n")
    assert [(f["rule"], f["severity"]) for f in nodelint("--format", "json", low).json["findings"]] == \
        [("NL202", "warning")]
    vendor = write(tmp_path / "usr/lib/sysctl.d/50-fs.conf", f"{WATCHES} = 65536\n")
    assert nodelint("--format", "json", vendor).json["findings"][0]["fixable"] is False


def test_sysctl_conf_counts_only_through_the_99_sysctl_link(nodelint, root):
    conf = write(root / "etc/sysctl.conf", f"{INSTANCES}=8192\n")
    out = report(nodelint, root)
    # no link: systemd-sysctl never reads it, sysctl --system applies it last
    assert sorted(f["rule"] for f in out) == ["NL201", "NL206"]
    os.symlink("../sysctl.conf", root / "etc/sysctl.d/99-sysctl.conf") if (root / "etc/sysctl.d").is_dir() else (
        (root / "etc/sysctl.d").mkdir(), os.symlink("../sysctl.conf", root / "etc/sysctl.d/99-sysctl.conf"))
    assert report(nodelint, root) == []
    assert conf.read_text() == f"{INSTANCES}=8192\n"


def test_systemd_and_procps_disagree(nodelint, root):
    write(root / "etc/sysctl.conf", f"{INSTANCES} = 16384\n")
    (root / "etc/sysctl.d").mkdir(parents=True)
    os.symlink("../sysctl.conf", root / "etc/sysctl.d/99-sysctl.conf")
    write(root / "etc/sysctl.d/99-zz-tuning.conf", f"{INSTANCES} = 8192\n")
    out = report(nodelint, root)
    assert sorted((f["rule"], f["path"].split("/")[-1]) for f in out) == [
        ("NL204", "99-zz-tuning.conf"), ("NL206", "sysctl.conf")]  # 16384 is lowered at boot, too
    nodelint("--fix", "--root", root)
    assert (root / "etc/sysctl.conf").read_text() == f"{INSTANCES} = 8192\n"
    assert report(nodelint, root) == []


def test_repo_overlay_trees_assume_the_distro_link(nodelint, tmp_path):
    repo = tmp_path / "repo"
    write(repo / "rootfs/etc/sysctl.conf", f"{INSTANCES}=8192\n{WATCHES}=524288\n")
    write(repo / "rootfs/etc/containerd/config.toml", "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".containerd."
          "runtimes.runc.options]\n  SystemdCgroup = true\n")
    assert nodelint("--format", "json", "--select", "NL2", repo).json["findings"] == []


KUBELET = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: systemd\n"


def test_protect_kernel_defaults_needs_the_sysctls(nodelint, root):
    write(root / "etc/sysctl.d/60-k8s.conf", f"{INSTANCES} = 8192\nkernel.panic = 0\n")
    kubelet = write(root / "var/lib/kubelet/config.yaml", KUBELET + "protectKernelDefaults: true\n")
    out = [f for f in report(nodelint, root) if f["rule"] == "NL203"]
    assert len(out) == 1 and out[0]["path"].endswith("var/lib/kubelet/config.yaml") and out[0]["line"] == 4
    msg = out[0]["message"]
    assert "vm.overcommit_memory = 0 (not set: kernel default), needs 1" in msg
    assert "kernel.panic = 0 (" in msg and "60-k8s.conf:2:16), needs 10" in msg
    assert "kernel.keys.root_maxkeys" not in msg  # the kernel default already matches
    nodelint("--fix", "--root", root)
    assert (root / "etc/sysctl.d/60-k8s.conf").read_text() == f"{INSTANCES} = 8192\nkernel.panic = 10\n"
    dropin = (root / "etc/sysctl.d/99-nodelint.conf").read_text()
    assert "vm.overcommit_memory = 1" in dropin and "kernel.panic_on_oops = 1" in dropin
    assert report(nodelint, root) == []
    kubelet.write_text(KUBELET + "protectKernelDefaults: false\n")
    assert report(nodelint, root) == []


def test_protect_kernel_defaults_flag(nodelint, root):
    write(root / "etc/sysctl.d/60-k8s.conf", f"{INSTANCES} = 8192\n")
    write(root / "var/lib/kubelet/config.yaml", KUBELET)
    write(root / "etc/default/kubelet", "KUBELET_EXTRA_ARGS=--protect-kernel-defaults\n")
    assert [f["path"].endswith("etc/default/kubelet") for f in report(nodelint, root) if f["rule"] == "NL203"] == [True]


def test_live_drift_against_a_fake_proc_tree(nodelint, root):
    write(root / "etc/sysctl.d/60-k8s.conf", f"{INSTANCES} = 8192\nvm.overcommit_memory = 1\n"
          "net.ipv4.ip_local_port_range = 1024 65000\n")
    write(root / "proc/sys/fs/inotify/max_user_instances", "128\n")
    write(root / "proc/sys/vm/overcommit_memory", "0\n")
    write(root / "proc/sys/net/ipv4/ip_local_port_range", "1024\t65000\n")
    out = report(nodelint, root, "--live")
    # (a proc/ with no process in it: the live audit says it read none, NL508)
    assert [(f["rule"], f["line"]) for f in out] == [("NL205", 1), ("NL508", 1)]
    assert "is 128 on the running node but the files set 8192" in out[0]["message"]
    assert report(nodelint, root) == []  # without --live nothing is read from /proc
    write(root / "var/lib/kubelet/config.yaml", KUBELET + "protectKernelDefaults: true\n")
    drift = [f for f in report(nodelint, root, "--live") if f["rule"] == "NL205"]
    assert sorted(f["line"] for f in drift) == [1, 2]  # kubelet no longer rewrites overcommit_memory


def test_trailing_comments_are_part_of_the_value(nodelint, tmp_path):
    path = write(tmp_path / "etc/sysctl.d/50-x.conf", f"{INSTANCES} = 8192  # for pods\n")
    out = nodelint("--format", "json", path).json["findings"]
    assert [(f["rule"], f["severity"], f["column"]) for f in out] == [("NL001", "warning", 38)]
    assert "no trailing comments" in out[0]["message"]


def test_malformed_lines_are_reported_with_their_line(nodelint, tmp_path):
    path = write(tmp_path / "etc/sysctl.d/50-x.conf", "# ok\nthis is not an assignment\nbad key = 1\n"
                 f"{INSTANCES} = 8192\n")
    out = nodelint("--format", "json", path).json["findings"]
    assert [(f["rule"], f["severity"], f["line"]) for f in out] == [("NL001", "warning", 2), ("NL001", "warning", 3)]


def test_thresholds_and_drop_in_name_from_configuration(nodelint, root):
    write(root / "etc/sysctl.d/60-k8s.conf", f"{INSTANCES} = 1024\n")
    write(root / ".nodelint.toml", '[sysctl]\ndropin = "90-fleet.conf"\n[sysctl.minimums]\n'
          f'"{INSTANCES}" = 512\n"vm.max_map_count" = 262144\n')
    out = nodelint("--format", "json", "--root", root, cwd=root).json["findings"]
    assert [(f["rule"], f["message"].split(" is ")[0]) for f in out] == [("NL202", "vm.max_map_count")]
    nodelint("--fix", "--root", root, cwd=root)
    assert "vm.max_map_count = 262144" in (root / "etc/sysctl.d/90-fleet.conf").read_text()


def test_the_report_after_fix_sees_the_drop_in_it_created(nodelint, root):
    write(root / "var/lib/kubelet/config.yaml", KUBELET + "protectKernelDefaults: true\n")
    out = nodelint("--fix", "--format", "json", "--root", root)
    assert out.json["findings"] == [] and out.code == 0
    dropin = (root / "etc/sysctl.d/99-nodelint.conf").read_text()
    assert dropin.count("# Written by nodelint") == 1  # NL201 creates it, NL203 appends to it
    assert INSTANCES in dropin and "vm.overcommit_memory = 1" in dropin


def test_a_tree_without_sysctl_files_is_not_judged_on_unset_keys(nodelint, tmp_path):
    repo = tmp_path / "sysext"
    write(repo / "usr/share/containerd/config.toml", "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\"."
          "containerd.runtimes.runc.options]\n  SystemdCgroup = true\n")
    assert nodelint("--format", "json", "--select", "NL2", repo).json["findings"] == []
    assert [f["rule"] for f in nodelint("--format", "json", "--select", "NL2", "--root", repo).json["findings"]] \
        == ["NL201", "NL202"]  # an image root is judged: nothing else will set them


def test_absolute_symlinks_resolve_inside_the_root(nodelint, root):
    write(root / "etc/sysctl.conf", f"{INSTANCES} = 8192\n")
    (root / "etc/sysctl.d").mkdir()
    os.symlink("/etc/sysctl.conf", root / "etc/sysctl.d/99-sysctl.conf")  # absolute: means <root>/etc/sysctl.conf
    assert effective(root, INSTANCES) == "8192"
    assert report(nodelint, root) == []


def test_links_in_an_image_never_read_the_host(nodelint, tmp_path):
    """/etc/sysctl.conf of the machine running nodelint must never stand in for the image's."""
    root = tmp_path / "img"
    (root / "etc/sysctl.d").mkdir(parents=True)
    os.symlink("/etc/sysctl.conf", root / "etc/sysctl.d/99-sysctl.conf")  # dangling inside the image
    os.symlink("/etc/hostname", root / "etc/sysctl.d/98-host.conf")
    out = nodelint("--format", "json", "--root", root)
    assert all(str(root) in f["path"] for f in out.json["findings"])
    assert out.json["summary"]["files"] == 0
