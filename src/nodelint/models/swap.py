"""Whether a node turns swap on at boot, and where: fstab swap entries (systemd's fstab generator
activates each one without ``noauto``), enabled ``.swap`` units, zram-generator's config (a
``[zramN]`` section makes a swap device on zram; ``/etc/systemd/zram-generator.conf`` replaces the
``/usr/lib`` one, and an empty one turns it off), and with ``--live`` ``/proc/swaps``.
Sources are cited in NL208's docs.
"""
from __future__ import annotations

import posixpath
import re

from ..values.record import record

_ZRAM_SECTION = re.compile(r"^\s*\[(zram\d+)\]\s*$")


@record
class SwapSource:
    doc: object | None
    key: tuple
    path: str
    line: int
    column: int
    what: str


def swap_sources(node, settings) -> list[SwapSource]:
    out = []
    for doc in node.of_kind("fstab"):
        if doc.parsed is None or doc.templated:
            continue
        for i, entry in enumerate(doc.parsed.entries):
            if entry.vfstype == "swap" and "noauto" not in entry.options:
                pos = doc.parsed.lines.position(entry.start)
                out.append(SwapSource(doc, (i,), doc.path, pos.line, pos.column, f"the fstab swap entry {entry.spec} turns swap on at boot"))
    zram = [d for d in node.of_kind("swap-unit") if d.node_path and d.node_path.endswith("zram-generator.conf")]
    in_etc = [d for d in zram if d.node_path.startswith("etc/")]
    for doc in (in_etc or zram)[:1]:  # the /etc file replaces /usr/lib's; an empty one turns zram off
        for n, section, body in _zram_sections(doc.text):
            if not any(line.split("=", 1)[0].strip() == "mount-point" for line in body):  # else a filesystem
                out.append(SwapSource(doc, (), doc.path, n, 1, f"zram-generator's [{section}] turns swap on at boot (on zram)"))
                break
    for doc in node.of_kind("swap-unit"):
        name = posixpath.basename(doc.node_path or doc.path)
        # a .swap unit is active once enabled (a link in swap.target.wants), as fstab's are generated
        if name.endswith(".swap") and node.has_file(f"etc/systemd/system/swap.target.wants/{name}"):
            out.append(SwapSource(doc, (), doc.path, 1, 1, f"the enabled swap unit {name} turns swap on at boot"))
    out += _live(node, settings)
    return out


def _zram_sections(text: str) -> list[tuple[int, str, list[str]]]:
    """(line, name, its lines) for each [zramN] section."""
    sections: list[tuple[int, str, list[str]]] = []
    current = None
    for n, line in enumerate(text.splitlines(), 1):
        m = _ZRAM_SECTION.match(line)
        if m:
            current = (n, m.group(1), [])
            sections.append(current)
        elif line.lstrip().startswith("["):
            current = None
        elif current is not None:
            current[2].append(line)
    return sections


def _live(node, settings) -> list[SwapSource]:
    from ..read.live import snapshot, shown

    snap = snapshot(node, settings)
    if snap is None:
        return []
    from ..read.files import read_head

    text = read_head(node.fs.resolve("proc/swaps"), 65536).decode("utf-8", "replace")
    devices = [line.split()[0] for line in text.splitlines()[1:] if line.split()]
    if not devices:
        return []
    return [SwapSource(None, (), shown(node, "proc/swaps"), 2, 1, f"the running node has swap on ({', '.join(devices)})")]
