"""The live audit (--live, NL501-NL508) on /proc and /sys/fs/cgroup trees built here, and once,
read-only, on this machine's own."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import write

POD = "1f0c3a9e-5a55-4b0e-9d55-1c7d1c1e6f00"
OTHER_POD = "77aa0000-1111-2222-3333-444455556666"
CID = "3f2a" + "0" * 60
CID2 = "9ab3" + "1" * 60


def systemd_pod(uid=POD, qos="burstable"):
    escaped = uid.replace("-", "_")
    return f"/kubepods.slice/kubepods-{qos}.slice/kubepods-{qos}-pod{escaped}.slice"


class Node:
    """A running node's /proc and /sys/fs/cgroup, as the tests need them."""

    def __init__(self, root: Path, cgroup_version: int = 2, pid1: str = "systemd"):
        self.root, self.version = root, cgroup_version
        write(root / "proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet\n")
        write(root / "proc/sys/fs/inotify/max_user_instances", "128\n")
        write(root / "proc/sys/fs/inotify/max_user_watches", "8192\n")
        if cgroup_version == 2:
            mounts = "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
            write(root / "sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n")
        else:
            mounts = ("31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n"
                      "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n")
            (root / "sys/fs/cgroup/memory").mkdir(parents=True)
        self.process(1, 0, pid1, cgroup="/init.scope")
        write(root / "proc/1/mountinfo", mounts)

    def process(self, pid, ppid, name, *, argv0=None, uid=0, ns_pid=None, cgroup="/", inotify=()):
        base = self.root / "proc" / str(pid)
        ns = f"{pid}\t{ns_pid}" if ns_pid is not None else f"{pid}"
        write(base / "status", f"Name:\t{name}\nUmask:\t0022\nState:\tS (sleeping)\nPid:\t{pid}\nPPid:\t{ppid}\n"
                               f"Uid:\t{uid}\t{uid}\t{uid}\t{uid}\nNSpid:\t{ns}\n")
        write(base / "cgroup", f"0::{cgroup}\n" if self.version == 2 else
              f"12:pids:{cgroup}\n11:memory:{cgroup}\n1:name=systemd:{cgroup}\n")
        write(base / "comm", f"{name}\n")
        write(base / "cmdline", f"{argv0 or name}\0--flag\0")
        (base / "fd").mkdir(parents=True, exist_ok=True)
        (base / "fdinfo").mkdir(parents=True, exist_ok=True)
        os.symlink("/dev/null", base / "fd" / "0")
        for n, watches in enumerate(inotify, start=3):
            os.symlink("anon_inode:inotify", base / "fd" / str(n))
            write(base / "fdinfo" / str(n), "pos:\t0\nflags:\t02004000\nmnt_id:\t15\n" + "".join(
                f"inotify wd:{w + 1} ino:{w:x} sdev:800001 mask:fc6 ignored_mask:0\n" for w in range(watches)))
        return self

    def memory_limit(self, path: str, limit: int | None):
        if self.version == 2:
            write(self.root / "sys/fs/cgroup" / path.lstrip("/") / "memory.max", f"{limit if limit else 'max'}\n")
        else:
            write(self.root / "sys/fs/cgroup/memory" / path.lstrip("/") / "memory.limit_in_bytes",
                  f"{limit if limit else 9223372036854771712}\n")
        return self


def audit(nodelint, root: Path, *args):
    out = nodelint("--live", "--root", root, "--format", "json", "--select", "NL5", *args)
    assert out.code in (0, 1), out.err
    report = json.loads(out.out)
    return report, [(f["rule"], f["severity"], f["path"], f["message"]) for f in report["findings"]]


def rules(findings):
    return sorted(f[0] for f in findings)


# ------------------------------------------------------------------------- host facts

@pytest.mark.parametrize("version", [1, 2])
def test_host_facts_are_reported(nodelint, tmp_path, version):
    Node(tmp_path, cgroup_version=version)
    report, findings = audit(nodelint, tmp_path)
    live = report["live"]
    assert live["cgroup_version"] == version and live["pid1"] == "systemd"
    assert live["kernel_cmdline"].startswith("BOOT_IMAGE=") and live["processes"] == 1
    assert live["inotify_limits"] == {"max_user_instances": 128, "max_user_watches": 8192}
    assert findings == []


