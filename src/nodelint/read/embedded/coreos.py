"""Flatcar and Fedora CoreOS provisioning: Butane YAML and the Ignition JSON it becomes.

Butane (``variant``, ``version``): ``storage.files[]`` with ``contents.inline`` (and ``append[]``
items with ``inline``), ``systemd.units[]`` ``contents`` and ``dropins[].contents``.
Ignition (``ignition.version``): the same, with ``contents.source`` as a ``data:`` URL
(percent-encoded or base64; compressed contents are not read).  Sources:
https://github.com/coreos/butane/blob/main/docs/config-fcos-v1_6.md,
https://github.com/coreos/ignition/blob/v2.26.0/docs/configuration-v3_4.md
"""
from __future__ import annotations

from . import Found
from .codecs import DataURL, FlowScalar
from .yaml_values import string_value

UNITS = "etc/systemd/system"


def find(outer) -> list[Found]:
    if outer.syntax == "json":
        return _ignition(outer)
    return _butane(outer)


def _documents(outer):
    data = outer.data
    return list(enumerate(data)) if isinstance(data, list) else [((), data)]


def _butane(outer) -> list[Found]:
    out = []
    for d, data in enumerate(outer.data or []):
        if not isinstance(data, dict):
            continue
        for i, f in enumerate(((data.get("storage") or {}).get("files") or []) if isinstance(data.get("storage"), dict) else []):
            if not isinstance(f, dict) or not isinstance(f.get("path"), str):
                continue
            contents = f.get("contents")
            if isinstance(contents, dict) and isinstance(contents.get("inline"), str) and not contents.get("compression"):
                placed = string_value(outer, (d, "storage", "files", i, "contents", "inline"))
                if placed:
                    out.append(Found(f"storage.files[{i}].contents", f["path"], *placed))
            for j, a in enumerate(f.get("append") or []):
                if isinstance(a, dict) and isinstance(a.get("inline"), str):
                    placed = string_value(outer, (d, "storage", "files", i, "append", j, "inline"))
                    if placed:
                        out.append(Found(f"storage.files[{i}].append[{j}]", f["path"], *placed, append=True))
        out += _units(outer, data, (d,), lambda key: string_value(outer, key))
    return out


def _units(outer, data, prefix, place) -> list[Found]:
    out = []
    systemd = data.get("systemd") if isinstance(data.get("systemd"), dict) else {}
    for u, unit in enumerate(systemd.get("units") or []):
        if not isinstance(unit, dict) or not isinstance(unit.get("name"), str):
            continue
        name = unit["name"]
        if isinstance(unit.get("contents"), str):
            placed = place(prefix + ("systemd", "units", u, "contents"))
            if placed:
                out.append(Found(f"systemd.units[{u}].contents", f"{UNITS}/{name}", *placed))
        for k, dropin in enumerate(unit.get("dropins") or []):
            if isinstance(dropin, dict) and isinstance(dropin.get("name"), str) and isinstance(dropin.get("contents"), str):
                placed = place(prefix + ("systemd", "units", u, "dropins", k, "contents"))
                if placed:
                    out.append(Found(f"systemd.units[{u}].dropins[{k}]", f"{UNITS}/{name}.d/{dropin['name']}", *placed))
    return out


def _json_string(outer, key):
    node = outer.parsed.node(key)
    if node is None or node.kind != "scalar" or outer.text[node.start:node.start + 1] != '"':
        return None
    import json

    value = json.loads(outer.text[node.start:node.end])
    pos = outer.parsed.lines.position(node.start)
    return FlowScalar(outer.text, node.start, node.end, value, '"', pos.line, pos.column), value


def _ignition(outer) -> list[Found]:
    data = outer.data
    if not isinstance(data, dict):
        return []
    out = []
    storage = data.get("storage") if isinstance(data.get("storage"), dict) else {}
    for i, f in enumerate(storage.get("files") or []):
        if not isinstance(f, dict) or not isinstance(f.get("path"), str):
            continue
        sources = [("contents", ("storage", "files", i, "contents", "source"), f.get("contents"), False)]
        sources += [(f"append[{j}]", ("storage", "files", i, "append", j, "source"), a, True)
                    for j, a in enumerate(f.get("append") or [])]
        for label, key, holder, append in sources:
            if not isinstance(holder, dict) or not isinstance(holder.get("source"), str) or holder.get("compression"):
                continue
            if not holder["source"].startswith("data:"):
                continue
            placed = _json_string(outer, key)
            if placed is None:
                continue
            codec = DataURL(placed[0])
            text = codec.decode()
            if text is not None:
                out.append(Found(f"storage.files[{i}].{label}", f["path"], codec, text, append=append))
    return out + _units(outer, data, (), lambda key: _json_string(outer, key))
