"""The kernel parameters a node ends up with, as systemd-sysctl and procps compute them.

systemd-sysctl (systemd 252, src/sysctl/sysctl.c and src/basic/conf-files.c): ``*.conf`` files
in ``etc/sysctl.d``, ``run/sysctl.d``, ``usr/local/lib/sysctl.d``, ``usr/lib/sysctl.d``,
``lib/sysctl.d``, hidden names (``.x.conf``) skipped; a file name in a higher-priority directory
shadows the same name below it (a symlink to /dev/null, an empty file or a dangling link reads
as nothing); the surviving files are read in order of file name, whatever their directory.
Each line goes into one ordered table, by key: a new value for a key removes its entry and
appends a new one at the end, the same value again keeps the first entry (the file that
really wins), and a ``-key`` line without ``=`` is an entry with no value (the key is then not
written at all).  Keys in the table are written in table order; a glob entry writes every
matching key that has no entry of its own, so an explicit key always beats a glob, and among
globs the one latest in the table wins.  ``/etc/sysctl.conf`` takes part only through the
distribution's ``etc/sysctl.d/99-sysctl.conf -> ../sysctl.conf`` link.

procps ``sysctl --system`` (procps-ng 4.0.2, src/sysctl.c ``PreloadSystem``): the same
directories, every name ending in ``.conf`` (hidden ones too), the first directory's file per
name, sorted by name, then ``/etc/sysctl.conf`` last.  Every line is kept in one list: exact
keys are written in order (the last one wins), ``-key`` lines only keep globs off the key, and a
glob writes every matching key that no line of the list names.
"""
from __future__ import annotations

import posixpath
from ..values.record import record, fresh

from ..read.data import load as load_data
from ..read.document import Document
from ..read.formats.sysctl import Assignment, glob_matches, is_glob
from ..values.edits import CreateFile, Edit, SetKey
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
    """One line that sets (or, with no value, takes back) a key, in the file it is applied from."""

    key: str
    value: str | None
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

    def as_key(self, key: str) -> "Setting":
        """This (glob) setting as the setting of one key it matches."""
        return self if self.key == key else Setting(key, self.value, self.doc, self.assignment, self.name)