def test_cgroupfs_configured_under_systemd_is_an_error_with_the_live_evidence(nodelint, tmp_path):
    Node(tmp_path)
    write(tmp_path / "etc/containerd/config.toml", 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd'
          '.runtimes.runc.options]\n  SystemdCgroup = false\n')
    write(tmp_path / "var/lib/kubelet/config.yaml", "apiVersion: kubelet.config.k8s.io/v1beta1\n"
          "kind: KubeletConfiguration\ncgroupDriver: cgroupfs\n")
    _, findings = audit(nodelint, tmp_path)
    paths = sorted(f[2] for f in findings if f[0] == "NL501")
    assert [p.split("/")[-1] for p in paths] == ["config.toml", "config.yaml"]
    assert all("PID 1 is systemd" in f[3] for f in findings)


def test_pods_in_the_cgroupfs_layout_under_systemd(nodelint, tmp_path):
    node = Node(tmp_path)
    node.process(900, 1, "containerd-shim", argv0="/usr/bin/containerd-shim-runc-v2")
    node.process(901, 900, "pause", cgroup=f"/kubepods/burstable/pod{POD}/{CID}", ns_pid=1)
    _, findings = audit(nodelint, tmp_path)
    assert rules(findings) == ["NL501"]
    assert findings[0][2].endswith("proc/901/cgroup") and POD in findings[0][3]


def test_no_live_finding_when_pid1_is_not_systemd(nodelint, tmp_path):
    node = Node(tmp_path, pid1="tini")
    node.process(901, 1, "pause", cgroup=f"/kubepods/burstable/pod{POD}/{CID}")
    write(tmp_path / "etc/containerd/config.toml", 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd'
          '.runtimes.runc.options]\n  SystemdCgroup = false\n')
    assert audit(nodelint, tmp_path)[1] == []


# ------------------------------------------------------------ pods outside their cgroups

def escaped_pod(node: Node, inner_cgroup: str):
    """A systemd container under the cgroupfs driver whose systemd moved nginx out of the pod."""
    pod = f"/kubepods/burstable/pod{POD}/{CID}"
    node.process(900, 1, "containerd-shim", argv0="/usr/bin/containerd-shim-runc-v2")
    node.process(901, 900, "pause", cgroup=f"/kubepods/burstable/pod{POD}/{CID2}", ns_pid=1)
    node.process(910, 900, "systemd", argv0="/sbin/init", cgroup=pod, ns_pid=1)
    node.process(920, 910, "nginx", cgroup=inner_cgroup, ns_pid=40)
    return node


def test_a_pod_process_outside_the_kubepods_hierarchy(nodelint, tmp_path):
    escaped_pod(Node(tmp_path), "/system.slice/nginx.service")
    _, findings = audit(nodelint, tmp_path)
    outside = [f for f in findings if f[0] == "NL502"]
    assert len(outside) == 1 and outside[0][2].endswith("proc/920/cgroup")
    assert "nginx (pid 920) of pod " + POD in outside[0][3] and "outside the pod hierarchy" in outside[0][3]
    # its systemd runs as the container's init while the pods use cgroupfs
    assert [f[2].split("/")[-2] for f in findings if f[0] == "NL503"] == ["910"]


def test_a_pod_process_in_another_pods_cgroup(nodelint, tmp_path):
    escaped_pod(Node(tmp_path), f"/kubepods/besteffort/pod{OTHER_POD}/{CID2}")
    outside = [f for f in audit(nodelint, tmp_path)[1] if f[0] == "NL502"]
    assert len(outside) == 1 and f"another pod, {OTHER_POD}" in outside[0][3]


