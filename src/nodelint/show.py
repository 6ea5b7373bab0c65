"""``nodelint show``: the effective view nodelint judged, like ``systemd-analyze cat-config`` and
``containerd config dump``.

For each node: every kernel parameter's effective value and the file:line that wins (and what
procps ``sysctl --system`` ends with, where it differs); every containerd runtime handler with
its shim, its SystemdCgroup and where that is set, imports merged, for each containerd line
whose reading differs; the kubelet's cgroup driver and where it comes from; the runtime
versions known.  The conformance tests hold this view to the real programs.
"""
from __future__ import annotations

import posixpath

from . import engine
from .discover import display


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
    from . import sysctl as S

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
    from . import containerd as C
    from . import containerd_load as L

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
    from .kubelet import kubelets

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
    plan = engine.plan([] if root else paths, settings, root=root, kind=kind)
    run = engine.Run(settings, root)
    run.prepare(plan.pins + [t for batch in plan.batches for t in batch])
    if root is not None and not any(n.mode == "root" for n in run.nodes):
        run.nodes.append(engine.empty_root_node(run, root))
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


def render_text(nodes: list[dict]) -> str:
    lines: list[str] = []
    for n in nodes:
        lines.append(f"# node {n['node']} ({n['mode']})")
        if n["sysctl"]:
            lines.append("[kernel parameters]")
            for e in n["sysctl"]:
                if e["value"] is None:
                    default = f" (kernel default {e['kernel_default']})" if "kernel_default" in e else ""
                    text = f"  {e['key']}: not set{default}"
                else:
                    text = f"  {e['key']} = {e['value']}    # {e['path']}:{e['line']}"
                if "procps" in e:
                    p = e["procps"]
                    text += ("    (sysctl --system: not set)" if p["value"] is None else
                             f"    (sysctl --system: {p['value']}, {p['path']}:{p['line']})")
                lines.append(text)
        for c in n["containerd"]:
            lines.append(f"[containerd {c['config']}]" + (f" imports {', '.join(c['imports'])}" if c["imports"] else ""))
            groups: dict[str, list[str]] = {}
            for line, reading in c["lines"].items():
                groups.setdefault(_reading_text(reading), []).append(line)
            for text, lines_ in groups.items():
                lines.append(f"  containerd {', '.join(lines_)}:")
                lines.extend("    " + t for t in text.splitlines())
        for k in n["kubelet"]:
            d = k["cgroup_driver"]
            where = f"    # {d['origin']}, {d['path']}:{d['line']}" if "path" in d else f"    # {d['origin']}"
            lines.append(f"[kubelet {k['config'] or '(no config file)'}]")
            lines.append(f"  cgroupDriver = {d['value']}{where}")
        if n["versions"]:
            lines.append("[versions]")
            for v in n["versions"]:
                lines.append(f"  {v['component']} {v['version']}    # {v['source']}: {v['what']}, {v['path']}")
        lines.append("")
    return "\n".join(lines)


def _reading_text(reading: dict) -> str:
    if reading.get("error"):
        return f"refuses the config: {reading['error']}"
    out = [f"config version {reading['version']}, default runtime {reading['default_runtime']}"]
    if reading.get("cri_disabled"):
        out.append("CRI plugin disabled")
    for h in reading["handlers"]:
        sc = h["systemd_cgroup"]
        at = h.get("systemd_cgroup_at")
        if at is not None:
            where = f"    # SystemdCgroup at {at['path']}:{at['line']}"
        elif h.get("path"):
            where = f"    # handler at {h['path']}:{h['line']}"
        else:
            where = "    # built in"
        runc = "runc" in (h["runtime_type"] or "")  # runc's shim reads SystemdCgroup; others have their own
        shown = ("unset (cgroupfs)" if runc else "unset") if sc is None else str(sc).lower()
        out.append(f"{h['name']}: {h['runtime_type'] or '(no runtime_type)'}, SystemdCgroup = {shown}{where}")
    return "\n".join(out)
