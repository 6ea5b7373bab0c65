"""nodelint's view of a case, and where it disagrees with what a real program did."""
from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

from .judges import KERNEL_KEYS


def dotted(path_key: str) -> str:
    return path_key.translate(str.maketrans("./", "/."))


def show(root: Path, *extra: str) -> dict:
    """``nodelint show --format json --root ROOT`` (in-process), the first node's view."""
    from nodelint.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["show", "--format", "json", "--root", str(root), *extra])
    assert code == 0, err.getvalue()
    nodes = json.loads(out.getvalue())["nodes"]
    return nodes[0] if nodes else {}


def sysctl_expectations(root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """What nodelint says systemd-sysctl and sysctl --system leave in each of the judges' keys."""
    keys = [dotted(k) for k in KERNEL_KEYS]
    view = show(root, *[a for k in keys for a in ("--key", k)])
    by_key = {e["key"]: e for e in view.get("sysctl", [])}
    systemd, procps = {}, {}
    for path_key, default in KERNEL_KEYS.items():
        e = by_key.get(dotted(path_key), {"value": None})
        systemd[dotted(path_key)] = default if e["value"] is None else e["value"]
        p = e.get("procps", e)
        procps[dotted(path_key)] = default if p["value"] is None else p["value"]
    return systemd, procps


def sysctl_disagreements(expected: dict[str, str], judged: dict) -> list[str]:
    """Keys where nodelint's expectation and the value the program wrote differ."""
    values = judged["values"]
    return [f"{k}: nodelint says {expected[k]!r}, the program wrote {values.get(k)!r}"
            for k in expected if values.get(k) != expected[k]]


# ---------------------------------------------------------------- containerd


def handlers_from_dump(dump: str) -> dict:
    """{"handlers": {name: (runtime_type, SystemdCgroup)}, "default": name} from ``config dump``."""
    import tomli

    data = tomli.loads(dump)
    plugins = data.get("plugins", {})
    cri = plugins.get("io.containerd.cri.v1.runtime") or plugins.get("io.containerd.grpc.v1.cri") or {}
    ctd = cri.get("containerd", {})
    out = {}
    for name, table in (ctd.get("runtimes") or {}).items():
        options = table.get("options") or {}
        value = next((v for k, v in options.items() if k.lower() == "systemdcgroup"), None)
        out[name] = (table.get("runtime_type") or None, value)
    return {"handlers": out, "default": ctd.get("default_runtime_name") or "runc",
            "cri_present": bool(cri)}


def handlers_from_show(reading: dict) -> dict:
    return {"handlers": {h["name"]: (h["runtime_type"], h["systemd_cgroup"]) for h in reading["handlers"]},
            "default": reading["default_runtime"]}


def containerd_disagreements(reading: dict, judged: dict) -> list[str]:
    """Where nodelint's reading for a containerd line and the real ``config dump`` differ: whether
    containerd refuses the config, and (when CRI is on) each handler's runtime_type and
    SystemdCgroup (a missing SystemdCgroup is false), and the default runtime."""
    refused = judged["exit"] != 0
    if refused != bool(reading["error"]):
        return [f"containerd {'refuses' if refused else 'accepts'} the config "
                f"({judged['stderr'].strip().splitlines()[-1] if refused else 'exit 0'}), nodelint says "
                f"{reading['error'] or 'it is accepted'}"]
    if refused or reading["cri_disabled"]:
        return []
    real, ours = handlers_from_dump(judged["stdout"]), handlers_from_show(reading)
    problems = []
    for name in sorted(set(real["handlers"]) | set(ours["handlers"])):
        if name not in real["handlers"] or name not in ours["handlers"]:
            problems.append(f"handler {name!r}: containerd {'has' if name in real['handlers'] else 'lacks'} it, "
                            f"nodelint {'has' if name in ours['handlers'] else 'lacks'} it")
            continue
        (rt_real, sc_real), (rt_ours, sc_ours) = real["handlers"][name], ours["handlers"][name]
        if (rt_real or None) != (rt_ours or None):
            problems.append(f"handler {name!r}: runtime_type {rt_real!r} in containerd, {rt_ours!r} in nodelint")
        if (sc_real if sc_real is not None else False) != (sc_ours if sc_ours is not None else False):
            problems.append(f"handler {name!r}: SystemdCgroup {sc_real!r} in containerd, {sc_ours!r} in nodelint")
    if real["default"] != ours["default"]:
        problems.append(f"default runtime {real['default']!r} in containerd, {ours['default']!r} in nodelint")
    return problems