def test_processes_in_their_pods_cgroups_are_fine(nodelint, tmp_path):
    node = Node(tmp_path)
    pod = systemd_pod()
    node.process(900, 1, "containerd-shim")
    node.process(901, 900, "pause", cgroup=f"{pod}/cri-containerd-{CID2}.scope", ns_pid=1)
    node.process(910, 900, "nginx", cgroup=f"{pod}/cri-containerd-{CID}.scope", ns_pid=1)
    node.process(911, 910, "nginx", cgroup=f"{pod}/cri-containerd-{CID}.scope", ns_pid=7)
    # a docker run container: its shim serves no pod, so its processes are not judged
    node.process(950, 1, "containerd-shim")
    node.process(951, 950, "redis-server", cgroup=f"/system.slice/docker-{CID}.scope", ns_pid=1)
    # a CRI-O pod: conmon, then the container, in crio- scopes of the same pod slice
    crio_pod = systemd_pod(OTHER_POD, "besteffort")
    node.process(960, 1, "conmon", cgroup=f"{crio_pod}/crio-conmon-{CID}.scope")
    node.process(961, 960, "app", cgroup=f"{crio_pod}/crio-{CID}.scope", ns_pid=1)
    assert audit(nodelint, tmp_path)[1] == []


def test_a_systemd_container_under_the_systemd_driver_is_fine(nodelint, tmp_path):
    node = Node(tmp_path)
    node.process(900, 1, "containerd-shim")
    node.process(910, 900, "systemd", cgroup=f"{systemd_pod()}/cri-containerd-{CID}.scope", ns_pid=1)
    node.process(920, 910, "nginx", cgroup=f"{systemd_pod()}/cri-containerd-{CID}.scope/system.slice/nginx.service",
                 ns_pid=30)
    assert audit(nodelint, tmp_path)[1] == []


# ------------------------------------------------------------------------------- gVisor

def gvisor_pod(node: Node, sandbox_cgroup: str, pod_limit: int | None = 256 << 20):
    node.memory_limit(systemd_pod(), pod_limit)
    node.process(700, 1, "containerd-shim", argv0="containerd-shim-runsc-v1")
    node.process(701, 700, "exe", argv0="runsc-sandbox", cgroup=sandbox_cgroup)
    node.process(702, 700, "exe", argv0="runsc-gofer", cgroup=sandbox_cgroup)
    node.memory_limit(sandbox_cgroup, None)
    return node


def test_a_runsc_sandbox_with_no_memory_limit_while_its_pod_has_one(nodelint, tmp_path):
    literal = f"/kubepods-burstable-pod{POD.replace('-', '_')}.slice:cri-containerd:{CID}"
    gvisor_pod(Node(tmp_path), literal)
    _, findings = audit(nodelint, tmp_path)
    unlimited = [f for f in findings if f[0] == "NL504"]
    assert [f[2].split("/")[-2] for f in unlimited] == ["701", "702"]
    assert "has 256 MiB" in unlimited[0][3] and systemd_pod() in unlimited[0][3]
    literal_paths = [f for f in findings if f[0] == "NL505"]
    assert len(literal_paths) == 2 and "taken as a directory name" in literal_paths[0][3]


def test_a_runsc_sandbox_inside_its_pod_slice_inherits_the_limit(nodelint, tmp_path):
    gvisor_pod(Node(tmp_path), f"{systemd_pod()}/cri-containerd-{CID}.scope")
    assert audit(nodelint, tmp_path)[1] == []


def test_a_runsc_sandbox_on_cgroup_v1_with_the_cgroupfs_layout(nodelint, tmp_path):
    node = gvisor_pod(Node(tmp_path, cgroup_version=1), f"/kubepods/burstable/pod{POD}/{CID}")
    node.process(800, 1, "containerd-shim")
    node.process(801, 800, "pause", cgroup=f"{systemd_pod(OTHER_POD)}/cri-containerd-{CID2}.scope", ns_pid=1)
    _, findings = audit(nodelint, tmp_path)
    assert rules(findings).count("NL504") == 2 and rules(findings).count("NL505") == 2
    assert any("cgroupfs-layout path while the node's pods are under kubepods.slice" in f[3] for f in findings)


