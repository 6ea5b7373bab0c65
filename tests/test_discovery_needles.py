"""The substring pre-filters in kinds.py never hide a path (or template) their pattern matches."""
from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from nodelint.read import kinds as K

PATHS = [
    "etc/containerd/config.toml", "etc/containerd/conf.d/10.toml", "etc/containerd/runsc.toml",
    "usr/share/containerd/config.toml", "etc/docker/daemon.json", "var/lib/kubelet/config.yaml",
    "var/lib/kubelet/kubeadm-flags.env", "etc/kubernetes/kubelet/config.json.d/00.conf",
    "etc/kubernetes/kubelet.conf.d/a/b.conf", "etc/kubernetes/kubelet/kubelet-config.json",
    "etc/kubernetes/kubelet-config.yaml", "etc/default/kubelet", "etc/sysconfig/kubelet",
    "lib/systemd/system/kubelet.service", "usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
    "etc/crio/crio.conf", "etc/crio/crio.conf.d/20-x", "usr/share/containers/containers.conf",
    "etc/containers/containers.conf.d/a.conf", "etc/sysctl.conf", "run/sysctl.d/x.conf",
    "usr/local/lib/sysctl.d/y.conf", "lib/sysctl.d/z.conf", "runsc-kvm.toml", "containerd-config.toml",
    "daemon.json", "docker-daemon.json", "daemon-docker.json", "kubeadm-join.yml", "my-kubelet-config.json",
    "kubeadm-flags.env", "kubelet.service", "kubelet.service.d/x.conf", "02-crio.conf", "containers.conf",
    "sysctl.conf", "sysctl.d/a.conf", "node.pkrvars.hcl", "x.pkrvars.json", "variables.pkr.hcl",
    "group_vars/all/main.yml", "host_vars/h1", "roles/r/defaults/main.yml", "roles/r/vars/x.yaml",
]


def test_the_prefilter_never_hides_a_match():
    for table in (K.LOCATIONS, K.NAMES):
        for kind, role, pattern, needle in table.table:
            rx = re.compile(pattern)
            for path in PATHS:
                for prefix in ("", "files/", "roles/x/templates/"):
                    if rx.search(prefix + path):
                        assert needle in prefix + path, (pattern, needle, path)


def test_every_sample_path_has_a_kind():
    assert [p for p in PATHS if K.by_path(p) is None] == []


def test_name_patterns_are_anchored_in_every_alternative():
    for path in ("daemon.json.bak", "x/docker-daemon.json.orig", "node.pkrvars.hcl.old", "variables.pkr.hcl~"):
        assert K.by_path(path) is None, path


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="{}%#\n jinja:template", max_size=60))
def test_template_detection_finds_what_the_marker_pattern_finds(text):
    """is_templated scans for plain substrings first; it must agree with TEMPLATE_MARKERS."""
    assert K.is_templated(text) == bool(K.TEMPLATE_MARKERS.search(text))


@settings(max_examples=300, deadline=None)
@given(name=st.text(st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)), min_size=1,
                    max_size=20))
def test_a_drop_in_directory_declares_the_kind_its_location_pattern_gives(name):
    """--root discovery trusts ROOT_DIRECTORY_KINDS instead of matching each path: it must say
    what by_path would say for any file its glob finds there."""
    import fnmatch

    for directory, pattern in K.ROOT_GLOBS:
        declared = K.ROOT_DIRECTORY_KINDS.get(directory)
        if declared is None or not fnmatch.fnmatchcase(name, pattern) or name in (".", ".."):
            continue
        m = K.by_path(f"{directory}/{name}")
        assert m is not None and (m.kind, m.role, m.node_path) == (*declared, f"{directory}/{name}"), (directory, name)
