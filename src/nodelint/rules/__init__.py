"""The rule registry.

A rule is a module with ``CODE``, ``NAME``, ``SEVERITY``, ``FIXABLE``, ``SUMMARY``,
``KINDS`` (the document kinds it reads), ``SCOPE`` ("document", "node" or "engine"),
a docstring that is its user documentation, and a ``check`` function:
``check(doc, settings)`` for document rules, ``check(node, settings)`` for node
rules, ``check(run, settings)`` once per run for "run" rules (runtime versions).  Engine rules (parse errors, templates, unknown files) are raised by the
engine itself and only documented here.

Rules are registered through the ``nodelint.rules`` entry-point group: each entry
point names a module (or a list of module names).  nodelint's own rules are
registered the same way, as ``BUILTIN_RULE_MODULES``.  The group is read by
entry_points.py (straight from the dist-info files: a speed trick, measured there).
"""
from __future__ import annotations

import importlib
import sys
from types import ModuleType

from ..values.record import record

TYPE_CHECKING = False
if TYPE_CHECKING:  # names for annotations only: importing typing costs ~3 ms of start-up
    from typing import Callable

# code -> (module, scope, kinds it reads).  The engine imports only the rules a run needs
# (importing all of them costs more than checking a file); tests/rules/test_registry.py keeps
# this index equal to what the modules declare.
INDEX: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "NL000": ("nl000_unknown_file", "engine", ()),
    "NL001": ("nl001_parse_error", "engine", ()),
    "NL002": ("nl002_template_not_checked", "engine", ()),
    "NL003": ("nl003_path_not_read", "engine", ()),
    "NL004": ("nl004_file_too_large", "engine", ()),
    "NL005": ("nl005_duplicate_key", "engine", ()),
    "NL101": ("nl101_runc_without_systemd_cgroup", "node", ("containerd",)),
    "NL102": ("nl102_legacy_systemd_cgroup_key", "document", ("containerd",)),
    "NL103": ("nl103_runsc_without_systemd_cgroup", "node", ("runsc", "containerd")),
    "NL104": ("nl104_docker_cgroup_driver", "document", ("docker",)),
    "NL105": ("nl105_kubelet_cgroup_driver", "node", ("kubelet", "kubeadm", "kubelet-env", "systemd")),
    "NL106": ("nl106_crio_cgroup_manager", "node", ("crio", "containers")),
    "NL107": ("nl107_kubelet_runtime_driver_mismatch", "node",
              ("kubelet", "kubeadm", "kubelet-env", "systemd", "containerd", "crio", "docker")),
    "NL108": ("nl108_cgroup_key_not_read", "document",
              ("containerd", "docker", "kubelet", "kubeadm", "runsc", "crio", "containers")),
    "NL109": ("nl109_docker_runsc_systemd_cgroup_flag", "document", ("docker",)),
    "NL110": ("nl110_legacy_runtime_v1", "document", ("containerd",)),
    "NL111": ("nl111_edit_changes_nothing", "node", ("containerd",)),
    "NL112": ("nl112_kubelet_cgroup_driver_ignored", "node", ("kubelet", "kubeadm", "kubelet-env", "systemd")),
    "NL113": ("nl113_kubelet_refuses_cgroup_v1", "node", ("kernel-cmdline",)),
    "NL114": ("nl114_cgroup_v1_deprecated", "node", ("kernel-cmdline",)),
    "NL115": ("nl115_reserved_cgroup_missing", "node", ("kubelet", "kubelet-env", "systemd")),
    "NL116": ("nl116_kata_cgroup_settings", "node", ("containerd", "kata")),
    "NL201": ("nl201_inotify_max_user_instances", "node", ("sysctl",)),
    "NL202": ("nl202_inotify_max_user_watches", "node", ("sysctl",)),
    "NL203": ("nl203_protect_kernel_defaults", "node", ("kubelet", "kubelet-env", "systemd")),
    "NL204": ("nl204_sysctl_lowered_later", "node", ("sysctl",)),
    "NL205": ("nl205_sysctl_live_drift", "node", ("sysctl",)),
    "NL206": ("nl206_sysctl_models_differ", "node", ("sysctl",)),
    "NL207": ("nl207_sysctl_runtime_only", "document", ("shell",)),
    "NL208": ("nl208_kubelet_fails_on_swap", "node", ("fstab", "swap-unit")),
    "NL209": ("nl209_swap_behavior_unsupported", "node", ("kubelet",)),
    "NL301": ("nl301_containerd_version", "run", ("versions",)),
    "NL302": ("nl302_runc_version", "run", ("versions",)),
    "NL303": ("nl303_runsc_version", "run", ("versions",)),
    "NL304": ("nl304_docker_version", "run", ("versions",)),
    "NL305": ("nl305_kubelet_version", "run", ("versions",)),
    "NL306": ("nl306_end_of_life_line", "run", ("versions",)),
    "NL401": ("nl401_config_version_too_new", "node", ("containerd",)),
    "NL402": ("nl402_config_version_migrated", "node", ("containerd",)),
    "NL403": ("nl403_containerd_config_refused", "node", ("containerd",)),
    "NL404": ("nl404_kubelet_resolv_conf_loopback", "node", ("kubelet", "kubelet-env", "systemd")),
    "NL405": ("nl405_sandbox_image_mismatch", "node", ("containerd", "crio", "kubelet", "kubelet-env", "systemd", "kubeadm")),
    "NL406": ("nl406_pod_infra_container_image", "node", ("kubelet-env", "systemd", "kubeadm")),
    "NL501": ("nl501_cgroupfs_under_systemd", "node", ()),
    "NL502": ("nl502_pod_process_outside_cgroup", "node", ()),
    "NL503": ("nl503_systemd_container_under_cgroupfs", "node", ()),
    "NL504": ("nl504_runsc_sandbox_without_memory_limit", "node", ()),
    "NL505": ("nl505_runsc_cgroupfs_path_under_systemd", "node", ()),
    "NL506": ("nl506_inotify_instances_pressure", "node", ()),
    "NL507": ("nl507_inotify_watches_pressure", "node", ()),
    "NL508": ("nl508_live_audit_incomplete", "node", ()),
}
BUILTIN_RULE_MODULES = [f"nodelint.rules.{module}" for module, _, _ in INDEX.values()]

