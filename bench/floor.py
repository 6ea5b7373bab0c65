"""The parse-only floor: read and parse every config file of a tree with the parsers nodelint
itself uses (tomli, compiled with mypyc; json's C decoder; PyYAML's libyaml C loader), doing
nothing else.

    python bench/floor.py TREE             # prints the number of files parsed
    python bench/floor.py --tomllib TREE   # the earlier floor: the pure-Python tomllib for TOML

A linter cannot beat this: it must at least read and parse every file.  Files that do not parse
(templates) still count: their read and the parser's attempt are part of the floor.
"""
from __future__ import annotations

import json
import os
import sys
import tomllib

import tomli

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
TOML = tomli  # the compiled (mypyc) tomli nodelint parses with; --tomllib: the pure-Python one, for continuity


def parse(path: str, data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    name = os.path.basename(path)
    if name.endswith(".json"):
        json.loads(text)
    elif name.endswith((".yaml", ".yml")):
        list(yaml.load_all(text, Loader=LOADER))
    elif name.endswith(".toml") or "/crio" in path:
        TOML.loads(text)
    else:  # sysctl.d and other line formats
        [line.split("=", 1) for line in text.splitlines() if line and line[0] not in "#;"]


def main(tree: str) -> int:
    n = 0
    for directory, dirs, files in os.walk(tree):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(directory, name)
            with open(path, "rb") as f:
                data = f.read()
            try:
                parse(path, data)
            except Exception:  # noqa: BLE001 - a template: the attempt still counts
                pass
            n += 1
    return n


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--tomllib" in args:
        args.remove("--tomllib")
        TOML = tomllib
    print(main(args[0]))
