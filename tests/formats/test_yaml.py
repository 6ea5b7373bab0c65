"""YAML: multi-document streams with positions; edits replace one scalar or add one line."""
from __future__ import annotations

import pytest

from ..conftest import apply_edits
from nodelint.read.formats import yaml as fmt
from nodelint.values.edits import DeleteKey, RenameKey, SetKey

KUBEADM = """\
---
# cluster
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
---
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: 'cgroupfs'   # wrong
maxPods: 250
"""


def edit(text: str, *edits) -> str:
    out = apply_edits(fmt, text, *edits)
    fmt.load(out)
    return out


def test_documents_and_positions():
    doc = fmt.load(KUBEADM)
    assert [d["kind"] for d in doc.data] == ["ClusterConfiguration", "KubeletConfiguration"]
    assert (doc.position((1, "cgroupDriver")).line, doc.value_position((1, "cgroupDriver")).column) == (8, 15)


def test_replacing_a_scalar_keeps_its_quotes_comment_and_the_other_documents():
    out = edit(KUBEADM, SetKey("f", (1, "cgroupDriver"), "systemd"))
    assert out == KUBEADM.replace("'cgroupfs'", "'systemd'")


def test_adding_a_key_to_an_unsorted_mapping_appends_it():
    text = "kind: KubeletConfiguration\napiVersion: kubelet.config.k8s.io/v1beta1\nauthentication:\n  x: 1\n"
    assert edit(text, SetKey("f", (0, "cgroupDriver"), "systemd")) == text + "cgroupDriver: systemd\n"


def test_adding_a_key_to_a_sorted_mapping_keeps_the_order_and_comments_attached():
    text = ("apiVersion: v1\nauthentication: {}\n# pods\nclusterDNS: []\nkind: KubeletConfiguration\n")
    out = edit(text, SetKey("f", (0, "cgroupDriver"), "systemd"))
    assert out == "apiVersion: v1\nauthentication: {}\ncgroupDriver: systemd\n# pods\nclusterDNS: []\nkind: KubeletConfiguration\n"


def test_crlf_and_no_final_newline_survive():
    text = "kind: KubeletConfiguration\r\nmaxPods: 10"
    assert edit(text, SetKey("f", (0, "cgroupDriver"), "systemd")) == text + "\r\ncgroupDriver: systemd"


def test_rename_and_delete():
    text = "kind: KubeletConfiguration\ncgroupdriver: systemd\nmaxPods: 1\n"
    assert edit(text, RenameKey("f", (0, "cgroupdriver"), "cgroupDriver")) == text.replace("cgroupdriver", "cgroupDriver")
    assert edit(text, DeleteKey("f", (0, "cgroupdriver"))) == "kind: KubeletConfiguration\nmaxPods: 1\n"


def test_yaml_11_booleans_as_kubernetes_reads_them():
    assert fmt.load("a: yes\nb: 'yes'\nc: 010\n").data == [{"a": True, "b": "yes", "c": 8}]


def test_syntax_errors_have_positions():
    with pytest.raises(fmt.YamlSyntaxError) as e:
        fmt.load("a: b\n c: d: e\n")
    assert e.value.line == 2


def test_alias_bombs_are_bounded():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))
    with pytest.raises(fmt.YamlSyntaxError) as e:
        fmt.load(bomb)
    assert "limit" in e.value.message


def test_a_deleted_key_takes_its_own_comment_block_with_it():
    text = "kind: KubeletConfiguration\n# the old driver\ncgroupdriver: systemd\nmaxPods: 1\n"
    assert edit(text, DeleteKey("f", (0, "cgroupdriver"))) == "kind: KubeletConfiguration\nmaxPods: 1\n"