GROUP = "nodelint.rules"


@record(frozen=True)
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


_LOADED: dict[str, Rule] = {}
_PLUGINS: dict[str, Rule] | None = None


def _load(name: str) -> Rule:
    module = importlib.import_module(name)
    return Rule(module.CODE, module.NAME, module.SEVERITY, module.FIXABLE, module.SUMMARY,
                frozenset(getattr(module, "KINDS", ())), getattr(module, "SCOPE", "document"), module)


def plugins() -> dict[str, Rule]:
    """Rules other packages register in the nodelint.rules entry-point group."""
    global _PLUGINS
    if _PLUGINS is None:
        from . import entry_points

        _PLUGINS = {}
        for target in entry_points.targets(GROUP):
            try:
                names = entry_points.modules_from(target)
            except Exception as e:  # a broken plugin must not take the linter down
                print(f"nodelint: warning: cannot load rules from {target}: {e}", file=sys.stderr)
                continue
            for name in names:
                if name in BUILTIN_RULE_MODULES:
                    continue
                try:
                    rule = _load(name)
                except Exception as e:
                    print(f"nodelint: warning: cannot load rule module {name}: {e}", file=sys.stderr)
                    continue
                if rule.code not in INDEX:
                    _PLUGINS.setdefault(rule.code, rule)
    return _PLUGINS


def rule(code: str) -> Rule:
    if code not in _LOADED:
        _LOADED[code] = _load(f"nodelint.rules.{INDEX[code][0]}")
    return _LOADED[code]


def registry() -> dict[str, Rule]:
    """Every rule, by code (imports them all: for listings, docs and SARIF)."""
    rules = {code: rule(code) for code in INDEX}
    rules.update(plugins())
    return dict(sorted(rules.items()))


def active(kinds: set[str], selects, everything: bool = False) -> list[Rule]:
    """The rules a check needs: those reading a kind present (all node rules under --root)."""
    out = []
    for code, (_, scope, rule_kinds) in INDEX.items():
        if scope == "engine" or not selects(code):
            continue
        if everything and scope in ("node", "run") or set(rule_kinds) & kinds:
            out.append(rule(code))
    out += [r for r in plugins().values() if selects(r.code)]
    return out


def finding(code: str, severity: str, doc, key, message: str, fix=None, *, at_value: bool = False, related=()):
    """A Finding located at ``key`` in ``doc`` (its value with ``at_value``)."""
    from ..values.findings import Finding

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
