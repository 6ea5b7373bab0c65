"""Where a kubelet's settings come from, and which place wins.

Precedence (reference/kubelet.md section 4), lowest to highest: the ``--config``
file, drop-ins of ``--config-dir`` in path order, then command-line flags (the
last occurrence wins).  Flags reach kubelet through its systemd unit and drop-ins
(``ExecStart=`` with ``$VARS`` from ``Environment=`` and ``EnvironmentFile=``, the
files overriding the directives) or, seen without a unit, through the usual
environment files (``kubeadm-flags.env``, ``/etc/default/kubelet``, ``/etc/sysconfig/kubelet``).
"""
from __future__ import annotations

import posixpath
from ..values.record import record, fresh
TYPE_CHECKING = False
if TYPE_CHECKING:  # names for annotations only: importing typing costs ~3 ms of start-up
    from typing import Any

from ..read.document import Document
from ..read.formats.flags import Flag, Segment, flags_from_words, split_words
from ..values.edits import KeyPath, Position, SetKey
from .node import Node

KUBELET_CONFIG_KIND = "KubeletConfiguration"
FLAG_VARS = ("KUBELET_KUBEADM_ARGS", "KUBELET_EXTRA_ARGS", "KUBELET_ARGS", "KUBELET_OPTS", "KUBELET_FLAGS",
             "NODEADM_KUBELET_ARGS")  # the last: EKS AL2023's /etc/eks/kubelet/environment (nodeadm)
_UNIT_DIR_PRIORITY = ("etc/systemd/system", "run/systemd/system", "usr/lib/systemd/system", "lib/systemd/system")


@record
class Source:
    """One place that sets a kubelet setting."""

    origin: str  # "flag" | "drop-in" | "config" | "kubeadm-flag" | "kubeadm-config"
    value: Any
    doc: Document
    key: KeyPath  # where to edit it (flags: (variable, flag-name))
    at: Position | None = None  # where its value sits; None: the document's value_position(key)

    @property
    def position(self) -> Position:
        """Where the value sits (looked up when a finding needs it: most sources are never reported)."""
        if self.at is None:
            self.at = self.doc.value_position(self.key)
        return self.at

    def set_to(self, value: Any) -> SetKey:
        return SetKey(self.doc.path, self.key, value)

    def describe(self) -> str:
        return f"{self.doc.path}:{self.position.line}:{self.position.column}"


def config_documents(doc: Document) -> list[tuple[KeyPath, dict]]:
    """(key prefix, mapping) for each KubeletConfiguration object in a file; found once per parse
    of the file (each kubelet setting a rule asks about asked again: 15 times a node)."""
    known = doc.extra.get("kubelet_configs")
    if known is None or known[0] is not doc.parsed:
        known = doc.extra["kubelet_configs"] = (doc.parsed, _config_documents(doc))
    return known[1]


def _config_documents(doc: Document) -> list[tuple[KeyPath, dict]]:
    data = doc.data
    if doc.parsed is None:
        return []
    if doc.syntax == "json":
        return [((), data)] if isinstance(data, dict) else []
    out = []
    for i, d in enumerate(data or []):
        if isinstance(d, dict) and (d.get("kind") == KUBELET_CONFIG_KIND or (doc.kind == "kubelet" and "kind" not in d)):
            out.append(((i,), d))
    return out


def _setting_in(doc: Document, field_name: str, origin: str) -> Source | None:
    found = None
    for prefix, mapping in config_documents(doc):
        if mapping.get(field_name) is not None:  # `field: null` is unset: kubelet applies its default
            key = prefix + (field_name,)
            found = Source(origin, mapping[field_name], doc, key)
    return found


# ------------------------------------------------------------------- flags


def _unit_order(docs: list[Document]) -> tuple[list[Document], list[Document]]:
    """(main unit, drop-ins in the order systemd applies them)."""
    def priority(d: Document) -> int:
        for i, prefix in enumerate(_UNIT_DIR_PRIORITY):
            if d.node_path and d.node_path.startswith(prefix + "/"):
                return i
        return len(_UNIT_DIR_PRIORITY)

    mains = sorted((d for d in docs if d.role == "main"), key=lambda d: (priority(d), d.path))
    by_name: dict[str, Document] = {}
    for d in sorted((d for d in docs if d.role == "dropin"), key=lambda d: (priority(d), d.path)):
        by_name.setdefault(posixpath.basename(d.path), d)
    dropins = [by_name[name] for name in sorted(by_name)]
    return mains[:1], dropins


@record
class _Var:
    value: Segment
    doc: Document
    name: str


