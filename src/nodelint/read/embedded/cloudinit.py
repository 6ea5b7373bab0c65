"""cloud-init ``#cloud-config``: the files ``write_files`` writes.

Each item's ``path`` decides the kind; ``content`` is decoded per ``encoding`` (``b64``/``base64``,
``gz+b64``/``gzip+base64`` and their spellings; plain ``gzip`` is binary YAML and is skipped);
``append: true`` adds the content to a file the image already has.  Source:
https://github.com/canonical/cloud-init/blob/26.2/cloudinit/config/cc_write_files.py and its
schema, ``$defs.cc_write_files`` in cloudinit/config/schemas/schema-cloud-config-v1.json.
"""
from __future__ import annotations

import re

from . import Found
from .codecs import Nowhere
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
        out += _installed_without_config(outer, d, data, out)
    return out


_CONTAINERD_PACKAGE = re.compile(r"(?:^|\s)(?:containerd(?:\.io)?)(?:[=\s]|$)")


def _installed_without_config(outer, d: int, data: dict, found: list) -> list[Found]:
    """containerd installed (``packages``, or a package manager in ``runcmd``) on a node that joins
    a cluster with kubeadm, with no config written: containerd runs on its defaults, whose runc
    handler uses cgroupfs, while kubeadm (1.22+) puts kubelet on systemd."""
    packages = [p if isinstance(p, str) else p[0] for p in data.get("packages") or []
                if isinstance(p, str) or (isinstance(p, list) and p and isinstance(p[0], str))]
    commands_text = "\n".join(c if isinstance(c, str) else " ".join(map(str, c))
                               for c in data.get("runcmd") or [] if isinstance(c, (str, list)))
    installed = any(re.fullmatch(r"containerd(?:\.io)?(?:[=<>].*)?", p.strip()) for p in packages) or any(
        re.search(r"\b(?:apt-get|apt|yum|dnf|zypper)\b[^\n]*\binstall\b[^\n]*", line)
        and _CONTAINERD_PACKAGE.search(line.split("install", 1)[1]) for line in commands_text.split("\n"))
    configured = any(f.node_path.lstrip("/") == "etc/containerd/config.toml" for f in found) \
        or "/etc/containerd/config.toml" in commands_text
    if not installed or configured or "kubeadm " not in commands_text:
        return []
    key = (d, "packages") if "packages" in data else (d, "runcmd")
    where = outer.parsed.position(key)
    return [Found("containerd installed with no config written", "/etc/containerd/config.toml",
                  Nowhere(where.line, where.column), "")]


def _item(outer, key: tuple, item, label: str) -> list[Found]:
    if not isinstance(item, dict) or not isinstance(item.get("path"), str) or "content" not in item:
        return []
    value = decoded(string_value(outer, key + ("content",)), item.get("encoding"))
    if value is None:
        return []
    codec, text = value
    return [Found(label, item["path"], codec, text, append=item.get("append") is True)]
