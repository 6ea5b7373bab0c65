"""The kernel parameters a node ends up with, as systemd-sysctl and procps compute them.

systemd-sysctl (reference/sysctl.md section 1): ``*.conf`` files in ``etc/sysctl.d``,
``run/sysctl.d``, ``usr/local/lib/sysctl.d``, ``usr/lib/sysctl.d``, ``lib/sysctl.d``; a file
name in a higher-priority directory masks the same name below it (a symlink to
/dev/null or an empty file masks it away); surviving files are applied in order of file
name, whatever their directory; later assignments win, but an explicit key is never
overwritten by a glob.  ``/etc/sysctl.conf`` takes part only through the distribution's
``etc/sysctl.d/99-sysctl.conf -> ../sysctl.conf`` symlink.

procps ``sysctl --system`` (section 2) reads the same directories the same way, then
applies ``/etc/sysctl.conf`` last.
"""
from __future__ import annotations

import posixpath
from .record import record, fresh

from .data import load as load_data
from .document import Document
from .formats.sysctl import Assignment, is_glob
from .model import CreateFile, Edit, SetKey
from .node import Node

DIRS = ("etc/sysctl.d", "run/sysctl.d", "usr/local/lib/sysctl.d", "usr/lib/sysctl.d", "lib/sysctl.d")
SYSCTL_CONF = "etc/sysctl.conf"
LINK_NAME = "99-sysctl.conf"


def data(settings) -> dict:
    """rules/sysctl.toml with the user's [tool.nodelint.sysctl] overrides."""
    base = load_data("sysctl.toml")
    user = settings.sysctl or {}
    minimums = {k: dict(v) for k, v in base["minimums"].items()}
    for key, value in (user.get("minimums") or {}).items():
        minimums.setdefault(key, {"rule": "NL201" if key.endswith("instances") else "NL202", "why": ""})
        minimums[key]["value"] = value
    dropin = dict(base["dropin"])
    if isinstance(user.get("dropin"), str):
        dropin["name"] = user["dropin"]
    return {"minimums": minimums, "kernel_defaults": dict(base["kernel_defaults"]),
            "kubelet_protected": dict(base["kubelet_protected"]), "dropin": dropin}


@record
class Setting:
    """One assignment that sets a key, in the file it is applied from."""

    key: str
    value: str
    doc: Document
    assignment: Assignment
    name: str  # the file name it is ordered by

    @property
    def editable(self) -> bool:
        """Fixes edit files under /etc only, never vendor files (usr/lib, lib, run...)."""
        return self.doc.node_path is None or self.doc.node_path.startswith("etc/")

    def where(self) -> str:
        pos = self.doc.parsed.lines.position(self.assignment.value_start)
        return f"{self.doc.path}:{pos.line}:{pos.column}"


