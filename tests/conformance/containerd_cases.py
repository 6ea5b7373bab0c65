"""Generated /etc/containerd trees for the containerd conformance tests (seeded).

A case has a main config.toml of version 1, 2, 3 or none, written with the tables of some
version (not always its own, as real files are; a handler now and then in another version's
tables than the rest of its file), imports (a conf.d glob, literal and relative
paths, a missing one), drop-ins with and without a version line, disabled_plugins in every
spelling, and runtime handlers as installers write them: runc, nvidia through BinaryName, kata,
runsc with ConfigPath, wasm shims, with options present or absent, SystemdCgroup true, false,
missing or in another case, quoted keys in either quote, a default_runtime_name.
"""
from __future__ import annotations

import random
from pathlib import Path

PLUGIN = {1: "cri", 2: '"io.containerd.grpc.v1.cri"', 3: "'io.containerd.cri.v1.runtime'"}
HANDLERS = [
    ("runc", "io.containerd.runc.v2", {}),
    ("nvidia", "io.containerd.runc.v2", {"BinaryName": '"/usr/bin/nvidia-container-runtime"'}),
    ("kata", "io.containerd.kata.v2", {}),
    ("runsc", "io.containerd.runsc.v1", {"TypeUrl": '"io.containerd.runsc.v1.options"',
                                         "ConfigPath": '"/etc/containerd/runsc.toml"'}),
    ("spin", "io.containerd.spin.v2", {}),
    ("crun", "io.containerd.runc.v2", {"BinaryName": '"/usr/bin/crun"'}),
]
DISABLED = ['"cri"', '"io.containerd.grpc.v1.cri"', '"io.containerd.cri.v1.runtime"', '"aufs"',
            '"io.containerd.snapshotter.v1.btrfs"']


def _plugin(layout: int, rng: random.Random) -> str:
    name = PLUGIN[layout]
    if layout > 1 and rng.random() < 0.3:  # the other quote
        name = name.replace('"', "'") if '"' in name else name.replace("'", '"')
    return f"plugins.{name}"


def _handler(rng: random.Random, layout: int, name: str, runtime_type: str, options: dict) -> str:
    head = f"{_plugin(layout, rng)}.containerd.runtimes.{name}"
    out = ""
    if rng.random() < 0.85:
        out += f"[{head}]\n"
        if rng.random() < 0.9:
            out += f'  runtime_type = "{runtime_type}"\n'
    options = dict(options)
    roll = rng.random()
    if roll < 0.35:
        options["SystemdCgroup"] = "true"
    elif roll < 0.5:
        options["SystemdCgroup"] = "false"
    elif roll < 0.55:
        options[rng.choice(["systemdCgroup", "systemdcgroup", "systemd_cgroup"])] = "true"
    if options and rng.random() < 0.9:
        out += f"[{head}.options]\n" + "".join(f"  {k} = {v}\n" for k, v in options.items())
    return out


def _config(rng: random.Random, declared: int | None, layout: int, imports: list[str] | None = None,
            main: bool = False) -> str:
    text = f"version = {declared}\n" if declared is not None else ""
    if imports is not None:
        text += "imports = [" + ", ".join(f'"{i}"' for i in imports) + "]\n"
    if rng.random() < 0.15:
        text += "disabled_plugins = [" + ", ".join(rng.sample(DISABLED, rng.randint(1, 2))) + "]\n"
    if main and rng.random() < 0.3:
        name = rng.choice([h[0] for h in HANDLERS])
        text += f"[{_plugin(layout, rng)}.containerd]\n  default_runtime_name = \"{name}\"\n"
    for name, runtime_type, options in rng.sample(HANDLERS, rng.randint(0, 3)):
        # now and then a handler pasted from another version's docs (a 2.x drop-in in a version 2 file)
        own = layout if rng.random() < 0.85 else rng.choice([1, 2, 3])
        text += _handler(rng, own, name, runtime_type, options)
    return text


def _version_and_layout(rng: random.Random) -> tuple[int | None, int]:
    declared = rng.choice([None, 1, 2, 2, 2, 3, 3])
    layout = (declared or 1) if rng.random() < 0.7 else rng.choice([1, 2, 3])
    if declared is None and rng.random() < 0.6:
        layout = 2  # the common real file: no version line, version 2 tables
    return declared, layout


def make(root: Path, seed: int) -> Path:
    rng = random.Random(seed)
    etc = root / "etc/containerd"
    etc.mkdir(parents=True, exist_ok=True)
    imports = None
    dropins = []
    if rng.random() < 0.6:
        imports = []
        for _ in range(rng.randint(1, 2)):
            kind = rng.random()
            if kind < 0.6:
                imports.append("/etc/containerd/conf.d/*.toml")
            elif kind < 0.75:
                imports.append("/etc/containerd/extra.toml")
                dropins.append("extra.toml")
            elif kind < 0.9:
                imports.append("conf.d/relative.toml")
                dropins.append("conf.d/relative.toml")
            else:
                imports.append("/etc/containerd/missing.toml")
        imports = list(dict.fromkeys(imports))
        if "/etc/containerd/conf.d/*.toml" in imports:
            dropins += [f"conf.d/{n:02d}-dropin.toml" for n in range(rng.randint(0, 3))]
    if rng.random() < 0.95:
        declared, layout = _version_and_layout(rng)
        (etc / "config.toml").write_text(_config(rng, declared, layout, imports, main=True))
    for rel in dict.fromkeys(dropins):
        path = etc / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        declared, layout = _version_and_layout(rng)
        path.write_text(_config(rng, declared, layout))
    return root


def describe(root: Path) -> str:
    out = []
    for path in sorted((root / "etc/containerd").rglob("*")):
        if path.is_file():
            out.append(f"{path.relative_to(root)}:\n" + "".join(f"    | {line}" for line in path.read_text().splitlines(True)))
    return "\n".join(out)


def missing_import(root: Path) -> bool:
    config = root / "etc/containerd/config.toml"
    return config.is_file() and "/etc/containerd/missing.toml" in config.read_text()


def names_a_plugin_twice(root: Path) -> bool:
    """Whether a file of version 1 (or none) names a plugin both by its short ID and its full one
    (``plugins.cri`` and ``plugins."io.containerd.grpc.v1.cri"``).  containerd 2.x's version 1
    migration renames the short IDs while ranging over a Go map, so which of the two tables it
    keeps changes from one start to the next (seen: 3 of 16 `config dump` runs of one case
    disagreed with the other 13): no model can agree with that, and the case is not judged."""
    import tomli

    from nodelint.models.containerd_load import named_twice

    for path in (root / "etc/containerd").rglob("*.toml"):
        try:
            if named_twice(tomli.loads(path.read_text())):
                return True
        except tomli.TOMLDecodeError:
            continue
    return False


def disables_cri(root: Path) -> bool:
    """Whether any file of the case names a CRI plugin in disabled_plugins (in any spelling)."""
    import tomli

    for path in (root / "etc/containerd").rglob("*.toml"):
        try:
            disabled = tomli.loads(path.read_text()).get("disabled_plugins", [])
        except tomli.TOMLDecodeError:
            continue
        if any("cri" in str(p) for p in disabled or []):
            return True
    return False