def command_line_flags(node: Node) -> list[tuple[Flag, Document, str]]:
    """Flags kubelet is started with: (flag, file it is written in, variable or "ExecStart")."""
    units = [d for d in node.of_kind("systemd") if d.parsed is not None]
    env_docs = [d for d in node.of_kind("kubelet-env") if d.parsed is not None]
    if not units:
        # No unit in view: the kubeadm drop-in's order, KUBEADM args before EXTRA args.
        ordered = sorted(env_docs, key=lambda d: (0 if d.path.endswith("kubeadm-flags.env") else 1, d.path))
        out = []
        for d in ordered:
            for a in d.parsed.assignments:
                if a.name in FLAG_VARS:
                    source = (d, a.name)  # one object per variable: flags_from_words pairs "--flag value" within one
                    words = [(w, source) for w in split_words(a.value)]
                    out += [(f, src[0], src[1]) for f, src in flags_from_words(words)]
        return out
    mains, dropins = _unit_order(units)
    env: dict[str, _Var] = {}
    file_env: dict[str, _Var] = {}
    exec_start: tuple[Segment, Document] | None = None
    for unit in mains + dropins:
        for a in unit.parsed.environment():
            env[a.name] = _Var(a.value, unit, a.name)
        for d in unit.parsed.directives:
            if d.section != "Service":
                continue
            if d.key == "EnvironmentFile":
                for path in d.value.text.split():
                    env_doc = node.at(path.lstrip("-"), "kubelet-env")
                    if env_doc is not None and env_doc.parsed is not None:
                        for a in env_doc.parsed.assignments:
                            file_env[a.name] = _Var(a.value, env_doc, a.name)
            elif d.key == "ExecStart":
                exec_start = (d.value, unit) if d.value.text.strip() else None
    env.update(file_env)
    if exec_start is None:
        return []
    words: list[tuple[Segment, tuple[Document, str]]] = []
    literal = (exec_start[1], "ExecStart")  # one source object per variable and one for the line:
    for w in split_words(exec_start[0]):  # "--flag value" pairs only within one source
        name = w.text[1:].strip("{}") if w.text.startswith("$") else None
        if name is not None:
            var = env.get(name)
            if var is not None:
                source = (var.doc, var.name)
                words += [(x, source) for x in split_words(var.value)]
        else:
            words.append((w, literal))
    return [(f, src[0], src[1]) for f, src in flags_from_words(words)]


def flag_source(flag: Flag, doc: Document, container: str, origin: str = "flag") -> Source:
    return Source(origin, flag.value, doc, (container, flag.name), doc.parsed.lines.position(flag.start))


# ---------------------------------------------------------------- the kubelet


@record
class Kubelet:
    """One kubelet as a node view describes it."""

    config: Document | None
    dropins: list[Document] = fresh(list)
    flags: list[tuple[Flag, Document, str]] = fresh(list)

    def sources(self, field_name: str, flag_name: str) -> list[Source]:
        """Every place setting it, lowest precedence first; the last one wins."""
        out: list[Source] = []
        if self.config is not None:
            s = _setting_in(self.config, field_name, "config")
            if s is not None:
                out.append(s)
        for d in self.dropins:
            s = _setting_in(d, field_name, "drop-in")
            if s is not None:
                out.append(s)
        for flag, doc, container in self.flags:
            if flag.name == flag_name:
                out.append(flag_source(flag, doc, container))
        return out

    def winner(self, field_name: str, flag_name: str) -> Source | None:
        sources = self.sources(field_name, flag_name)
        return sources[-1] if sources else None


def kubelets(node: Node) -> list[Kubelet]:
    """The kubelets of a node: one per main config file (one with the flags' --config).

    Worked out once per node (node.memo is cleared when a fix changes a document): four rules ask,
    and reading the flags again costs the length of every flag line each time.
    """
    known = node.memo.get("kubelets")
    if known is None:
        known = node.memo["kubelets"] = _kubelets(node)
    return list(known)


def _kubelets(node: Node) -> list[Kubelet]:
    flags = command_line_flags(node) if node.mode != "single" or node.of_kind("systemd", "kubelet-env") else []
    config_flag = next((f for f, _, _ in reversed(flags) if f.name == "config"), None)
    dir_flag = next((f for f, _, _ in reversed(flags) if f.name == "config-dir"), None)
    kubelet_docs = [d for d in node.of_kind("kubelet") if d.parsed is not None]
    dropins = [d for d in kubelet_docs if d.role == "dropin"]
    if dir_flag is not None:
        prefix = dir_flag.value.strip("/") + "/"
        dropins = [d for d in dropins if (d.node_path or "").startswith(prefix)] or dropins
    dropins.sort(key=lambda d: d.node_path or d.path)
    if config_flag is not None:
        target = node.at(config_flag.value, "kubelet")
        mains = [target] if target is not None and target.parsed is not None else []
    else:
        mains = [d for d in kubelet_docs if d.role == "main"]
    if not mains:
        return [Kubelet(None, dropins, flags)] if (dropins or flags) else []
    return [Kubelet(m, dropins, flags) for m in mains]


def runtime_endpoint(kubelet) -> str | None:
    """The runtime a kubelet's containerRuntimeEndpoint names: containerd, CRI-O or Docker."""
    endpoint = None
    for doc in ([kubelet.config] if kubelet.config is not None else []) + list(kubelet.dropins):
        for _, mapping in config_documents(doc):  # the config file, then its drop-ins (they win)
            if isinstance(mapping.get("containerRuntimeEndpoint"), str):
                endpoint = mapping["containerRuntimeEndpoint"]
    for flag, _, _ in kubelet.flags:
        if flag.name == "container-runtime-endpoint":
            endpoint = flag.value
    if not endpoint:
        return None
    if "crio" in endpoint:
        return "CRI-O"
    if "dockershim" in endpoint or "cri-dockerd" in endpoint:
        return "Docker"
    if "containerd" in endpoint:
        return "containerd"
    return None