@record
class Model:
    """The files one node applies, in order, and what they set."""

    files: list[tuple[str, Document]]  # (name it is sorted by, document), systemd's order
    procps_tail: Document | None  # /etc/sysctl.conf, applied last by sysctl --system
    view: bool  # a whole node: missing keys mean kernel defaults
    assumed_link: bool = False  # etc/sysctl.conf taken as 99-sysctl.conf (an overlay tree)
    masked: list[str] = fresh(list)
    # Whether an unset key means the kernel default: always for an image root; for a repo
    # tree only when it manages sysctl files at all (else the base image may set them).
    judges_unset: bool = False

    def _files(self, procps: bool) -> list[tuple[str, Document]]:
        """The files systemd-sysctl applies; with ``procps``, those sysctl --system applies (made once)."""
        if not procps or self.procps_tail is None:
            return self.files
        memo = self.__dict__.setdefault("_memo", {})
        known = memo.get("procps files")
        if known is None:
            known = memo["procps files"] = list(self.files) + [("sysctl.conf", self.procps_tail)]
        return known

    def _where(self, procps: bool) -> tuple[dict[str, list[int]], list[int]]:
        """(exact key -> positions in ``_files(procps)`` of the files assigning or excluding it,
        positions of the files holding a glob), worked out once per model.

        Every rule asks for a few keys, NL205/NL206 for every key: a scan of every file per key
        made a sysctl.d directory of N files and N keys cost N*N.
        """
        memo = self.__dict__.setdefault("_memo", {})
        known = memo.get(("where", procps))
        if known is None:
            exact: dict[str, list[int]] = {}
            globs: list[int] = []
            for pos, (_, doc) in enumerate(self._files(procps)):
                keys = {a.key for a in doc.parsed.assignments}
                for k in keys:
                    if is_glob(k):
                        if not globs or globs[-1] != pos:
                            globs.append(pos)
                    else:
                        exact.setdefault(k, []).append(pos)
            known = memo[("where", procps)] = (exact, globs)
        return known

    def _candidates(self, key: str, procps: bool) -> list[int]:
        exact, globs = self._where(procps)
        found = exact.get(key, [])
        return sorted(set(found).union(globs)) if globs else found

    def _history(self, key: str, procps: bool) -> list[Setting]:
        memo = self.__dict__.setdefault("_memo", {})
        known = memo.get(("history", procps, key))
        if known is None:
            files = self._files(procps)
            known = []
            for pos in self._candidates(key, procps):
                name, doc = files[pos]
                for a in doc.parsed.matching(key):
                    if a.value is not None:
                        known.append(Setting(key, a.value, doc, a, name))
            memo[("history", procps, key)] = known
        return known

    def history(self, key: str) -> list[Setting]:
        """Every assignment of ``key`` in the order systemd-sysctl applies them (one list per key
        and model: do not change it)."""
        return self._history(key, False)

    def _winner(self, settings: list[Setting], procps: bool) -> Setting | None:
        """The last explicit assignment; else the last glob, unless a ``-key`` line excludes the key."""
        for s in reversed(settings):
            if not is_glob(s.assignment.key):
                return s
        if not settings:
            return None
        key = settings[0].key
        files = self._files(procps)
        if any(a.value is None and a.key == key for pos in self._where(procps)[0].get(key, ())
               for a in files[pos][1].parsed.matching(key)):
            return None
        return settings[-1]

    def effective(self, key: str) -> Setting | None:
        return self._winner(self.history(key), False)

    def procps_effective(self, key: str) -> Setting | None:
        return self._winner(self._history(key, True), True)

    def keys(self) -> list[str]:
        seen: dict[str, None] = {}  # a dict, not a list: membership in a list made N keys cost N*N
        docs = [d for _, d in self.files] + ([self.procps_tail] if self.procps_tail else [])
        for doc in docs:
            for a in doc.parsed.assignments:
                if a.value is not None and a.key not in seen and not is_glob(a.key):
                    seen[a.key] = None
        return list(seen)


def model(node: Node) -> list[Model]:
    """The sysctl model of a node view; one model per file when the node is not a view."""
    known = node.memo.get("sysctl")
    if known is None:
        known = node.memo["sysctl"] = _model(node)
    return known


def _model(node: Node) -> list[Model]:
    docs = [d for d in node.of_kind("sysctl") if d.parsed is not None]
    if node.fs is None or not node.is_view:
        return [Model([(posixpath.basename(d.node_path or d.path), d)], None, False) for d in docs]
    by_name: dict[str, tuple[str, str]] = {}
    for directory in DIRS:
        for node_path, kind in node.entries(directory):
            name = posixpath.basename(node_path)
            if name.endswith(".conf") and name not in by_name:
                by_name[name] = (node_path, kind)
    files, masked = [], []
    for name in sorted(by_name):
        node_path, kind = by_name[name]
        if kind != "file":
            masked.append(node_path)
            continue
        doc = node.at(node_path, "sysctl")
        if doc is not None and doc.parsed is not None:
            files.append((name, doc))
    sysctl_conf = node.at(SYSCTL_CONF, "sysctl")
    if sysctl_conf is not None and sysctl_conf.parsed is None:
        sysctl_conf = None
    assumed = False
    if sysctl_conf is not None and LINK_NAME not in by_name and node.mode == "tree":
        # An overlay tree does not show the base image, whose systemd (Debian, Fedora) ships the link.
        files.append((LINK_NAME, sysctl_conf))
        files.sort(key=lambda f: f[0])
        assumed = True
    judges_unset = node.mode == "root" or bool(files) or sysctl_conf is not None or bool(masked)
    return [Model(files, sysctl_conf, True, assumed, masked, judges_unset)]


def as_int(value: str) -> int | None:
    try:
        return int(value.strip().split()[0])
    except (ValueError, IndexError):
        return None


# ------------------------------------------------------------------------ fixes


