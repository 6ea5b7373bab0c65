"""Generated image-build trees for benchmarks and tests: many nodes, built from the shared corpus.

Every node gets one file of each kind at its node location (a containerd config, a runsc shim
config, a Docker daemon.json, a kubelet config, a kubeadm config, a CRI-O drop-in and sysctl
drop-ins), taken round-robin from the real-world files of that kind in ../shared/corpus/LABELS.tsv,
so clean and misconfigured nodes are mixed the way the corpus mixes them.  A few templated files
and version pins sit beside the nodes, as in a Packer + Ansible repo.

    python bench/tree.py ../shared/corpus /tmp/tree 1000
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

# kind -> where a node keeps it (``{n}`` numbers files of a kind that can have several)
PLACES = {
    "containerd": "etc/containerd/config.toml",
    "runsc": "etc/containerd/runsc.toml",
    "docker": "etc/docker/daemon.json",
    "kubelet": "var/lib/kubelet/config.yaml",
    "kubelet.json": "etc/kubernetes/kubelet/config.json",
    "kubeadm": "kubeadm-config.yaml",
    "crio": "etc/crio/crio.conf.d/{n:02d}-crio.conf",
    "sysctl": "etc/sysctl.d/{n:02d}-node.conf",
}
PER_NODE = ["containerd", "runsc", "docker", "kubelet", "kubeadm", "crio", "sysctl", "sysctl", "sysctl", "sysctl"]


def corpus_files(corpus: Path) -> dict[str, list[Path]]:
    """The corpus's files by labelled kind, in LABELS.tsv order."""
    by_kind: dict[str, list[Path]] = {}
    lines = (corpus / "LABELS.tsv").read_text().splitlines()[1:]
    for line in lines:
        local, kind = line.split("\t")[:2]
        by_kind.setdefault(kind, []).append(corpus / local)
    return by_kind


def make_tree(corpus: Path, dest: Path, files: int) -> int:
    """Write a tree of ``files`` config files (nodes of len(PER_NODE) files) below ``dest``;
    returns how many were written."""
    by_kind = corpus_files(corpus)
    picks = {kind: 0 for kind in by_kind}
    written = 0

    def place(relative: str, source: Path) -> None:
        nonlocal written
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
        written += 1

    extras = [("templated", "templates"), ("versions", "packer")]
    for kind, directory in extras:  # one of each templated file and pin file, beside the nodes
        for source in by_kind.get(kind, [])[:2]:
            if written < files:
                place(f"{directory}/{source.name}", source)
    node = 0
    while written < files:
        counts: dict[str, int] = {}
        for kind in PER_NODE:
            if written >= files:
                break
            sources = by_kind[kind]
            source = sources[picks[kind] % len(sources)]
            picks[kind] += 1
            counts[kind] = counts.get(kind, 0) + 1
            where = PLACES["kubelet.json"] if kind == "kubelet" and source.suffix == ".json" else PLACES[kind]
            place(f"nodes/node-{node:05d}/files/" + where.format(n=10 + counts[kind]), source)
        node += 1
    return written


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: tree.py CORPUS DEST FILES")
    n = make_tree(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
    print(f"{n} files in {os.path.abspath(sys.argv[2])}")
