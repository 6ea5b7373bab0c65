"""``nodelint show`` as text: the view engine/view.py computes, one block per node."""
from __future__ import annotations


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
