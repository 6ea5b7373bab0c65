"""containerd: NL101, NL102, NL108 and NL110 on small configs, as a user would write them."""
from __future__ import annotations

import pytest

from ..conftest import write

V2 = 'plugins."io.containerd.grpc.v1.cri"'
V3 = "plugins.'io.containerd.cri.v1.runtime'"


def findings(nodelint, tmp_path, text, name="etc/containerd/config.toml", *args):
    path = write(tmp_path / name, text)
    return nodelint("--format", "json", *args, path).json["findings"]


def codes(nodelint, tmp_path, text, *args, name="etc/containerd/config.toml"):
    return sorted(f["rule"] for f in findings(nodelint, tmp_path, text, name, *args))


@pytest.mark.parametrize("version, plugin", [("version = 1\n", "plugins.cri"), ("version = 2\n", V2),
                                             ("version = 3\n", V3), ("version = 4\n", V3)])
def test_each_config_version_is_read_at_its_own_table_path(nodelint, tmp_path, version, plugin):
    good = (f"{version}[{plugin}.containerd.runtimes.runc]\n  runtime_type = 'io.containerd.runc.v2'\n"
            f"[{plugin}.containerd.runtimes.runc.options]\n  SystemdCgroup = true\n")
    known = ["--select", "NL1", "--runtime-version", "containerd=1.7.24"] if plugin == "plugins.cri" else []
    assert codes(nodelint, tmp_path, good, *known) == []
    assert codes(nodelint, tmp_path, good.replace("true", "false"), *known) == ["NL101"]


@pytest.mark.parametrize("version", ["", "version = 1\n"])
def test_a_version_1_config_loses_its_runtimes_on_containerd_2_0_to_2_2(nodelint, tmp_path, version):
    """containerd 2.0-2.2 take a version 1 file (or one without a version line) as version 3 and
    never migrate its CRI tables (checked with the real 2.1.9 in tests/conformance)."""
    text = (f"{version}[plugins.cri.containerd.runtimes.runc]\n  runtime_type = 'io.containerd.runc.v2'\n"
            f"[plugins.cri.containerd.runtimes.runc.options]\n  SystemdCgroup = true\n")
    out = findings(nodelint, tmp_path, text)
    assert [f["rule"] for f in out if f["rule"] == "NL101"] == ["NL101"]
    assert "containerd 2.0-2.2" in out[0]["message"]
    for fine in ("1.6.20", "1.7.24", "2.3.0"):
        assert "NL101" not in codes(nodelint, tmp_path, text, "--select", "NL1", "--runtime-version", f"containerd={fine}")


def test_a_config_without_a_version_line_but_version_2_tables_is_read_by_no_containerd(nodelint, tmp_path):
    text = (f"[{V2}.containerd.runtimes.runc]\n  runtime_type = 'io.containerd.runc.v2'\n"
            f"[{V2}.containerd.runtimes.runc.options]\n  SystemdCgroup = true\n")
    path = write(tmp_path / "etc/containerd/config.toml", text)
    out = nodelint("--format", "json", path).json["findings"]
    assert [f["rule"] for f in out] == ["NL101"] and "no `version = 2` line" in out[0]["message"]
    nodelint("--fix", path)
    assert path.read_text() == "version = 2\n" + text
    assert nodelint("--format", "json", path).rules() == []


def test_a_table_at_another_versions_path_is_not_read(nodelint, tmp_path):
    # version 3 files are read by containerd 2.x, which never looks at io.containerd.grpc.v1.cri runtimes
    text = (f"version = 3\n[{V2}.containerd.runtimes.runc]\n  runtime_type = 'io.containerd.runc.v2'\n"
            f"[{V2}.containerd.runtimes.runc.options]\n  SystemdCgroup = true\n")
    out = findings(nodelint, tmp_path, text)
    assert [f["rule"] for f in out] == ["NL101"]
    assert "built-in 'runc'" in out[0]["message"]


def test_runc_shim_handlers_with_another_binary_count(nodelint, tmp_path):
    text = (f"version = 2\n[{V2}.containerd]\n  default_runtime_name = 'nvidia'\n"
            f"[{V2}.containerd.runtimes.nvidia]\n  runtime_type = 'io.containerd.runc.v2'\n"
            f"[{V2}.containerd.runtimes.nvidia.options]\n  BinaryName = '/usr/bin/nvidia-container-runtime'\n")
    out = findings(nodelint, tmp_path, text)
    assert [(f["rule"], f["line"]) for f in out] == [("NL101", 4)]
    assert "'nvidia'" in out[0]["message"]


