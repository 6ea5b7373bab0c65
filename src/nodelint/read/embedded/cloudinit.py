"""cloud-init ``#cloud-config``: the files ``write_files`` writes.

Each item's ``path`` decides the kind; ``content`` is decoded per ``encoding`` (``b64``/``base64``,
``gz+b64``/``gzip+base64`` and their spellings; plain ``gzip`` is binary YAML and is skipped);
``append: true`` adds the content to a file the image already has.  Source:
https://github.com/canonical/cloud-init/blob/26.2/cloudinit/config/cc_write_files.py and its
schema, ``$defs.cc_write_files`` in cloudinit/config/schemas/schema-cloud-config-v1.json.
"""
from __future__ import annotations

from . import Found
from .yaml_values import commands, decoded, string_value


def find(outer) -> list[Found]:
    out = []
    for d, data in enumerate(outer.data or []):
        if not isinstance(data, dict):
            continue
        for i, item in enumerate(data.get("write_files") if isinstance(data.get("write_files"), list) else []):
            out += _item(outer, (d, "write_files", i), item, f"write_files[{i}]")
        for section in ("bootcmd", "runcmd"):  # run after write_files (bootcmd before): scripts of their own
            out += commands(outer, (d, section), data.get(section), section)
    return out


def _item(outer, key: tuple, item, label: str) -> list[Found]:
    if not isinstance(item, dict) or not isinstance(item.get("path"), str) or "content" not in item:
        return []
    value = decoded(string_value(outer, key + ("content",)), item.get("encoding"))
    if value is None:
        return []
    codec, text = value
    return [Found(label, item["path"], codec, text, append=item.get("append") is True)]
