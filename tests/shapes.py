"""Pathological inputs: small files shaped to make a careless linter slow or hungry.

Each shape writes a node root of size ``n`` and says how nodelint is run on it.  The same
shapes are timed at n and 10n by ``bench/pathological.py``, generated at bounded sizes by the
fuzzer (tests/fuzzing.py, scripts/fuzz), and held to linear work by tests/test_pathological.py.
"""
from __future__ import annotations

from pathlib import Path

V2 = 'plugins."io.containerd.grpc.v1.cri"'
RUNC = (f'[{V2}.containerd.runtimes.runc]\n  runtime_type = "io.containerd.runc.v2"\n'
        f'  [{V2}.containerd.runtimes.runc.options]\n    SystemdCgroup = true\n')
KUBELET_HEAD = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: cgroupfs\n"


def _write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def sysctl_repeated_key(root: Path, n: int) -> list[str]:
    """One sysctl file repeating one key n times (1,000 lines: 36 KB)."""
    path = _write(root, "etc/sysctl.d/99-x.conf", "fs.inotify.max_user_instances = 128\n" * n)
    return [str(path)]


def kubelet_env_many_flags(root: Path, n: int) -> list[str]:
    """/etc/default/kubelet whose KUBELET_EXTRA_ARGS holds n flags (40,000 flags: about 1 MB)."""
    flags = " ".join(f"--flag-{i}=value{i}" for i in range(n))
    path = _write(root, "etc/default/kubelet", f'KUBELET_EXTRA_ARGS="{flags} --cgroup-driver=cgroupfs"\n')
    return [str(path)]


def containerd_dropins(root: Path, n: int) -> list[str]:
    """One node root with n containerd drop-ins, each defining a runtime handler."""
    _write(root, "etc/containerd/config.toml", 'version = 2\nimports = ["/etc/containerd/conf.d/*.toml"]\n\n' + RUNC)
    for i in range(n):
        _write(root, f"etc/containerd/conf.d/{i:05d}.toml",
               f'version = 2\n[{V2}.containerd.runtimes.h{i}]\n  runtime_type = "io.containerd.runc.v2"\n')
    return ["--root", str(root)]


def sysctl_many_files(root: Path, n: int) -> list[str]:
    """n files in one etc/sysctl.d, each setting its own key and the inotify limit."""
    for i in range(n):
        _write(root, f"etc/sysctl.d/{i:06d}-x.conf", f"net.x.k{i} = 1\nfs.inotify.max_user_instances = 128\n")
    return ["--root", str(root)]


def kubelet_yaml_plain_keys(root: Path, n: int) -> list[str]:
    """A KubeletConfiguration of n plain keys, about 100 bytes a line (100,000 keys: 10 MB)."""
    pad = "x" * 84
    body = "".join(f"key{i:06d}: value-{pad}\n" for i in range(n))
    path = _write(root, "var/lib/kubelet/config.yaml", KUBELET_HEAD + body)
    return [str(path)]


def containerd_many_tables(root: Path, n: int) -> list[str]:
    """One containerd config with n runtime handler tables."""
    body = "".join(f'[{V2}.containerd.runtimes.h{i}]\n  runtime_type = "io.containerd.runc.v2"\n' for i in range(n))
    path = _write(root, "etc/containerd/config.toml", "version = 2\n\n" + RUNC + body)
    return [str(path)]


def kubelet_yaml_duplicate_keys(root: Path, n: int) -> list[str]:
    """A KubeletConfiguration whose n keys are each written twice."""
    body = "".join(f"key{i % (n // 2 or 1)}: value{i}\n" for i in range(n))
    path = _write(root, "var/lib/kubelet/config.yaml", KUBELET_HEAD + body)
    return [str(path)]


# name -> (writer, n for the bench's small case, what the bench prints for n)
SHAPES = {
    "sysctl file repeating one key": (sysctl_repeated_key, 1_000, "lines"),
    "kubelet env file with many flags": (kubelet_env_many_flags, 4_000, "flags"),
    "containerd drop-ins in one root": (containerd_dropins, 500, "files"),
    "files in one etc/sysctl.d": (sysctl_many_files, 5_000, "files"),
    "kubelet YAML of plain keys": (kubelet_yaml_plain_keys, 10_000, "keys"),
    "containerd config of many handlers": (containerd_many_tables, 1_000, "tables"),
    "kubelet YAML of duplicate keys": (kubelet_yaml_duplicate_keys, 2_000, "keys"),
}