def test_a_runsc_sandbox_when_the_pod_has_no_limit_is_not_reported(nodelint, tmp_path):
    literal = f"/kubepods-burstable-pod{POD.replace('-', '_')}.slice:cri-containerd:{CID}"
    gvisor_pod(Node(tmp_path), literal, pod_limit=None)
    assert rules(audit(nodelint, tmp_path)[1]) == ["NL505", "NL505"]


# ------------------------------------------------------------------------------ inotify

@pytest.mark.parametrize("held, severity", [(100, None), (110, "warning"), (125, "error")])
def test_inotify_instances_pressure(nodelint, tmp_path, held, severity):
    node = Node(tmp_path)
    node.process(812, 1, "containerd", inotify=[1] * (held - 5))
    node.process(901, 1, "kubelet", inotify=[1] * 5)
    _, findings = audit(nodelint, tmp_path)
    pressure = [f for f in findings if f[0] == "NL506"]
    if severity is None:
        assert pressure == []
        return
    assert [f[1] for f in pressure] == [severity]
    assert pressure[0][2].endswith("proc/sys/fs/inotify/max_user_instances")
    assert pressure[0][3].startswith(f"uid 0 holds {held} of 128 inotify instances")
    assert "containerd (pid 812)" in pressure[0][3].split(":")[1].split(",")[0]


def test_inotify_watches_pressure_per_user(nodelint, tmp_path):
    node = Node(tmp_path)
    node.process(3301, 1, "node", uid=1000, inotify=[4000, 3000],
                 cgroup=f"{systemd_pod()}/cri-containerd-{CID}.scope")
    node.process(812, 1, "containerd", uid=0, inotify=[100])
    report, findings = audit(nodelint, tmp_path)
    assert [(f[0], f[1]) for f in findings] == [("NL507", "warning")]
    assert "uid 1000 holds 7000 of 8192 inotify watches (85%)" in findings[0][3]
    assert "container 3f2a00000000" in findings[0][3]
    assert report["live"]["inotify_by_uid"] == {"0": {"instances": 1, "watches": 100},
                                                "1000": {"instances": 2, "watches": 7000}}


# ------------------------------------------------------------------- partial and hostile

def test_a_hidden_pid1_is_said(nodelint, tmp_path):
    node = Node(tmp_path)
    node.process(812, 1, "containerd")
    shutil.rmtree(tmp_path / "proc/1")
    report, findings = audit(nodelint, tmp_path, "--select", "NL508")
    assert [f[0] for f in findings] == ["NL508"] and "hidepid" in findings[0][3]
    assert report["live"]["pid1"] is None


def test_a_root_without_proc_says_so(nodelint, tmp_path):
    write(tmp_path / "etc/hostname", "node\n")
    _, findings = audit(nodelint, tmp_path)
    assert [f[0] for f in findings] == ["NL508"] and "no process was read" in findings[0][3]


def test_processes_exiting_mid_read_and_links_are_tolerated(nodelint, tmp_path):
    node = Node(tmp_path)
    (tmp_path / "proc/4000").mkdir()  # exited: no status any more
    node.process(4001, 1, "x")
    (tmp_path / "proc/4001/status").unlink()
    outside = tmp_path / "outside"
    write(outside / "memory.max", "1024\n")
    os.symlink(outside / "memory.max", tmp_path / "proc/4001/status")  # a link is not followed
    node.process(4002, 1, "y", cgroup="/kubepods/../../../outside")  # a cgroup path cannot leave the cgroup tree
    report, findings = audit(nodelint, tmp_path)
    assert report["live"]["processes"] == 2 and findings == []


def test_the_audit_writes_nothing(nodelint, tmp_path):
    escaped_pod(Node(tmp_path), "/system.slice/nginx.service")

    def state():
        return {p: (p.lstat().st_mtime_ns, p.read_bytes() if p.is_file() and not p.is_symlink() else None)
                for p in sorted(tmp_path.rglob("*"))}

    before = state()
    out = nodelint("--live", "--root", tmp_path, "--fix", "--select", "NL5")  # the live rules fix nothing
    assert out.code == 1 and "NL502" in out.out and state() == before


