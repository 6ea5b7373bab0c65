"""A real parser agrees: after --fix, ``containerd -c FILE config dump`` accepts each config and
shows ``SystemdCgroup = true`` for every runc handler.

containerd 1.x (Debian's package) reads version 1 and 2 configs; containerd 2.x (Debian sid's
binary, unpacked by scripts/install-test-tools) reads versions 2 and 3.  Fragments for drop-in
directories are not standalone configs and are left out.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from .conftest import CORPUS, REPO, needs_corpus, write
from .test_corpus import ROWS

RUNC = ("io.containerd.runc.v2", "io.containerd.runc.v1")


def binary(major: int) -> str | None:
    candidates = [os.environ.get(f"NODELINT_CONTAINERD{major}"), shutil.which("containerd"),
                  str(REPO / ".cache/containerd2/usr/bin/containerd")]
    for c in candidates:
        if c and os.access(c, os.X_OK):
            out = subprocess.run([c, "--version"], capture_output=True, text=True).stdout
            version = out.split()[2].lstrip("v") if len(out.split()) > 2 else ""
            if version.startswith(f"{major}."):
                return c
    return None


CONTAINERD1, CONTAINERD2 = binary(1), binary(2)
needs1 = pytest.mark.skipif(CONTAINERD1 is None, reason="no containerd 1.x (scripts/install-test-tools installs it)")
needs2 = pytest.mark.skipif(CONTAINERD2 is None, reason="no containerd 2.x (scripts/install-test-tools unpacks it)")


def runc_handlers(dump: dict) -> dict[str, dict]:
    """runc-type handlers in a dumped config, including 1.x's default_runtime table."""
    plugins = dump.get("plugins", {})
    # the table the dumping release reads (1.x dumps version 2, and an unknown plugin's table as written)
    cri = plugins.get("io.containerd.cri.v1.runtime" if dump.get("version", 2) >= 3 else "io.containerd.grpc.v1.cri",
                      {})
    ctd = cri.get("containerd", {})
    handlers = dict(ctd.get("runtimes", {}))
    for legacy in ("default_runtime", "untrusted_workload_runtime"):
        if isinstance(ctd.get(legacy), dict):
            handlers[legacy] = ctd[legacy]
    return {n: h for n, h in handlers.items() if h.get("runtime_type") in RUNC}


def dump(containerd: str, path: Path) -> dict:
    p = subprocess.run([containerd, "-c", str(path), "config", "dump"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return tomllib.loads(p.stdout)


def corpus_configs(versions: set[str]) -> list[str]:
    out = []
    for local, kind, facts in ROWS:
        version = (facts.get("cfgversion") or ["1"])[0]
        if kind == "containerd" and version in versions and "fragment" not in facts:
            out.append(local)
    return out


def fix_and_dump(nodelint, tmp_path, local: str, containerd: str) -> dict:
    path = tmp_path / Path(local).name
    shutil.copyfile(CORPUS / local, path)
    nodelint("--fix", "--kind", "containerd", path)
    return dump(containerd, path)


@needs_corpus
@needs1
@pytest.mark.parametrize("local", corpus_configs({"1", "2"}))
def test_containerd_1x_reads_every_fixed_v1_v2_config(nodelint, tmp_path, local):
    facts = next(f for l, _, f in ROWS if l == local)
    handlers = runc_handlers(fix_and_dump(nodelint, tmp_path, local, CONTAINERD1))
    if (facts.get("default_runtime_type") or [""])[0] == "io.containerd.runtime.v1.linux":
        return  # legacy runtime v1 is the default: NL110 reports it; containerd must still read the file
    assert handlers, "no runc handler in the dump"
    assert {n: h.get("options", {}).get("SystemdCgroup") for n, h in handlers.items()} == \
        {n: True for n in handlers}


@needs_corpus
@needs2
@pytest.mark.parametrize("local", corpus_configs({"2", "3", "4"}))
def test_containerd_2x_reads_every_fixed_v2_v3_config(nodelint, tmp_path, local):
    handlers = runc_handlers(fix_and_dump(nodelint, tmp_path, local, CONTAINERD2))
    assert handlers
    assert {n: h.get("options", {}).get("SystemdCgroup") for n, h in handlers.items()} == \
        {n: True for n in handlers}


MINIMAL = {
    # Debian bookworm's /etc/containerd/config.toml, as the containerd package ships it
    "v2-debian-default": ('version = 2\n\n[plugins]\n  [plugins."io.containerd.grpc.v1.cri"]\n'
                          '    [plugins."io.containerd.grpc.v1.cri".cni]\n      bin_dir = "/usr/lib/cni"\n'
                          '      conf_dir = "/etc/cni/net.d"\n  [plugins."io.containerd.internal.v1.opt"]\n'
                          '    path = "/var/lib/containerd/opt"\n'),
    "v1-empty": "root = '/var/lib/containerd'\n",
    # no version line and no CRI settings: rewritten as version 2 first (2.0-2.2 would read a version
    # 1 handler as version 3 and ignore it), so both lines read the handler the fix adds
    "unversioned-no-cri": "root = '/var/lib/containerd'\n",
    "v2-no-runtimes": "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\"]\n  sandbox_image = 'pause'\n",
    "v3-empty": "version = 3\n",
    # version 2 holding a version 3 CRI runtimes table (a 2.x drop-in pasted into the main config):
    # 2.x migrates no runtime of the version 2 table then, so the handler goes into both tables
    "v2-with-v3-runtimes": ('version = 2\n[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runsc]\n'
                            '  runtime_type = "io.containerd.runsc.v1"\n'
                            '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n'
                            '  runtime_type = "io.containerd.runc.v2"\n'
                            '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n'
                            '  SystemdCgroup = true\n'),
    # Talos' gVisor drop-in (version 3 IDs, no version line) at the main config's place
    "unversioned-v3-runtimes": ('[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runsc]\n'
                                '  runtime_type = "io.containerd.runsc.v1"\n'),
    "v3-other-handler": ("version = 3\n[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.kata]\n"
                         "  runtime_type = 'io.containerd.kata.v2'\n"),
}


@pytest.mark.parametrize("name", MINIMAL)
def test_a_created_runc_handler_is_what_containerd_reads(nodelint, tmp_path, name):
    path = write(tmp_path / "config.toml", MINIMAL[name])
    nodelint("--fix", "--kind", "containerd", path)
    # 2.1.9's `config dump` does not show a version 1 file's CRI tables migrated (its migration of
    # plugin settings is not applied on that code path), so v1 is checked with 1.x; 1.x cannot read v3
    readers = [c for c in ((CONTAINERD1 if not name.startswith("v3") else None),
                           (CONTAINERD2 if not name.startswith("v1") else None)) if c]
    if not readers:
        pytest.skip("no containerd binary for this config version")
    for containerd in readers:
        handlers = runc_handlers(dump(containerd, path))
        assert handlers.get("runc", {}).get("options", {}).get("SystemdCgroup") is True, containerd


@needs_corpus
@needs2
def test_a_fixed_fragment_is_what_containerd_2x_reads(nodelint, tmp_path):
    """Talos' crun drop-in uses containerd 2.x plugin IDs only (1.x never reads it): its handler
    gets SystemdCgroup = true as 2.x sees it.  (The built-in runc belongs to the main config.)"""
    local = "extensions/container-runtime/crun/10-crun.part"
    handlers = runc_handlers(fix_and_dump(nodelint, tmp_path, local, CONTAINERD2))
    assert handlers["crun"]["options"] == {"BinaryName": "/usr/local/bin/crun", "SystemdCgroup": True}