@record
class Model:
    """The files one node applies, in order, and what they set."""

    files: list[tuple[str, Document]]  # (name it is sorted by, document), systemd-sysctl's order
    procps_tail: Document | None  # /etc/sysctl.conf, applied last by sysctl --system
    view: bool  # a whole node: missing keys mean kernel defaults
    assumed_link: bool = False  # etc/sysctl.conf taken as 99-sysctl.conf (an overlay tree)
    masked: list[str] = fresh(list)
    # Whether an unset key means the kernel default: always for an image root; for a repo
    # tree only when it manages sysctl files at all (else the base image may set them).
    judges_unset: bool = False
    procps_files: list[tuple[str, Document]] | None = None  # sysctl --system's files (None: as systemd's)

    def _memo(self) -> dict:
        return self.__dict__.setdefault("_memo_table", {})

    def _procps_files(self) -> list[tuple[str, Document]]:
        files = self.files if self.procps_files is None else self.procps_files
        if self.procps_tail is None:
            return files
        return files + [("sysctl.conf", self.procps_tail)]

    # -------------------------------------------------------------- systemd-sysctl

    def table(self) -> tuple[dict[str, Setting], list[Setting]]:
        """systemd-sysctl's table (key -> its entry, in table order) and its glob entries with a
        value, in table order; made once per model."""
        memo = self._memo()
        known = memo.get("systemd")
        if known is None:
            table: dict[str, Setting] = {}
            for name, doc in self.files:
                for a in doc.parsed.assignments:
                    existing = table.get(a.key)
                    if existing is not None:
                        if existing.value == a.value:
                            continue  # the same value again: the first entry stays
                        del table[a.key]  # a new value goes to the end of the table
                    table[a.key] = Setting(a.key, a.value, doc, a, name)
            globs = [s for s in table.values() if s.value is not None and is_glob(s.key)]
            known = memo["systemd"] = (table, globs)
        return known

    def effective(self, key: str) -> Setting | None:
        """The setting systemd-sysctl ends with for ``key`` (None: it does not write the key)."""
        table, globs = self.table()
        entry = table.get(key)
        if entry is not None:
            return entry if entry.value is not None else None
        for g in reversed(globs):
            if glob_matches(g.key, key):
                return g.as_key(key)
        return None

    def history(self, key: str) -> list[Setting]:
        """Every line that sets ``key`` (by name or glob), in the order systemd-sysctl reads
        them (one list per key and model: do not change it)."""
        memo = self._memo()
        known = memo.get(("history", key))
        if known is None:
            known = memo[("history", key)] = [
                Setting(key, a.value, doc, a, name) for name, doc in self.files
                for a in doc.parsed.matching(key) if a.value is not None]
        return known

    def mentions(self, key: str) -> list[Setting]:
        """Every line naming ``key`` exactly, with a value or as ``-key``, in systemd's order."""
        return [Setting(key, a.value, doc, a, name) for name, doc in self.files
                for a in doc.parsed.assignments if a.key == key]

    # -------------------------------------------------------------- procps

    def _procps(self) -> tuple[dict[str, Setting], set[str], list[Setting]]:
        memo = self._memo()
        known = memo.get("procps")
        if known is None:
            last: dict[str, Setting] = {}
            named: set[str] = set()
            globs: list[Setting] = []
            for name, doc in self._procps_files():
                for a in doc.parsed.procps:
                    named.add(a.key)
                    setting = Setting(a.key, a.value, doc, a, name)
                    if a.value is None:
                        continue
                    if is_glob(a.key):
                        globs.append(setting)
                    else:
                        last[a.key] = setting
            known = memo["procps"] = (last, named, globs)
        return known

    def procps_effective(self, key: str) -> Setting | None:
        """The setting ``sysctl --system`` ends with for ``key`` (None: it does not write it)."""
        last, named, globs = self._procps()
        if key in last:
            return last[key]
        if key in named:
            return None  # only "-key" lines name it: globs leave it alone
        for g in reversed(globs):
            if glob_matches(g.key, key):
                return g.as_key(key)
        return None

    def keys(self) -> list[str]:
        """Every key named exactly with a value, by either program's reading, in file order."""
        seen: dict[str, None] = {}  # a dict, not a list: membership in a list made N keys cost N*N
        for _, doc in self.files:
            for a in doc.parsed.assignments:
                if a.value is not None and not is_glob(a.key):
                    seen.setdefault(a.key)
        for _, doc in self._procps_files():
            for a in doc.parsed.procps:
                if a.value is not None and not is_glob(a.key):
                    seen.setdefault(a.key)
        return list(seen)


def model(node: Node) -> list[Model]:
    """The sysctl model of a node view; one model per file when the node is not a view."""
    known = node.memo.get("sysctl")
    if known is None:
        known = node.memo["sysctl"] = _model(node)
    return known