def test_the_built_in_runc_handler_is_reported_when_it_is_the_default(nodelint, tmp_path):
    assert codes(nodelint, tmp_path, "version = 2\nroot = '/var/lib/containerd'\n") == ["NL101"]
    # 2.x keeps its built-in runc next to a file's own handlers
    other = (f"version = 3\n[{V3}.containerd.runtimes.crun]\n  runtime_type = 'io.containerd.runc.v2'\n"
             f"[{V3}.containerd.runtimes.crun.options]\n  SystemdCgroup = true\n")
    assert codes(nodelint, tmp_path, other) == ["NL101"]
    # ...but not when another handler is the default
    assert codes(nodelint, tmp_path, other.replace(
        "version = 3\n", f"version = 3\n[{V3}.containerd]\n  default_runtime_name = 'crun'\n")) == []


def test_cri_disabled_means_no_finding(nodelint, tmp_path):
    assert codes(nodelint, tmp_path, 'version = 2\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n') == []
    assert codes(nodelint, tmp_path, 'disabled_plugins = ["cri"]\n') == []


def test_fragments_do_not_own_the_default_handler(nodelint, tmp_path):
    fragment = (f"[{V3}.containerd.runtimes.runsc]\n  runtime_type = 'io.containerd.runsc.v1'\n"
                f"[{V3}.containerd.runtimes.runsc.options]\n  ConfigPath = '/etc/containerd/runsc.toml'\n")
    assert codes(nodelint, tmp_path, fragment, name="etc/containerd/conf.d/10-gvisor.toml") == []
    assert codes(nodelint, tmp_path, fragment, name="ext/10-gvisor.part") == []


def test_fix_creates_the_handler_in_the_files_version(nodelint, tmp_path):
    path = write(tmp_path / "etc/containerd/config.toml", "version = 3\n")
    nodelint("--fix", path)
    assert path.read_text() == (
        "version = 3\n"
        "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]\n"
        "runtime_type = 'io.containerd.runc.v2'\n"
        "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]\n"
        "SystemdCgroup = true\n") or path.read_text().count("SystemdCgroup = true") == 1
    assert nodelint("--format", "json", path).rules() == []


def test_cgroupfs_target_flips_the_rule(nodelint, tmp_path):
    text = (f"version = 2\n[{V2}.containerd.runtimes.runc]\n  runtime_type = 'io.containerd.runc.v2'\n"
            f"[{V2}.containerd.runtimes.runc.options]\n  SystemdCgroup = true\n")
    assert codes(nodelint, tmp_path, text, "--cgroup-driver", "cgroupfs") == ["NL101"]
    assert codes(nodelint, tmp_path, text.replace("true", "false"), "--cgroup-driver", "cgroupfs") == []
    assert codes(nodelint, tmp_path, "version = 2\n", "--cgroup-driver", "cgroupfs") == []


def test_legacy_systemd_cgroup_key(nodelint, tmp_path):
    base = f"version = 2\n[{V2}]\n  systemd_cgroup = VALUE\n[{V2}.containerd.runtimes.runc.options]\n  SystemdCgroup = true\n"
    out = findings(nodelint, tmp_path, base.replace("VALUE", "true"))
    assert [(f["rule"], f["severity"]) for f in out] == [("NL102", "error")]
    out = findings(nodelint, tmp_path, base.replace("VALUE", "false"))
    assert [(f["rule"], f["severity"]) for f in out] == [("NL102", "warning")]


def test_legacy_runtime_v1_default_is_nl110_and_nothing_else(nodelint, tmp_path):
    text = ("[plugins.cri]\n  systemd_cgroup = true\n  [plugins.cri.containerd.default_runtime]\n"
            "    runtime_type = \"io.containerd.runtime.v1.linux\"\n")
    out = findings(nodelint, tmp_path, text)
    assert [(f["rule"], f["severity"], f["line"]) for f in out] == [("NL110", "warning", 4)]