def placement(node: Node, m: Model, settings, values: list[tuple[str, str, str]]) -> tuple[Edit, ...] | None:
    """Edits that make each (key, value, why) the effective value on the node.

    The value is changed in place where an /etc file already wins; otherwise it goes
    into one drop-in (default etc/sysctl.d/99-nodelint.conf) whose name sorts after
    every file that sets the key, so it wins.  None when the node cannot hold a new file.
    """
    edits: list[Edit] = []
    new_lines: list[tuple[str, str, str]] = []
    conf = data(settings)["dropin"]
    for key, value, why in values:
        winner = m.effective(key) if m.view else None
        if winner is None and not m.view:
            winner = next((s for s in reversed(m.history(key))), None)
        if winner is not None and winner.editable and not is_glob(winner.assignment.key):
            edits.append(SetKey(winner.doc.path, (key,), value))
        elif m.view:
            new_lines.append((key, value, why))
        else:
            return None
    if not new_lines:
        return tuple(edits)
    name = dropin_name(m, conf["name"], [k for k, _, _ in new_lines])
    node_path = f"{conf['directory']}/{name}"
    existing = next((d for n, d in m.files if d.node_path == node_path), None)
    if existing is not None:
        for key, value, why in new_lines:
            edits.append(SetKey(existing.path, (key,), value, comment=why))
        return tuple(edits)
    fs_path = node.creatable(node_path)
    if fs_path is None:
        return None
    shown = node.fs.locate(node_path)[0]
    from .discover import display

    text = "# Written by nodelint --fix: Kubernetes node kernel parameters.\n"
    for key, value, why in new_lines:
        text += f"# {why}\n{key} = {value}\n" if why else f"{key} = {value}\n"
    edits.append(CreateFile(display(shown), text, "sysctl", node_path))
    return tuple(edits)


def dropin_name(m: Model, wanted: str, keys: list[str]) -> str:
    """A drop-in name that sorts after every file setting one of ``keys``."""
    last = max((s.name for k in keys for s in m.history(k)), default="")
    if wanted > last:
        return wanted
    candidate = "zz-" + wanted.split("-", 1)[-1] if "-" in wanted else "zz-" + wanted
    while candidate <= last:
        candidate = "z" + candidate
    return candidate


# ---------------------------------------------------------------- shared by rules


def below_minimum(node: Node, settings, code: str, severity: str):
    """Findings for keys whose effective value is below their minimum (NL201, NL202)."""
    from .model import Finding, Fix

    conf = data(settings)
    for key, spec in conf["minimums"].items():
        if spec.get("rule") != code:
            continue
        minimum = int(spec["value"])
        for m in model(node):
            winner = m.effective(key) if m.view else next(reversed(m.history(key)), None)
            if winner is None and not m.judges_unset:
                continue  # a single file, or a tree without sysctl files, is judged on what it sets
            value = winner.value if winner is not None else conf["kernel_defaults"].get(key)
            number = as_int(value) if value is not None else None
            if (number is None and winner is not None) or (number is not None and number >= minimum):
                continue
            edits = placement(node, m, settings, [(key, str(minimum), spec.get("why", ""))])
            fix = Fix(edits, f"set {key} = {minimum}") if edits else None
            if winner is not None:
                pos = winner.doc.parsed.lines.position(winner.assignment.value_start)
                msg = f"{key} = {value} is below {minimum}" + (f": {spec['why']}" if spec.get("why") else "")
                if m.view and len(m.history(key)) > 1:
                    msg += " (this assignment wins: it is applied last)"
                yield Finding(code, severity, winner.doc.path, pos.line, pos.column, msg, fix)
            else:
                path, line = anchor(node, m, conf)
                default_note = (" (since Linux 5.11 it is 1% of RAM, capped at 1048576)"
                                if key.endswith("max_user_watches") else "")
                default = f"the kernel default {value}{default_note} is below" if value is not None else \
                    "its kernel default is not known to be at least"
                msg = f"{key} is not set on this node: {default} {minimum}"
                if spec.get("why"):
                    msg += f": {spec['why']}"
                yield Finding(code, severity, path, line, 1, msg, fix)


def anchor(node: Node, m: Model, conf) -> tuple[str, int]:
    """Where to report a key no file sets: the last /etc sysctl file, or the drop-in to create."""
    etc = [d for _, d in m.files if d.node_path and d.node_path.startswith("etc/")]
    if etc:
        return etc[-1].path, 1
    node_path = f"{conf['dropin']['directory']}/{conf['dropin']['name']}"
    if node.fs is not None:
        from .discover import display

        return display(node.fs.locate(node_path)[0]), 1
    return node_path, 1
