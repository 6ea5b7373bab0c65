"""sysctl.d syntax as systemd-sysctl reads it."""
from __future__ import annotations

import itertools

from nodelint.read.formats import sysctl
from nodelint.values.edits import DeleteKey, SetKey

from ..conftest import apply_edits


def test_separator_swap_follows_the_first_separator():
    assert sysctl.normalize_key("kernel/domainname") == "kernel.domainname"
    assert sysctl.normalize_key("net/ipv4/conf/enp3s0.200/forwarding") == "net.ipv4.conf.enp3s0/200.forwarding"
    assert sysctl.normalize_key("net.ipv4.conf.enp3s0/200.forwarding") == "net.ipv4.conf.enp3s0/200.forwarding"
    assert sysctl.proc_path("net.ipv4.conf.enp3s0/200.forwarding") == "net/ipv4/conf/enp3s0.200/forwarding"


def test_the_shortcuts_for_plain_keys_give_what_the_full_normalization_gives():
    # every key of up to six characters from letters, dots, slashes and blanks
    for length in range(7):
        for chars in itertools.product("a./ \t", repeat=length):
            key = "".join(chars)
            assert sysctl.normalize_key(key) == sysctl._systemd_normalized(key.strip(" \t\n\r")), key
            assert sysctl.procps_key(key) == sysctl._procps_swapped(key), key


def test_lines_split_at_lf_are_the_lines_systemd_reads():
    # every text of up to seven characters from a key, "=", a blank and LF
    for length in range(8):
        for chars in itertools.product("k= \n", repeat=length):
            text = "".join(chars)
            assert list(sysctl._systemd_lines(text)) == list(sysctl._systemd_lines_matched(text)), text


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