@pytest.mark.parametrize("key, value, severity, fixed", [
    ("SystemdCgroups", "true", "error", "SystemdCgroup = true"),
    ("systemd_cgroup", "true", "error", "SystemdCgroup = true"),
    ("Systemdcgroup", "true", "warning", "SystemdCgroup = true"),
    ("systemdCgroup", "true", "info", "SystemdCgroup = true"),
    ("SystemdCgroup", '"true"', "error", "SystemdCgroup = true"),
])
def test_misspelled_and_mistyped_keys(nodelint, tmp_path, key, value, severity, fixed):
    text = (f"version = 2\n[{V2}.containerd.runtimes.runc]\n  runtime_type = 'io.containerd.runc.v2'\n"
            f"[{V2}.containerd.runtimes.runc.options]\n  {key} = {value}\n")
    out = findings(nodelint, tmp_path, text)
    assert ("NL108", severity) in [(f["rule"], f["severity"]) for f in out]
    path = tmp_path / "etc/containerd/config.toml"
    nodelint("--fix", "--fail-on", "info", path)
    assert path.read_text().endswith(f"\n  {fixed}\n")
    assert nodelint("--format", "json", path).rules() == []


def test_systemd_cgroup_on_the_handler_table_moves_into_options(nodelint, tmp_path):
    text = (f"version = 2\n[{V2}.containerd.runtimes.runc]\n  runtime_type = 'io.containerd.runc.v2'\n"
            "  SystemdCgroup = true\n")
    path = write(tmp_path / "etc/containerd/config.toml", text)
    assert sorted(nodelint("--format", "json", path).rules()) == ["NL101", "NL108"]
    nodelint("--fix", path)
    assert path.read_text() == (f"version = 2\n[{V2}.containerd.runtimes.runc]\n"
                                "  runtime_type = 'io.containerd.runc.v2'\n"
                                f"[{V2}.containerd.runtimes.runc.options]\n  SystemdCgroup = true\n")


def test_inline_suppression(nodelint, tmp_path):
    text = (f"version = 2\n[{V2}.containerd.runtimes.runc.options]\n"
            "  SystemdCgroup = false  # nodelint: ignore[NL101]\n")
    assert codes(nodelint, tmp_path, text) == []
    above = text.replace("  SystemdCgroup = false  # nodelint: ignore[NL101]\n",
                         "  # nodelint: ignore[NL1]\n  SystemdCgroup = false\n")
    assert codes(nodelint, tmp_path, above) == []
    assert codes(nodelint, tmp_path, text.replace("ignore[NL101]", "ignore[NL104]")) == ["NL101"]


# ------------------------------------------- shims beside runc: nvidia-ctk, WebAssembly, Kata

RUNC_SYSTEMD = (f"version = 2\n[{V2}.containerd.runtimes.runc]\n  runtime_type = 'io.containerd.runc.v2'\n"
                f"[{V2}.containerd.runtimes.runc.options]\n  SystemdCgroup = true\n")


def test_nvidia_ctk_output_without_systemd_cgroup_is_reported_and_fixed(nodelint, tmp_path):
    """What `nvidia-ctk runtime configure` writes from a config whose runc section had no SystemdCgroup."""
    path = write(tmp_path / "etc/containerd/config.toml", RUNC_SYSTEMD + (
        f"[{V2}.containerd.runtimes.nvidia]\n  privileged_without_host_devices = false\n  runtime_engine = \"\"\n"
        f"  runtime_root = \"\"\n  runtime_type = \"io.containerd.runc.v2\"\n"
        f"[{V2}.containerd.runtimes.nvidia.options]\n  BinaryName = \"/usr/bin/nvidia-container-runtime\"\n"))
    out = nodelint("--format", "json", path).json["findings"]
    assert [(f["rule"], f["line"]) for f in out] == [("NL101", 6)] and "'nvidia' runs runc" in out[0]["message"]
    nodelint("--fix", path)
    assert nodelint("--format", "json", path).rules() == []


@pytest.mark.parametrize("runtime_type", ["io.containerd.spin.v2", "io.containerd.wasmtime.v1"])
def test_webassembly_shims_read_systemd_cgroup_too(nodelint, tmp_path, runtime_type):
    path = write(tmp_path / "etc/containerd/config.toml", RUNC_SYSTEMD + (
        f"[{V2}.containerd.runtimes.spin]\n  runtime_type = \"{runtime_type}\"\n"))
    out = nodelint("--format", "json", path).json["findings"]
    assert [f["rule"] for f in out] == ["NL101"] and f"WebAssembly shim {runtime_type}" in out[0]["message"]
    nodelint("--fix", path)
    assert "SystemdCgroup = true" in path.read_text().split("spin]", 1)[1]
    assert nodelint("--format", "json", path).rules() == []


