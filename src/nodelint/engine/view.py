"""``nodelint show``, computed: the effective view nodelint judged, like ``systemd-analyze cat-config`` and
``containerd config dump``.

For each node: every kernel parameter's effective value and the file:line that wins (and what
procps ``sysctl --system`` ends with, where it differs); every containerd runtime handler with
its shim, its SystemdCgroup and where that is set, imports merged, for each containerd line
whose reading differs; the kubelet's cgroup driver and where it comes from; the runtime
versions known.  The conformance tests hold this view to the real programs; report/show.py
renders it as text.
"""
from __future__ import annotations

import posixpath

from ..read.discover import display
from .batches import plan as plan_files
from .nodes import empty_root_node
from .run import Run


def _where(doc, key=None, value=False) -> dict:
    pos = (doc.value_position(key) if value else doc.position(key)) if key is not None else None
    out = {"path": doc.path}
    if pos is not None:
        out.update(line=pos.line, column=pos.column)
    return out


def _setting(s) -> dict:
    pos = s.doc.parsed.lines.position(s.assignment.value_start)
    return {"value": s.value, "path": s.doc.path, "line": pos.line, "column": pos.column}


def sysctl_view(node, settings, keys: list[str]) -> list[dict]:
    from ..models import sysctl as S

    defaults = S.data(settings)["kernel_defaults"]
    out = []
    for m in S.model(node):
        for key in list(dict.fromkeys(m.keys() + list(keys))):
            boot, manual = m.effective(key), m.procps_effective(key)
            entry: dict = {"key": key}
            if boot is not None:
                entry.update(_setting(boot))
            else:
                entry["value"] = None
                if key in defaults:
                    entry["kernel_default"] = defaults[key]
            same = (boot is None) == (manual is None) and (boot is None or boot.value == manual.value)
            if not same:
                entry["procps"] = _setting(manual) if manual is not None else {"value": None}
            out.append(entry)
    return out


def containerd_view(node) -> list[dict]:
    from ..models import containerd as C
    from ..models import containerd_load as L

    known = L.known_version(node)
    lines = [L.line_of(known)] if known is not None and L.line_of(known) else list(L.LINES)
    out = []
    imported = node.imported_docs()
    for doc in node.of_kind("containerd"):
        if doc.parsed is None or id(doc) in imported or not isinstance(doc.data, dict) or doc.role == "fragment":
            continue
        chain = C.imports_of(doc, node)
        entry = {"config": doc.path, "imports": [d.path for d in chain], "lines": {}}
        for line in lines:
            entry["lines"][line] = L.reading(doc, chain, line, node, known).as_dict()
        out.append(entry)
    return out


def kubelet_view(node) -> list[dict]:
    from ..models.kubelet import kubelets

    out = []
    for k in kubelets(node):
        source = k.winner("cgroupDriver", "cgroup-driver")
        entry: dict = {"config": k.config.path if k.config is not None else None,
                       "dropins": [d.path for d in k.dropins]}
        if source is None:
            entry["cgroup_driver"] = {"value": "cgroupfs", "origin": "kubelet's default"}
        else:
            entry["cgroup_driver"] = {"value": source.value, "origin": source.origin, "path": source.doc.path,
                                      "line": source.position.line, "column": source.position.column}
        out.append(entry)
    return out


def versions_view(node) -> list[dict]:
    return [{"component": f.component, "version": str(f.release.raw), "source": f.source, "what": f.detail,
             "path": f.path, "line": f.line} for f in node.versions]


def views(paths: list[str], settings, root: str | None = None, kind: str | None = None,
          keys: list[str] | None = None) -> list[dict]:
    plan = plan_files([] if root else paths, settings, root=root, kind=kind)
    run = Run(settings, root)
    run.prepare(plan.pins + [t for batch in plan.batches for t in batch])
    if root is not None and not any(n.mode == "root" for n in run.nodes):
        run.nodes.append(empty_root_node(run.documents, root))
    run.version_facts()
    out = []
    for node in run.nodes:
        name = display(node.fs.root) if node.mode == "root" and node.fs is not None else _tree_name(node.key)
        out.append({"node": name, "mode": node.mode,
                    "sysctl": sysctl_view(node, settings, keys or []),
                    "containerd": containerd_view(node),
                    "kubelet": kubelet_view(node),
                    "versions": versions_view(node)})
    return out


def _tree_name(key: str) -> str:
    """``files::etc/`` (node.group_key) as the directory a user would name: ``files/etc``."""
    tree, _, below = key.partition("::")
    if not below:
        return tree.rstrip("/") or tree
    return posixpath.normpath(posixpath.join(tree, below)) if below and "(" not in below and "*" not in below \
        else key.replace("::", "/")