def test_prometheus_gauges_for_the_live_node(nodelint, tmp_path):
    from prometheus_client.parser import text_string_to_metric_families

    node = escaped_pod(Node(tmp_path), "/system.slice/nginx.service")
    node.process(812, 1, "containerd", inotify=[2] * 10)
    target = tmp_path / "out/nodelint.prom"
    target.parent.mkdir()
    nodelint("--live", "--root", tmp_path, "--select", "NL5", "--format", "prometheus", "-o", target)
    families = {f.name: f for f in text_string_to_metric_families(target.read_text())}
    assert families["nodelint_inotify_instances"].samples[0].labels == {"uid": "0"}
    assert families["nodelint_inotify_instances"].samples[0].value == 10
    assert families["nodelint_inotify_watches"].samples[0].value == 20
    assert families["nodelint_inotify_max_user_instances"].samples[0].value == 128
    assert families["nodelint_processes_outside_pod_cgroup"].samples[0].value == 1
    assert families["nodelint_cgroup_version"].samples[0].value == 2
    promtool = Path(__file__).parents[1] / ".cache/prometheus/usr/bin/promtool"
    if promtool.exists():
        checked = subprocess.run([str(promtool), "check", "metrics"], input=target.read_text(), capture_output=True,
                                 text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_text_report_names_the_host_facts(nodelint, tmp_path):
    Node(tmp_path, cgroup_version=1, pid1="systemd")
    out = nodelint("--live", "--root", tmp_path, "--select", "NL5")
    assert "Live node: cgroup v1, PID 1 systemd, 1 processes read." in out.out


# ------------------------------------------------------------------ this machine, read-only

def test_smoke_on_this_machines_own_proc_and_cgroups(nodelint):
    if not os.path.exists("/proc/1/comm") or not os.path.isdir("/sys/fs/cgroup"):
        pytest.skip("no /proc or /sys/fs/cgroup here")
    fs_type = subprocess.run(["stat", "-fc", "%T", "/sys/fs/cgroup"], capture_output=True, text=True).stdout.strip()
    out = nodelint("--live", "--format", "json", "--select", "NL5")
    assert out.code in (0, 1), out.err
    live = json.loads(out.out)["live"]
    assert live["pid1"] == Path("/proc/1/comm").read_text().strip()
    assert live["cgroup_version"] == {"cgroup2fs": 2, "tmpfs": 1}.get(fs_type, live["cgroup_version"])
    assert live["processes"] > 1


def test_a_run_without_root_says_what_it_could_not_read(tmp_path):
    setpriv = shutil.which("setpriv")
    if os.getuid() != 0 or setpriv is None:
        pytest.skip("needs root and setpriv to run nodelint as another user")
    from .conftest import nodelint_exe

    out = subprocess.run([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", nodelint_exe(), "--live",
                          "--select", "NL508", "--format", "json"], capture_output=True, text=True, cwd=tmp_path,
                         timeout=120)
    if out.returncode == 126 or not out.stdout:
        pytest.skip(f"nodelint cannot run as uid 65534 here: {out.stderr.strip()[:200]}")
    notes = [f["message"] for f in json.loads(out.stdout)["findings"]]
    assert any("could not be read" in n and "inotify" in n for n in notes), notes


def test_inotify_counts_match_the_kernels_own_on_this_machine(nodelint, tmp_path):
    """An inotify instance with two watches, made here with the real syscalls, is counted."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if not hasattr(libc, "inotify_init1"):
        pytest.skip("no inotify here")
    before = json.loads(nodelint("--live", "--format", "json", "--select", "NL5").out)["live"]["inotify_by_uid"]
    fd = libc.inotify_init1(0)
    if fd < 0:
        pytest.skip("inotify_init1 failed")
    try:
        for watched in (tmp_path, Path(__file__).parent):
            assert libc.inotify_add_watch(fd, str(watched).encode(), 0x100) >= 0  # IN_CREATE
        after = json.loads(nodelint("--live", "--format", "json", "--select", "NL5").out)["live"]["inotify_by_uid"]
    finally:
        os.close(fd)
    uid = str(os.getuid())
    held = before.get(uid, {"instances": 0, "watches": 0})
    assert after[uid]["instances"] >= held["instances"] + 1 and after[uid]["watches"] >= held["watches"] + 2


def test_a_live_cgroup_v1_host_is_deprecated_and_refused_by_kubelet_135(nodelint, tmp_path):
    Node(tmp_path, cgroup_version=1)
    out = nodelint("--live", "--root", tmp_path, "--format", "json", "--select", "NL113,NL114").json["findings"]
    assert [(f["rule"], f["path"].endswith("sys/fs/cgroup")) for f in out] == [("NL114", True)]
    out = nodelint("--live", "--root", tmp_path, "--format", "json", "--select", "NL113,NL114",
                   "--runtime-version", "kubelet=1.35.0").json["findings"]
    assert [f["rule"] for f in out] == ["NL113"] and "the running node (cgroup v1" in out[0]["message"]
    Node(tmp_path / "v2")
    assert nodelint("--live", "--root", tmp_path / "v2", "--format", "json", "--select", "NL113,NL114",
                    "--runtime-version", "kubelet=1.35.0").json["findings"] == []


def test_links_in_proc_are_not_followed(nodelint, tmp_path):
    import os

    node = Node(tmp_path)
    outside = tmp_path / "outside"
    write(outside / "fs/inotify/max_user_watches", "999999\n")
    write(outside / "4242/status", "Name:\tintruder\nPPid:\t1\nUid:\t0\t0\t0\t0\nNSpid:\t4242\n")
    shutil.rmtree(tmp_path / "proc/sys")
    os.symlink(outside, tmp_path / "proc/sys")  # proc/sys leads elsewhere
    os.symlink(outside / "4242", tmp_path / "proc/4242")  # a linked "process"
    node.process(900, 1, "containerd")
    report, _ = audit(nodelint, tmp_path)
    assert report["live"]["processes"] == 2 and report["live"]["inotify_limits"] == {}


def test_static_pods_are_pods_too(nodelint, tmp_path):
    """kubelet names a static pod (apiserver, etcd) by 32 hex digits, not a UUID."""
    node = Node(tmp_path)
    uid = "8f4e1c2a9b7d4e3f8a1b2c3d4e5f6a7b"
    node.process(900, 1, "containerd-shim")
    node.process(901, 900, "pause", cgroup=f"/kubepods/burstable/pod{uid}/{CID2}", ns_pid=1)
    node.process(902, 900, "etcd", cgroup="/system.slice/etcd.service", ns_pid=1)
    assert rules(audit(nodelint, tmp_path)[1]) == ["NL501", "NL502"]


def test_cgroup_paths_from_another_cgroup_namespace_are_said(nodelint, tmp_path):
    node = Node(tmp_path)
    node.process(900, 1, "containerd-shim", cgroup="/../../system.slice/containerd.service")
    _, findings = audit(nodelint, tmp_path, "--select", "NL508")
    assert len(findings) == 1 and "cgroup namespace" in findings[0][3]


def test_a_best_effort_pods_runsc_is_not_held_to_the_nodes_limit(nodelint, tmp_path):
    """A pod without a memory limit of its own: the limit above it is the node's, not the pod's."""
    literal = f"/kubepods-besteffort-pod{POD.replace('-', '_')}.slice:cri-containerd:{CID}"
    node = Node(tmp_path)
    node.memory_limit("/kubepods.slice", 8 << 30)
    node.memory_limit(systemd_pod(qos="besteffort"), None)
    node.process(700, 1, "containerd-shim")
    node.process(701, 700, "exe", argv0="runsc-sandbox", cgroup=literal)
    node.memory_limit(literal, None)
    assert rules(audit(nodelint, tmp_path)[1]) == ["NL505"]


def test_runsc_on_a_node_whose_pods_all_use_cgroupfs_is_not_nl505(nodelint, tmp_path):
    node = Node(tmp_path)
    node.process(700, 1, "containerd-shim")
    node.process(701, 700, "exe", argv0="runsc-sandbox", cgroup=f"/kubepods/burstable/pod{POD}/{CID}")
    assert "NL505" not in rules(audit(nodelint, tmp_path)[1])