def kata_root(tmp_path, kata_config: str | None, options: str = "", driver: str = "systemd"):
    root = tmp_path / "img"
    write(root / "etc/containerd/config.toml", RUNC_SYSTEMD + (
        f"[{V2}.containerd.runtimes.kata]\n  runtime_type = \"io.containerd.kata.v2\"\n"
        f"[{V2}.containerd.runtimes.kata.options]\n{options}"))
    write(root / "var/lib/kubelet/config.yaml", f"kind: KubeletConfiguration\ncgroupDriver: {driver}\n")
    if kata_config is not None:
        write(root / "etc/kata-containers/configuration.toml", kata_config)
    return root


def kata_findings(nodelint, root):
    out = nodelint("--format", "json", "--select", "NL116", "--root", root).json["findings"]
    return [(f["path"].split("/img/", 1)[-1], f["line"], f["message"].split(":")[0]) for f in out]


def test_systemd_cgroup_in_a_kata_handler_is_ignored(nodelint, tmp_path):
    root = kata_root(tmp_path, "[runtime]\nsandbox_cgroup_only = true\n", "  SystemdCgroup = true\n")
    assert kata_findings(nodelint, root) == [
        ("etc/containerd/config.toml", 9, "SystemdCgroup in Kata handler 'kata' is ignored")]


def test_kata_go_runtime_needs_sandbox_cgroup_only_with_the_systemd_driver(nodelint, tmp_path):
    root = kata_root(tmp_path, "[runtime]\nsandbox_cgroup_only = false\n")
    assert kata_findings(nodelint, root) == [
        ("etc/kata-containers/configuration.toml", 2, "sandbox_cgroup_only is false while kubelet uses the systemd cgroup driver")]
    assert kata_findings(nodelint, kata_root(tmp_path / "fs", "[runtime]\n", driver="cgroupfs")) == []
    assert kata_findings(nodelint, kata_root(tmp_path / "ok", "[runtime]\nsandbox_cgroup_only = true\n")) == []


def test_kata_config_path_names_the_file_and_runtime_rs_is_left_alone(nodelint, tmp_path):
    root = kata_root(tmp_path, None, '  ConfigPath = "/opt/kata/share/defaults/kata-containers/configuration-qemu.toml"\n')
    write(root / "opt/kata/share/defaults/kata-containers/configuration-qemu.toml", "[runtime]\nenable_debug = true\n")
    assert [f[0] for f in kata_findings(nodelint, root)] == ["opt/kata/share/defaults/kata-containers/configuration-qemu.toml"]
    rs = kata_root(tmp_path / "rs", None,
                   '  ConfigPath = "/opt/kata/share/defaults/kata-containers/runtime-rs/configuration-dragonball.toml"\n')
    assert kata_findings(nodelint, rs) == []


@pytest.mark.parametrize("version", ["", "version = 1\n"])
def test_a_plugin_configured_under_its_short_and_full_id_is_a_duplicate(nodelint, tmp_path, version):
    # containerd 2.x keeps one of the two tables at random (tests/conformance saw `config dump` of
    # such a file disagree with itself); no version-2 rewrite is offered: it would name one table twice
    text = (f'{version}[plugins.cri.containerd]\n  default_runtime_name = "runc"\n'
            f'[plugins."io.containerd.grpc.v1.cri".containerd]\n  default_runtime_name = "kata"\n')
    out = findings(nodelint, tmp_path, text)
    twice = [f for f in out if f["rule"] == "NL005"]
    assert [(f["severity"], f["line"]) for f in twice] == [("warning", 4 if version else 3)]
    assert "[plugins.cri] and [plugins.\"io.containerd.grpc.v1.cri\"] are one plugin" in twice[0]["message"]
    assert not any(f["fixable"] for f in out if f["rule"] == "NL101")


def test_a_version_2_config_may_name_both_ids_it_reads_only_the_full_one(nodelint, tmp_path):
    text = ('version = 2\n[plugins.cri]\n  x = 1\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n'
            '  runtime_type = "io.containerd.runc.v2"\n'
            '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = true\n')
    assert "NL005" not in codes(nodelint, tmp_path, text)