def _model(node: Node) -> list[Model]:
    docs = [d for d in node.of_kind("sysctl") if d.parsed is not None]
    if not node.is_view or (node.fs is None and node.carrier is None):
        return [Model([(posixpath.basename(d.node_path or d.path), d)], None, False) for d in docs]
    systemd_names: dict[str, tuple[str, str]] = {}
    procps_names: dict[str, tuple[str, str]] = {}
    for directory in DIRS:
        for node_path, kind in node.entries(directory):
            name = posixpath.basename(node_path)
            if not name.endswith(".conf"):
                continue
            procps_names.setdefault(name, (node_path, kind))  # sysctl --system: hidden names too
            if not name.startswith("."):  # systemd skips hidden files (conf-files.c, FOREACH_DIRENT)
                systemd_names.setdefault(name, (node_path, kind))
    masked: list[str] = []

    def read(names: dict[str, tuple[str, str]]) -> list[tuple[str, Document]]:
        out = []
        for name in sorted(names):
            node_path, kind = names[name]
            if kind != "file":  # a /dev/null link or a dangling one: it shadows, and reads as nothing
                if node_path not in masked:
                    masked.append(node_path)
                continue
            doc = node.at(node_path, "sysctl")
            if doc is not None and doc.parsed is not None:
                out.append((name, doc))
        return out

    files = read(systemd_names)
    procps_files = read(procps_names) if procps_names.keys() != systemd_names.keys() else None
    sysctl_conf = node.at(SYSCTL_CONF, "sysctl")
    if sysctl_conf is not None and sysctl_conf.parsed is None:
        sysctl_conf = None
    assumed = False
    if sysctl_conf is not None and LINK_NAME not in systemd_names and node.mode == "tree":
        # An overlay tree does not show the base image, whose systemd (Debian, Fedora) ships the link.
        files.append((LINK_NAME, sysctl_conf))
        files.sort(key=lambda f: f[0])
        if procps_files is not None:
            procps_files.append((LINK_NAME, sysctl_conf))
            procps_files.sort(key=lambda f: f[0])
        assumed = True
    judges_unset = node.mode == "root" or bool(files) or sysctl_conf is not None or bool(masked)
    judges_unset = judges_unset and node.platform.get("sysctl_judges_unset", True)
    return [Model(files, sysctl_conf, True, assumed, masked, judges_unset, procps_files)]


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
        if m.view:
            # the line naming the key last: systemd keeps the first of equal values, so the file that
            # "wins" may be followed by others holding the same value; only the last one is never overwritten
            mentions = m.mentions(key)
            winner = mentions[-1] if mentions and mentions[-1].value is not None else None
        else:
            winner = next((s for s in reversed(m.history(key))), None)
        if winner is not None and winner.editable and not is_glob(winner.assignment.key):
            edits.append(SetKey(winner.doc.path, (key,), value))
        elif m.view:
            new_lines.append((key, value, why))
        else:
            return None
    if not new_lines:
        return tuple(edits)
    if node.carrier is not None and node.fs is None:
        # a file the carrier writes (cloud-init, Cluster API, a script) takes the lines: the last
        # /etc one, which no later file overrides for these keys (none sets them)
        written = [d for _, d in m.files if d.node_path and d.node_path.startswith("etc/")
                   and not d.extra.get("fixed_keys")]  # (values kept elsewhere: keys cannot be added)
        if not written:
            return None
        return tuple(edits) + tuple(SetKey(written[-1].path, (key,), value, comment=why) for key, value, why in new_lines)
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
    from ..read.discover import display

    text = "# Written by nodelint --fix: Kubernetes node kernel parameters.\n"
    for key, value, why in new_lines:
        text += f"# {why}\n{key} = {value}\n" if why else f"{key} = {value}\n"
    edits.append(CreateFile(display(shown), text, "sysctl", node_path))
    return tuple(edits)


def dropin_name(m: Model, wanted: str, keys: list[str]) -> str:
    """A drop-in name that sorts after every file that names one of ``keys`` (a ``-key`` line
    too, which would take the drop-in's value back), so that the drop-in's value wins."""
    last = max((s.name for k in keys for s in m.mentions(k) + m.history(k)), default="")
    if wanted > last:
        return wanted
    candidate = "zz-" + wanted.split("-", 1)[-1] if "-" in wanted else "zz-" + wanted
    while candidate <= last:
        candidate = "z" + candidate
    return candidate


# ---------------------------------------------------------------- shared by rules


def below_minimum(node: Node, settings, code: str, severity: str):
    """Findings for keys whose effective value is below their minimum (NL201, NL202)."""
    from ..values.findings import Finding, Fix

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
    if node.carrier is not None:
        return node.carrier.path, 1
    if node.fs is not None:
        from ..read.discover import display

        return display(node.fs.locate(node_path)[0]), 1
    return node_path, 1
