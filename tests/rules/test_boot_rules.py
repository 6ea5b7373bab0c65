"""What the node boots with: cgroup v1 on the kernel command line (NL113, NL114), swap (NL208, NL209)."""
from __future__ import annotations

import pytest

from ..conftest import write

KUBELET = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: systemd\n"


def found(nodelint, root, *args):
    out = nodelint("--format", "json", "--select", "NL113,NL114", "--root", root, *args).json["findings"]
    return [(f["rule"], f["path"].split("/img/", 1)[-1], f["line"], f["column"]) for f in out]


@pytest.mark.parametrize("path, text, line, column", [
    ("etc/default/grub", 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX="console=ttyS0 systemd.unified_cgroup_hierarchy=0"\n', 2, 35),
    ("etc/default/grub.d/50-cgroup.cfg",
     'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT systemd.unified_cgroup_hierarchy=false"\n', 1, 57),
    ("boot/loader/entries/fedora.conf",
     "title Fedora\nversion 6.8\nlinux /vmlinuz\noptions root=UUID=0b0c ro systemd.unified_cgroup_hierarchy=0\n", 4, 27),
    ("etc/kernel/cmdline", "root=/dev/sda1 ro systemd.unified_cgroup_hierarchy=no\n", 1, 19),
])
def test_cgroup_v1_on_each_kind_of_kernel_command_line(nodelint, tmp_path, path, text, line, column):
    root = tmp_path / "img"
    write(root / path, text)
    write(root / "var/lib/kubelet/config.yaml", KUBELET)
    assert found(nodelint, root) == [("NL114", path, line, column)]
    assert found(nodelint, root, "--runtime-version", "kubelet=1.35.1") == [("NL113", path, line, column)]
    assert found(nodelint, root, "--runtime-version", "kubelet=1.34.3") == [("NL114", path, line, column)]


def test_fail_cgroup_v1_decides_when_set(nodelint, tmp_path):
    root = tmp_path / "img"
    write(root / "etc/kernel/cmdline", "ro systemd.unified_cgroup_hierarchy=0\n")
    write(root / "var/lib/kubelet/config.yaml", KUBELET + "failCgroupV1: false\n")
    assert [f[0] for f in found(nodelint, root, "--runtime-version", "kubelet=1.35.1")] == ["NL114"]
    write(root / "var/lib/kubelet/config.yaml", KUBELET + "failCgroupV1: true\n")
    out = nodelint("--format", "json", "--select", "NL113", "--runtime-version", "kubelet=1.32.0",
                   "--root", root).json["findings"]
    assert len(out) == 1 and "failCgroupV1 is True" in out[0]["message"]


def test_cgroup_v2_and_a_later_override_are_fine(nodelint, tmp_path):
    root = tmp_path / "img"
    write(root / "etc/default/grub", 'GRUB_CMDLINE_LINUX="quiet splash"\n# GRUB_CMDLINE_LINUX="systemd.unified_cgroup_hierarchy=0"\n')
    write(root / "etc/kernel/cmdline", "systemd.unified_cgroup_hierarchy=0 systemd.unified_cgroup_hierarchy=1\n")
    assert found(nodelint, root, "--runtime-version", "kubelet=1.35.1") == []


# ------------------------------------------------------------------------- swap (NL208, NL209)

def swap_found(nodelint, root, *args):
    out = nodelint("--format", "json", "--select", "NL208,NL209", "--root", root, *args).json["findings"]
    return [(f["rule"], f["severity"], f["path"].split("/img/", 1)[-1], f["line"]) for f in out]


def test_fstab_swap_stops_kubelet_unless_fail_swap_on_is_false(nodelint, tmp_path):
    root = tmp_path / "img"
    write(root / "var/lib/kubelet/config.yaml", KUBELET)
    write(root / "etc/fstab", "UUID=0b0c / ext4 defaults 0 1\n# /old none swap sw 0 0\n/swapfile none swap sw 0 0\n"
                              "/dev/sdc1 none swap noauto 0 0\n")
    assert swap_found(nodelint, root) == [("NL208", "error", "etc/fstab", 3)]
    write(root / "var/lib/kubelet/config.yaml", KUBELET + "failSwapOn: false\n")
    assert swap_found(nodelint, root) == []


def test_zram_generator_and_enabled_swap_units(nodelint, tmp_path):
    import os

    root = tmp_path / "img"
    write(root / "var/lib/kubelet/config.yaml", KUBELET)
    write(root / "usr/lib/systemd/zram-generator.conf", "# Fedora's default\n[zram0]\nzram-size = min(ram, 8192)\n")
    write(root / "etc/systemd/system/dev-sdb2.swap", "[Swap]\nWhat=/dev/sdb2\n[Install]\nWantedBy=swap.target\n")
    assert swap_found(nodelint, root) == [("NL208", "error", "usr/lib/systemd/zram-generator.conf", 2)]
    (root / "etc/systemd/system/swap.target.wants").mkdir()
    os.symlink("../dev-sdb2.swap", root / "etc/systemd/system/swap.target.wants/dev-sdb2.swap")
    write(root / "etc/systemd/zram-generator.conf", "")  # an empty file in /etc turns zram off
    assert swap_found(nodelint, root) == [("NL208", "error", "etc/systemd/system/dev-sdb2.swap", 1)]


def test_swap_on_the_running_node(nodelint, tmp_path):
    root = tmp_path / "img"
    write(root / "var/lib/kubelet/config.yaml", KUBELET)
    write(root / "proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n/dev/zram0 partition 8388604 0 100\n")
    assert swap_found(nodelint, root) == []
    found = nodelint("--format", "json", "--select", "NL208", "--live", "--root", root).json["findings"]
    assert len(found) == 1 and "the running node has swap on (/dev/zram0)" in found[0]["message"]


def test_swap_behaviors_kubelet_cannot_apply(nodelint, tmp_path):
    root = tmp_path / "img"
    write(root / "var/lib/kubelet/config.yaml", KUBELET + "failSwapOn: false\nmemorySwap:\n  swapBehavior: UnlimitedSwap\n")
    assert swap_found(nodelint, root, "--runtime-version", "kubelet=1.30.0") == \
        [("NL209", "error", "var/lib/kubelet/config.yaml", 6)]
    assert swap_found(nodelint, root, "--runtime-version", "kubelet=1.29.4") == []
    write(root / "var/lib/kubelet/config.yaml", KUBELET + "failSwapOn: false\nmemorySwap:\n  swapBehavior: LimitedSwap\n")
    assert swap_found(nodelint, root) == []
    write(root / "etc/default/grub", 'GRUB_CMDLINE_LINUX="systemd.unified_cgroup_hierarchy=0"\n')
    assert swap_found(nodelint, root) == [("NL209", "warning", "var/lib/kubelet/config.yaml", 6)]


@pytest.mark.parametrize("text, v1", [
    # a later assignment replaces the variable; a comment after the quotes is not part of it
    ('GRUB_CMDLINE_LINUX="systemd.unified_cgroup_hierarchy=0"\nGRUB_CMDLINE_LINUX="console=ttyS0"\n', False),
    ('GRUB_CMDLINE_LINUX="systemd.unified_cgroup_hierarchy=0"  # legacy for the old agent\n', True),
    # grub-mkconfig puts GRUB_CMDLINE_LINUX first: the _DEFAULT one is applied last
    ('GRUB_CMDLINE_LINUX_DEFAULT="systemd.unified_cgroup_hierarchy=0"\n'
     'GRUB_CMDLINE_LINUX="systemd.unified_cgroup_hierarchy=1"\n', True),
    ('GRUB_CMDLINE_LINUX="quiet"\nGRUB_CMDLINE_LINUX+=" systemd.unified_cgroup_hierarchy=false"\n', True),
])
def test_grub_assignments_are_read_as_the_shell_reads_them(nodelint, tmp_path, text, v1):
    root = tmp_path / "img"
    write(root / "etc/default/grub", text)
    assert bool(found(nodelint, root)) == v1


def test_grub_d_files_are_sourced_after_grub(nodelint, tmp_path):
    root = tmp_path / "img"
    write(root / "etc/default/grub", 'GRUB_CMDLINE_LINUX="systemd.unified_cgroup_hierarchy=0"\n')
    write(root / "etc/default/grub.d/90-v2.cfg", 'GRUB_CMDLINE_LINUX="console=ttyS0"\n')
    assert found(nodelint, root) == []
    write(root / "etc/default/grub.d/95-v1.cfg", 'GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX systemd.unified_cgroup_hierarchy=0"\n')
    assert [f[1] for f in found(nodelint, root)] == ["etc/default/grub.d/95-v1.cfg"]


def test_kernel_cmdline_copied_from_proc_and_fedora_bls_entries(nodelint, tmp_path):
    root = tmp_path / "img"
    write(root / "etc/kernel/cmdline", "BOOT_IMAGE=/vmlinuz-6.8 root=UUID=0b0c ro systemd.unified_cgroup_hierarchy=0\n")
    write(root / "boot/loader/entries/abc-6.8.conf", "title Fedora Linux (6.8)\nversion 6.8\nlinux /vmlinuz-6.8\n"
          "initrd /initramfs-6.8.img\noptions root=UUID=0b0c ro systemd.unified_cgroup_hierarchy=0\n"
          "grub_users $grub_users\ngrub_arg --unrestricted\ngrub_class fedora\nid fedora-6.8\n")
    out = nodelint("--format", "json", "--select", "NL114", "--root", root).json["findings"]
    assert sorted((f["path"].split("/img/", 1)[-1], f["line"], f["column"]) for f in out) == [
        ("boot/loader/entries/abc-6.8.conf", 5, 27), ("etc/kernel/cmdline", 1, 43)]
    assert all("(options)" in f["message"] or "(cmdline)" in f["message"] for f in out)


def test_a_zram_device_mounted_as_a_filesystem_is_not_swap(nodelint, tmp_path):
    root = tmp_path / "img"
    write(root / "var/lib/kubelet/config.yaml", KUBELET)
    write(root / "etc/systemd/zram-generator.conf", "[zram0]\nmount-point = /var/tmp\nfs-type = ext4\n")
    assert swap_found(nodelint, root) == []
    write(root / "etc/systemd/zram-generator.conf", "[zram0]\nmount-point = /var/tmp\n[zram1]\nzram-size = ram / 2\n")
    assert swap_found(nodelint, root) == [("NL208", "error", "etc/systemd/zram-generator.conf", 3)]
