"""The rule registry.

A rule is a module with ``CODE``, ``NAME``, ``SEVERITY``, ``FIXABLE``, ``SUMMARY``,
``KINDS`` (the document kinds it reads), ``SCOPE`` ("document", "node" or "engine"),
a docstring that is its user documentation, and a ``check`` function:
``check(doc, settings)`` for document rules, ``check(node, settings)`` for node
rules, ``check(run, settings)`` once per run for "run" rules (runtime versions).  Engine rules (parse errors, templates, unknown files) are raised by the
engine itself and only documented here.

Rules are registered through the ``nodelint.rules`` entry-point group: each entry
point names a module (or a list of module names).  nodelint's own rules are
registered the same way, as ``BUILTIN_RULE_MODULES``.  The group is read straight
from ``*.dist-info/entry_points.txt`` on ``sys.path``, because importing
importlib.metadata alone costs more than a whole check of one file.
"""
from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import Callable

BUILTIN_RULE_MODULES = [
    "nodelint.rules.nl000_unknown_file",
    "nodelint.rules.nl001_parse_error",
    "nodelint.rules.nl002_template_not_checked",
    "nodelint.rules.nl003_path_not_read",
    "nodelint.rules.nl004_file_too_large",
    "nodelint.rules.nl005_duplicate_key",
    "nodelint.rules.nl101_runc_without_systemd_cgroup",
    "nodelint.rules.nl102_legacy_systemd_cgroup_key",
    "nodelint.rules.nl103_runsc_without_systemd_cgroup",
    "nodelint.rules.nl104_docker_cgroup_driver",
    "nodelint.rules.nl105_kubelet_cgroup_driver",
    "nodelint.rules.nl106_crio_cgroup_manager",
    "nodelint.rules.nl107_kubelet_runtime_driver_mismatch",
    "nodelint.rules.nl108_cgroup_key_not_read",
    "nodelint.rules.nl109_docker_runsc_systemd_cgroup_flag",
    "nodelint.rules.nl110_legacy_runtime_v1",
    "nodelint.rules.nl201_inotify_max_user_instances",
    "nodelint.rules.nl202_inotify_max_user_watches",
    "nodelint.rules.nl203_protect_kernel_defaults",
    "nodelint.rules.nl204_sysctl_lowered_later",
    "nodelint.rules.nl205_sysctl_live_drift",
    "nodelint.rules.nl206_sysctl_models_differ",
    "nodelint.rules.nl301_containerd_version",
    "nodelint.rules.nl302_runc_version",
    "nodelint.rules.nl303_runsc_version",
    "nodelint.rules.nl304_docker_version",
    "nodelint.rules.nl305_kubelet_version",
    "nodelint.rules.nl306_end_of_life_line",
    "nodelint.rules.nl401_config_version_too_new",
    "nodelint.rules.nl402_config_version_migrated",
]

GROUP = "nodelint.rules"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    fixable: bool
    summary: str
    kinds: frozenset[str]
    scope: str
    module: ModuleType

    @property
    def check(self) -> Callable:
        return self.module.check

    @property
    def docs(self) -> str:
        return (self.module.__doc__ or "").strip()


def _entry_point_targets() -> list[str]:
    """``module[:attr]`` values of the nodelint.rules group, from dist-info files."""
    targets: list[str] = []
    seen_dirs = set()
    for entry in sys.path:
        if not entry or not os.path.isdir(entry) or entry in seen_dirs:
            continue
        seen_dirs.add(entry)
        try:
            names = os.listdir(entry)
        except OSError:
            continue
        for name in names:
            if not name.endswith(".dist-info"):
                continue
            try:
                with open(os.path.join(entry, name, "entry_points.txt"), encoding="utf-8") as f:
                    lines = f.read().splitlines()
            except OSError:
                continue
            in_group = False
            for line in lines:
                line = line.strip()
                if line.startswith("["):
                    in_group = line == f"[{GROUP}]"
                elif in_group and "=" in line:
                    targets.append(line.split("=", 1)[1].strip())
    return targets


def _modules_from(target: str) -> list[str]:
    module_name, _, attr = target.partition(":")
    if not attr:
        return [module_name]
    value = getattr(importlib.import_module(module_name), attr.strip())
    if isinstance(value, ModuleType):
        return [value.__name__]
    return [str(v) for v in value]


_REGISTRY: dict[str, Rule] | None = None


def registry() -> dict[str, Rule]:
    """Every rule, by code, built-ins first."""
    global _REGISTRY
    if _REGISTRY is None:
        names = list(BUILTIN_RULE_MODULES)
        for target in _entry_point_targets():
            try:
                for name in _modules_from(target):
                    if name not in names:
                        names.append(name)
            except Exception as e:  # a broken plugin must not take the linter down
                print(f"nodelint: warning: cannot load rules from {target}: {e}", file=sys.stderr)
        rules: dict[str, Rule] = {}
        for name in names:
            module = importlib.import_module(name)
            rule = Rule(module.CODE, module.NAME, module.SEVERITY, module.FIXABLE, module.SUMMARY,
                        frozenset(getattr(module, "KINDS", ())), getattr(module, "SCOPE", "document"), module)
            rules.setdefault(rule.code, rule)
        _REGISTRY = dict(sorted(rules.items()))
    return _REGISTRY


def finding(code: str, severity: str, doc, key, message: str, fix=None, *, at_value: bool = False, related=()):
    """A Finding located at ``key`` in ``doc`` (its value with ``at_value``)."""
    from ..model import Finding

    pos = doc.value_position(key) if at_value else doc.position(key)
    return Finding(code, severity, doc.path, pos.line, pos.column, message, fix, tuple(related))


def section(docs: str, title: str) -> str:
    """The body of a ``## title`` section of a rule's docs."""
    lines = docs.splitlines()
    out, inside = [], False
    for line in lines:
        if line.startswith("## "):
            inside = line[3:].strip().lower() == title.lower()
            continue
        if inside:
            out.append(line)
    return "\n".join(out).strip()
