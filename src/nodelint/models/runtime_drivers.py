"""The cgroup driver each container runtime configured on a node uses, and where that is set."""
from __future__ import annotations

from . import containerd as C
from .crio import winning
from .docker import cgroup_driver_entries


def runtime_drivers(node) -> list[tuple[str, str, object, tuple, str]]:
    """(runtime, driver, document, key, qualifier) for each runtime configured on the node; the
    qualifier names the containerd release lines a driver holds on, where they differ.

    Worked out once per node (node.memo is cleared when a fix changes a document): six rules ask."""
    known = node.memo.get("runtime_drivers")
    if known is None:
        known = node.memo["runtime_drivers"] = _runtime_drivers(node)
    return list(known)


def _runtime_drivers(node) -> list[tuple[str, str, object, tuple, str]]:
    from ..models import containerd_load as L

    out = []
    imported = node.imported_docs()
    for doc in node.of_kind("containerd"):
        if doc.parsed is None or id(doc) in imported or doc.role == "fragment" or not isinstance(doc.data, dict):
            continue
        known = L.version_for(doc, node)
        if known is False:
            continue
        chain = C.imports_of(doc, node)
        considered = L.considered_lines(doc.data, known)
        drivers: dict[tuple, list[str]] = {}  # (driver, document, key) -> the lines it holds on
        for line in considered:
            r = L.reading(doc, chain, line, node, known)
            handler = r.handlers.get(r.default_runtime) if r.error is None and not r.cri_disabled else None
            if handler is None or not handler.is_runc(line):
                continue
            value, key = handler.systemd_cgroup(line not in ("1.6", "1.7"))
            driver = "systemd" if value is True else "cgroupfs"
            if handler.doc is not None and key is not None and handler.writes(key):
                where = (handler.doc, handler.table + ("options", key))
            elif handler.doc is not None:
                where = (handler.doc, handler.table)
            else:
                where = (doc, C.implicit_runc_anchor(C.effective(doc, chain).config))
            drivers.setdefault((driver, id(where[0]), where[1]), [where[0]]).append(line)
        for (driver, _, key), (rdoc, *lines) in drivers.items():
            qualifier = "" if lines == considered else f" on containerd {', '.join(lines)}"
            out.append(("containerd", driver, rdoc, key, qualifier))
    won = winning(node.docs, "crio", "cgroup_manager")
    crio_docs = [d for d in node.of_kind("crio") if d.parsed is not None]
    if won is not None and isinstance(won[1], str):
        out.append(("CRI-O", won[1], won[0], ("crio", "runtime", "cgroup_manager"), ""))
    elif crio_docs:
        out.append(("CRI-O", "systemd", crio_docs[0], (), ""))
    for doc in node.of_kind("docker"):
        entries = cgroup_driver_entries(doc.data) if doc.parsed is not None else []
        if entries:
            i, value = entries[-1]
            out.append(("Docker", value, doc, ("exec-opts", i), ""))
    return out
