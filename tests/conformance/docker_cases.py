"""Generated daemon.json files for the Docker conformance tests (seeded).

What real files hold and what breaks dockerd: exec-opts with either driver (spelled every way),
log options, runtimes, registry mirrors, unknown keys, a key in the wrong case, the singular
``exec-opt``, a driver key where it does not belong, comments, trailing commas, duplicates, a
byte order mark, an empty file, CR LF line endings.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

GOOD = {
    "exec-opts": lambda r: [r.choice(["native.cgroupdriver=systemd", "native.cgroupdriver=cgroupfs",
                                      " Native.CgroupDriver = systemd"])],
    "log-driver": lambda r: "json-file",
    "log-opts": lambda r: {"max-size": "10m", "max-file": "3"},
    "storage-driver": lambda r: "overlay2",
    "registry-mirrors": lambda r: ["https://mirror.example"],
    "live-restore": lambda r: True,
    "bridge": lambda r: "none",
    "default-ulimits": lambda r: {"nofile": {"Name": "nofile", "Hard": 65536, "Soft": 65536}},
    "runtimes": lambda r: {"runsc": {"path": "/usr/local/bin/runsc"}},
}
BAD_KEYS = {"Bridge": "none", "cgroupdriver": "systemd", "exec-opt": ["native.cgroupdriver=systemd"],
            "log_driver": "json-file", "no-such-option": True}


def make(root: Path, seed: int) -> Path:
    rng = random.Random(seed)
    path = root / f"case-{seed}" / "etc/docker/daemon.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {k: GOOD[k](rng) for k in rng.sample(sorted(GOOD), rng.randint(0, 4))}
    if rng.random() < 0.35:
        key = rng.choice(sorted(BAD_KEYS))
        data[key] = BAD_KEYS[key]
    text = json.dumps(data, indent=rng.choice([None, 2, 4]))
    roll = rng.random()
    if roll < 0.07:
        text = text.replace("{", "{\n  // a comment\n", 1)
    elif roll < 0.14 and data:
        text = text[:text.rstrip().rfind("}")].rstrip() + ",\n}"
    elif roll < 0.2 and data:
        first = next(iter(data))
        text = text.replace("{", "{" + json.dumps(first) + ": " + json.dumps(data[first]) + ", ", 1)
    elif roll < 0.24:
        text = ""
    if rng.random() < 0.1:
        text = text.replace("\n", "\r\n")
    raw = text.encode() + (b"\n" if text and rng.random() < 0.8 else b"")
    if rng.random() < 0.08:
        raw = b"\xef\xbb\xbf" + raw
    path.write_bytes(raw)
    return path


def describe(path: Path) -> str:
    return f"{path.name}: {path.read_bytes()!r}"
