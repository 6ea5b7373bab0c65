"""sysctl.d syntax as systemd-sysctl reads it."""
from __future__ import annotations

from nodelint.read.formats import sysctl
from nodelint.values.edits import DeleteKey, SetKey

from ..conftest import apply_edits


def test_separator_swap_follows_the_first_separator():
    assert sysctl.normalize_key("kernel/domainname") == "kernel.domainname"
    assert sysctl.normalize_key("net/ipv4/conf/enp3s0.200/forwarding") == "net.ipv4.conf.enp3s0/200.forwarding"
    assert sysctl.normalize_key("net.ipv4.conf.enp3s0/200.forwarding") == "net.ipv4.conf.enp3s0/200.forwarding"
    assert sysctl.proc_path("net.ipv4.conf.enp3s0/200.forwarding") == "net/ipv4/conf/enp3s0.200/forwarding"


def test_comments_ignore_failure_exclusions_and_globs():
    doc = sysctl.load("# c\n; c\n-net.netfilter.nf_conntrack_max = 262144\nnet.ipv4.conf.*.rp_filter = 2\n"
                      "-net.ipv4.conf.all.rp_filter\nnet.ipv4.conf.hub0.rp_filter=1\n")
    assert [(a.key, a.value, a.ignore_failure) for a in doc.assignments] == [
        ("net.netfilter.nf_conntrack_max", "262144", True), ("net.ipv4.conf.*.rp_filter", "2", False),
        ("net.ipv4.conf.all.rp_filter", None, True), ("net.ipv4.conf.hub0.rp_filter", "1", False)]
    assert doc.last("net.ipv4.conf.hub0.rp_filter").value == "1"
    assert doc.last("net.ipv4.conf.eth0.rp_filter").value == "2"
    assert doc.problems == []


def test_edits_replace_the_last_explicit_value_or_append():
    text = "a.b = 1\na.b = 2  \n"
    assert apply_edits(sysctl, text, SetKey("f", ("a.b",), "9")) == "a.b = 1\na.b = 9  \n"
    assert apply_edits(sysctl, "x.y=1", SetKey("f", ("a.b",), "3", comment="why")) == "x.y=1\n# why\na.b = 3"
    assert apply_edits(sysctl, text, DeleteKey("f", ("a.b",))) == "a.b = 1\n"
