"""Flags in environment files and systemd units, with offsets that survive quotes."""
from __future__ import annotations

from nodelint.read.formats import flags
from nodelint.read.formats.text import apply_splices
from nodelint.values.edits import SetKey


def test_env_file_flags_and_in_place_edit():
    text = 'KUBELET_EXTRA_ARGS="--node-ip=10.0.0.1 --cgroup-driver=cgroupfs --v=2"\n'
    doc = flags.load_envfile(text)
    found = flags.flags_in(doc.assignments[0].value)
    assert [(f.name, f.value) for f in found] == [("node-ip", "10.0.0.1"), ("cgroup-driver", "cgroupfs"), ("v", "2")]
    out = apply_splices(text, flags.plan(doc, SetKey("f", ("KUBELET_EXTRA_ARGS", "cgroup-driver"), "systemd")))
    assert out == text.replace("cgroupfs", "systemd")


def test_space_separated_flag_value():
    doc = flags.load_envfile("KUBELET_ARGS=--cgroup-driver cgroupfs --v=2\n")
    assert [(f.name, f.value) for f in flags.flags_in(doc.assignments[0].value)][0] == ("cgroup-driver", "cgroupfs")


def test_unit_environment_and_exec_start_with_continuations():
    text = ("[Service]\n"
            'Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml" "OTHER=1"\n'
            "ExecStart=\n"
            "ExecStart=/usr/bin/kubelet $KUBELET_CONFIG_ARGS \\\n"
            "    --cgroup-driver=systemd\n")
    doc = flags.load_unit(text)
    env = {a.name: a.value.text for a in doc.environment()}
    assert env == {"KUBELET_CONFIG_ARGS": "--config=/var/lib/kubelet/config.yaml", "OTHER": "1"}
    exec_lines = [d.value for d in doc.directives if d.key == "ExecStart"]
    assert exec_lines[0].text == ""
    found = flags.flags_in(exec_lines[1])
    assert found[-1].name == "cgroup-driver"
    start, end = found[-1].value_span
    assert text[start:end] == "systemd"
