"""The real programs nodelint's models are held to, and how to reach them on this machine.

Each ``*_batch`` function runs many cases through one real program in one private mount
namespace (sandbox.py): a case is a directory laid out as a node root.  ``available()`` says
why a judge cannot run here (not root, no ``unshare``, the program not installed), so the
tests skip with that reason instead of failing.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / ".cache"
SANDBOX = Path(__file__).with_name("sandbox.py")

# where scripts/install-test-tools puts each real program
CONTAINERD = {
    "1.6": Path("/usr/bin/containerd"),  # Debian bookworm's package, installed
    "1.7": CACHE / "containerd17/usr/bin/containerd",  # Debian trixie's, unpacked
    "2.1": CACHE / "containerd2/usr/bin/containerd",  # Debian sid's, unpacked
}
DOCKERD = {  # Debian's docker.io packages, unpacked by scripts/install-test-tools
    "20.10": CACHE / "docker-20.10/usr/sbin/dockerd",  # bookworm (no --validate: started, then stopped)
    "26.1": CACHE / "docker-26/usr/sbin/dockerd",  # trixie
}
# which behaviour family of nodelint's containerd model (containerd_load.LINES) each judge is
FAMILY = {"1.6": "1.6", "1.7": "1.7", "2.1": "2.0-2.2"}
SYSTEMD_SYSCTL = Path("/usr/lib/systemd/systemd-sysctl")
PROCPS_SYSCTL = Path("/usr/sbin/sysctl")

# /proc/sys as the cases see it: these keys exist, with these kernel defaults (the directories
# they are in exist too, so globs such as fs.* meet a directory like a real kernel's)
IFACES = ["all", "default", "lo", "eth0", "eth0.100"]
KERNEL_KEYS = {
    "fs/file-max": "9223372036854775807",
    "fs/inotify/max_user_instances": "128",
    "fs/inotify/max_user_watches": "8192",
    "fs/inotify/max_queued_events": "16384",
    "fs/protected_regular": "0",
    "kernel/pid_max": "32768",
    "kernel/panic": "0",
    "kernel/panic_on_oops": "0",
    "kernel/keys/root_maxkeys": "1000000",
    "kernel/keys/root_maxbytes": "25000000",
    "vm/overcommit_memory": "0",
    "vm/panic_on_oom": "0",
    "vm/max_map_count": "65530",
    "vm/swappiness": "60",
    "net/core/somaxconn": "4096",
    "net/ipv4/ip_forward": "0",
    **{f"net/ipv4/conf/{i}/rp_filter": "0" for i in IFACES},
    **{f"net/ipv4/conf/{i}/forwarding": "0" for i in IFACES},
}


class Unavailable(Exception):
    """A judge that cannot run on this machine (the reason is the message)."""


def _namespaces() -> str | None:
    if os.geteuid() != 0:
        return "needs root (mount namespaces)"
    if shutil.which("unshare") is None:
        return "needs unshare (util-linux)"
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "--", "true"], capture_output=True)
    if probe.returncode != 0:
        return f"cannot make a mount namespace here: {probe.stderr.decode().strip()}"
    return None


def sysctl_available(program: str) -> str | None:
    """None, or why the real ``program`` (systemd, procps) cannot judge here."""
    binary = SYSTEMD_SYSCTL if program == "systemd" else PROCPS_SYSCTL
    if not binary.exists():
        return f"{binary} is not installed"
    if shutil.which("chroot") is None:
        return "needs chroot"
    return _namespaces()


def containerd_available(line: str) -> str | None:
    binary = CONTAINERD[line]
    if not os.access(binary, os.X_OK):
        return f"containerd {line} is not installed at {binary} (scripts/install-test-tools)"
    return _namespaces()


def _run(job: dict) -> list[dict]:
    work = tempfile.mkdtemp(prefix="nodelint-conformance-")
    job = dict(job, work=work, parent_mount_namespace=os.readlink("/proc/self/ns/mnt"))
    try:
        p = subprocess.run(["unshare", "--mount", "--propagation", "private", "--net", "--",
                            sys.executable, "-I", str(SANDBOX)], input=json.dumps(job), capture_output=True,
                           text=True, timeout=60 + 10 * len(job["cases"]))
    finally:
        os.rmdir(work)  # its tmpfs lived only in the namespace
    if p.returncode != 0:
        raise RuntimeError(f"the conformance sandbox failed ({p.returncode}): {p.stderr.strip()[-2000:]}")
    return json.loads(p.stdout)


def sysctl_batch(program: str, cases: list[Path], keys: dict[str, str] = KERNEL_KEYS) -> list[dict]:
    """For each case: {"exit", "values": {dotted key: value written}, "log"}."""
    return _run({"kind": "sysctl", "program": program, "keys": keys, "cases": [str(c) for c in cases]})


def containerd_batch(line: str, cases: list[Path]) -> list[dict]:
    """For each case: {"exit", "stdout": the dumped TOML, "stderr"}."""
    return _run({"kind": "containerd", "binary": str(CONTAINERD[line]), "cases": [str(c) for c in cases]})


def docker_available(version: str) -> str | None:
    binary = DOCKERD[version]
    if not os.access(binary, os.X_OK):
        return f"dockerd {version} is not installed at {binary} (scripts/install-test-tools)"
    return _namespaces()


def docker_batch(version: str, files: list[Path]) -> list[dict]:
    """For each daemon.json: {"accepted": bool, "log"}."""
    return _run({"kind": "docker", "binary": str(DOCKERD[version]), "cases": [str(f) for f in files]})
