"""Generated node roots for the sysctl conformance tests: seeded, so a failing case can be made again.

A case uses every directory both programs read (etc, run, usr/local/lib, usr/lib and lib
sysctl.d), masks by an empty file, by a /dev/null link and by a dangling link, links inside the
root (``99-sysctl.conf -> ../sysctl.conf``, absolute ones), hidden and non-.conf names, and lines
with ``.``/``/`` separators, globs, ``-key`` lines, ``-key = value``, duplicates, the same value
again, comments, trailing comments, CR LF endings and blanks around keys and values.
"""
from __future__ import annotations

import os
import random
from pathlib import Path

DIRS = ["etc/sysctl.d", "run/sysctl.d", "usr/local/lib/sysctl.d", "usr/lib/sysctl.d"]
NAMES = ["10-a.conf", "50-k8s.conf", "50-k8s.conf", "60-b.conf", "99-sysctl.conf", "99-zz.conf", "zz.conf",
         ".hidden.conf", "README", "70-c.conf.bak"]
KEYS = [  # dotted, as written in files (some exist in the judges' /proc/sys, some do not)
    "fs.inotify.max_user_instances", "fs.inotify.max_user_watches", "fs.file-max", "kernel.panic",
    "kernel.panic_on_oops", "vm.swappiness", "vm.overcommit_memory", "net.ipv4.ip_forward",
    "net.ipv4.conf.all.rp_filter", "net.ipv4.conf.eth0.rp_filter", "net.ipv4.conf.eth0/100.rp_filter",
    "net.ipv4.conf.lo.forwarding", "kernel.keys.root_maxkeys", "kernel.no_such_key",
]
GLOBS = ["net.ipv4.conf.*.rp_filter", "net.ipv4.conf.e*.forwarding", "fs.*", "kernel.keys.*",
         "fs.inotify.max_user_*", "net/ipv4/conf/*/rp_filter", "vm.[os]*"]


def _slashed(key: str) -> str:
    """The same key written with '/' separators (systemd's other form)."""
    return key.translate(str.maketrans("./", "/."))


def _line(rng: random.Random) -> str:
    roll = rng.random()
    key = rng.choice(KEYS)
    if roll < 0.08:
        return rng.choice(["# a comment", "; another", "", "   ", "\t# indented comment"])
    if roll < 0.18:
        return f"-{rng.choice(KEYS + GLOBS)}"  # a negative match
    if roll < 0.3:
        key = rng.choice(GLOBS)
    elif roll < 0.4:
        key = _slashed(key)
    value = rng.choice(["1", "0", "2", "128", "8192", "524288", "65536", "10", "1 2", "5 # trailing"])
    prefix = "-" if rng.random() < 0.1 else ""
    space = rng.choice([" = ", "=", "  =\t", " =  "])
    lead = rng.choice(["", "", " ", "\t"])
    return f"{lead}{prefix}{key}{space}{value}"


def _content(rng: random.Random) -> str:
    lines = [_line(rng) for _ in range(rng.randint(0, 6))]
    newline = "\r\n" if rng.random() < 0.1 else "\n"
    text = newline.join(lines)
    return text + newline if lines and rng.random() < 0.9 else text


def make(root: Path, seed: int) -> Path:
    """Write case ``seed`` below ``root``; returns it."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    dirs = rng.sample(DIRS, rng.randint(1, len(DIRS)))
    if "usr/lib/sysctl.d" not in dirs and rng.random() < 0.3:
        dirs.append("lib/sysctl.d")  # alone: on a merged /usr it is usr/lib's
    for d in dirs:
        (root / d).mkdir(parents=True, exist_ok=True)
        for name in rng.sample(NAMES, rng.randint(1, 4)):
            path = root / d / name
            if path.exists() or path.is_symlink():
                continue
            roll = rng.random()
            if name == "99-sysctl.conf":
                os.symlink(rng.choice(["../sysctl.conf", "/etc/sysctl.conf"]), path)
            elif roll < 0.08:
                os.symlink("/dev/null", path)
            elif roll < 0.12:
                os.symlink("/nonexistent.conf", path)
            elif roll < 0.16:
                path.write_text("")
            elif roll < 0.2:
                (root / "etc/kubernetes").mkdir(parents=True, exist_ok=True)
                (root / "etc/kubernetes/sysctl.conf").write_text(_content(rng))
                os.symlink("/etc/kubernetes/sysctl.conf", path)
            else:
                path.write_bytes(_content(rng).encode())
    if rng.random() < 0.5:
        (root / "etc").mkdir(exist_ok=True)
        (root / "etc/sysctl.conf").write_bytes(_content(rng).encode())
    return root


def describe(root: Path) -> str:
    """The case as text, to paste into a bug report."""
    out = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_symlink():
            out.append(f"{rel} -> {os.readlink(path)}")
        elif path.is_file():
            out.append(f"{rel}:\n" + "".join(f"    | {line!r}\n" for line in path.read_text().splitlines(True)))
    return "\n".join(out)
