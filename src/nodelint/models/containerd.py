"""How containerd reads a config.toml: versions, CRI table paths, runtime handlers.

Facts (checked against containerd 1.6.20 and
2.1.9 binaries with ``containerd -c FILE config dump``):
- ``version`` missing means 1.  v1 uses short plugin IDs (``plugins.cri``), v2 the
  full ``io.containerd.grpc.v1.cri``, v3/v4 (containerd 2.x only) put runtime
  handlers under ``io.containerd.cri.v1.runtime``.  Quoting of keys does not matter.
- containerd 1.x replaces the built-in handler map when a file defines any handler;
  2.x merges, so its built-in ``runc`` handler (cgroupfs) stays unless the file
  defines ``runc`` itself.  A v1 file's fully qualified ``io.containerd.cri.v1.runtime``
  tables are read by 2.x only.
- The deprecated ``default_runtime`` / ``untrusted_workload_runtime`` tables become
  handlers ``default`` / ``untrusted`` on 1.x (when they have a runtime_type); 2.x ignores them.
"""
from __future__ import annotations

from ..values.record import record, fresh
TYPE_CHECKING = False
if TYPE_CHECKING:  # names for annotations only: importing typing costs ~3 ms of start-up
    from typing import Any

from ..read.data import load as load_data
from ..values.edits import KeyPath

_DATA = load_data("cgroup-driver.toml")["containerd"]
RUNC_TYPES = tuple(_DATA["runc_runtime_types"])
LEGACY_RUNTIME = _DATA["legacy_runtime_type"]
RUNSC_TYPE = _DATA["runsc_runtime_type"]
WASM_TYPES = tuple(_DATA["wasm_runtime_types"])
KATA_TYPES = tuple(_DATA["kata_runtime_types"])
CRI_PLUGIN_IDS = set(_DATA["cri_plugin_ids"])
CRI_V1 = ("plugins", "cri")
CRI_V2 = ("plugins", "io.containerd.grpc.v1.cri")
CRI_V3 = ("plugins", "io.containerd.cri.v1.runtime")

# SystemdCgroup spellings each containerd line accepts (reference/containerd.md section 3):
# 1.x (go-toml v1) tries the field name, all-lower, all-upper and first-letter-lowered;
# 2.x (go-toml v2) matches any case.
CANONICAL = "SystemdCgroup"
ACCEPTED_BY_ALL = set(_DATA["systemd_cgroup_spellings_1x"])


class _RuntimeKind:
    """What a handler runs, from its runtime_type (and name: 2.x fills in runc's type)."""

    name: str
    runtime_type: str | None
    readers: frozenset[int]

    @property
    def is_runc(self) -> bool:
        if self.runtime_type is None:
            return self.name == "runc" and 2 in self.readers
        return self.runtime_type in RUNC_TYPES

    @property
    def is_runsc(self) -> bool:
        return self.runtime_type == RUNSC_TYPE


@record
class Handler(_RuntimeKind):
    name: str
    table: KeyPath
    runtime_type: str | None
    explicit: bool = True
    readers: frozenset[int] = frozenset({1, 2})
    data: dict = fresh(dict)

    @property
    def options_path(self) -> KeyPath:
        return self.table + ("options",)

    @property
    def options(self) -> dict:
        opts = self.data.get("options")
        return opts if isinstance(opts, dict) else {}


    def systemd_cgroup(self) -> tuple[str | None, Any, frozenset[int]]:
        """(key as written, value, containerd majors that read that key) for SystemdCgroup.

        The canonical key wins; otherwise the first case variant.  (None, None, {})
        when no spelling is present.
        """
        opts = self.options
        if CANONICAL in opts:
            return CANONICAL, opts[CANONICAL], self.readers
        for key, value in opts.items():
            if key.lower() == CANONICAL.lower():
                readers = self.readers if key in ACCEPTED_BY_ALL else self.readers & {2}
                return key, value, frozenset(readers)
        return None, None, frozenset()


@record
class CriView:
    """One CRI plugin table family of a config and the containerd majors that read it."""

    plugin: KeyPath  # e.g. ("plugins", "io.containerd.grpc.v1.cri")
    readers: frozenset[int]
    handlers: dict[str, Handler]
    default_name: str
    default_name_key: KeyPath | None
    data: dict

    @property
    def containerd_table(self) -> KeyPath:
        return self.plugin + ("containerd",)

    def implicit_runc(self) -> bool:
        """Whether containerd's built-in runc handler (cgroupfs) is this view's default runtime."""
        if self.default_name != "runc" or "runc" in self.handlers:
            return False
        if 2 in self.readers:
            return True  # 2.x keeps its built-in runc unless the file defines it
        # 1.x: a file's `runtimes` table replaces the built-in handlers (the deprecated
        # default_runtime table does not: measured with containerd 1.6.20's config dump)
        return not any(h.table[-2] == "runtimes" for h in self.handlers.values())


@record
class ContainerdConfig:
    version: int
    version_declared: bool
    views: list[CriView]
    cri_disabled: bool
    data: dict

    @property
    def handlers(self) -> list[Handler]:
        return [h for v in self.views for h in v.handlers.values()]

    def view_for(self, handler: Handler) -> CriView:
        for v in self.views:
            if handler.name in v.handlers and v.handlers[handler.name] is handler:
                return v
        raise KeyError(handler.name)


def _get(data: Any, path: KeyPath) -> Any:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _view(data: dict, plugin: KeyPath, readers: frozenset[int], deprecated_tables: bool) -> CriView:
    cri = _get(data, plugin) or {}
    ctd = cri.get("containerd") if isinstance(cri, dict) else None
    ctd = ctd if isinstance(ctd, dict) else {}
    handlers: dict[str, Handler] = {}
    runtimes = ctd.get("runtimes")
    if isinstance(runtimes, dict):
        for name, table in runtimes.items():
            if isinstance(table, dict):
                rt = table.get("runtime_type")
                handlers[name] = Handler(name, plugin + ("containerd", "runtimes", name),
                                         rt if isinstance(rt, str) and rt else None, True, readers, table)
    default_name, default_key = "runc", None
    if isinstance(ctd.get("default_runtime_name"), str) and ctd["default_runtime_name"]:
        default_name, default_key = ctd["default_runtime_name"], plugin + ("containerd", "default_runtime_name")
    if deprecated_tables and 1 in readers:
        for table_name, handler_name in (("default_runtime", "default"), ("untrusted_workload_runtime", "untrusted")):
            table = ctd.get(table_name)
            if isinstance(table, dict) and isinstance(table.get("runtime_type"), str) and table["runtime_type"]:
                handlers[handler_name] = Handler(handler_name, plugin + ("containerd", table_name),
                                                 table["runtime_type"], True, frozenset({1}), table)
                if handler_name == "default":
                    default_name, default_key = "default", plugin + ("containerd", table_name)
    return CriView(plugin, readers, handlers, default_name, default_key, cri if isinstance(cri, dict) else {})


def read(data: dict) -> ContainerdConfig:
    raw_version = data.get("version")
    declared = isinstance(raw_version, int) and not isinstance(raw_version, bool)
    version = raw_version if declared and raw_version > 0 else 1
    plugins = data.get("plugins") if isinstance(data.get("plugins"), dict) else {}
    disabled = data.get("disabled_plugins") if isinstance(data.get("disabled_plugins"), list) else []
    cri_disabled = any(p in CRI_PLUGIN_IDS for p in disabled if isinstance(p, str))
    views: list[CriView] = []
    if version >= 3:
        views.append(_view(data, CRI_V3, frozenset({2}), False))
    elif version == 2:
        views.append(_view(data, CRI_V2, frozenset({1, 2}), True))
    else:
        if "cri" in plugins or "io.containerd.cri.v1.runtime" not in plugins:
            views.append(_view(data, CRI_V1, frozenset({1}), True))
        if "io.containerd.cri.v1.runtime" in plugins:
            views.append(_view(data, CRI_V3, frozenset({2}), False))
    return ContainerdConfig(version, declared, views, cri_disabled, data)


def cri_plugin_level(config: ContainerdConfig) -> list[KeyPath]:
    """Tables where CRI plugin-level keys (e.g. the legacy systemd_cgroup) are read."""
    if config.version >= 3:
        return [CRI_V3]
    if config.version == 2:
        return [CRI_V2]
    return [CRI_V1]


def default_handler(view: CriView) -> Handler | None:
    return view.handlers.get(view.default_name)


# --------------------------------------------------------- a config and its imports


@record
class Setting:
    """SystemdCgroup as a handler ends up with: the spelling and file that win."""

    key: str
    value: Any
    readers: frozenset[int]
    doc: Any  # Document
    path: KeyPath  # full key path in ``doc``


@record
class EffectiveHandler(_RuntimeKind):
    name: str
    runtime_type: str | None
    doc: Any  # the last file that defines the handler table
    handler: Handler  # as that file defines it
    readers: frozenset[int]
    systemd: Setting | None
    options_docs: list = fresh(list)  # (doc, handler) for every file defining it



@record
class Effective:
    main: Any  # Document
    chain: list  # main first, then imported documents in merge order
    handlers: dict[str, EffectiveHandler]
    default_name: str
    default_source: tuple | None  # (doc, key path) of the winning default_runtime_name
    implicit_runc: bool
    config: ContainerdConfig  # the main file's own reading


def _import_patterns(doc) -> list[str]:
    """The node paths (or globs) a containerd config's ``imports`` name, normalized."""
    import posixpath

    data = doc.data if isinstance(doc.data, dict) else {}
    imports = data.get("imports") if isinstance(data.get("imports"), list) else []
    base = posixpath.dirname(doc.node_path) if doc.node_path else None
    out = []
    for entry in imports:
        if not isinstance(entry, str):
            continue
        if entry.startswith("/"):
            out.append(entry.lstrip("/"))
        elif base is not None:
            out.append(posixpath.normpath(posixpath.join(base, entry)))
    return out


def _expand(pattern: str, node) -> list:
    """The parsed containerd documents an import pattern names, in containerd's order.

    Worked out once per pattern and node (node.memo is cleared when a fix changes a document):
    every drop-in of a conf.d may import the same glob, and listing the directory and looking up
    every match again for each of them made N drop-ins cost N*N (N*N*N for NL101's imported_docs).
    """
    import fnmatch
    import posixpath

    memo = node.memo.setdefault("containerd-imports", {})
    known = memo.get(pattern)
    if known is None:
        if any(c in pattern for c in "*?["):
            matches = sorted(p for p in node.list_paths(posixpath.dirname(pattern))
                             if fnmatch.fnmatchcase(p, pattern))
        else:
            matches = [pattern]
        known = []
        for path in matches:
            imported = node.at(path, "containerd")
            if imported is not None and imported.parsed is not None:
                known.append(imported)
        memo[pattern] = known
    return known


def imports_of(doc, node) -> list:
    """Documents a containerd config imports, breadth-first as containerd merges them."""
    from collections import deque

    if node is None:
        return []
    out, seen, queue = [], {id(doc)}, deque([doc])
    expanded: set[str] = set()  # a pattern met again names documents already seen
    while queue:
        current = queue.popleft()
        for pattern in _import_patterns(current):
            if pattern in expanded:
                continue
            expanded.add(pattern)
            for imported in _expand(pattern, node):
                if id(imported) not in seen:
                    seen.add(id(imported))
                    out.append(imported)
                    queue.append(imported)
    return out


def imported_ids(node, docs) -> set[int]:
    """ids of the documents some other config imports, directly or through the configs that
    ``docs`` (the node's configs with imports) import: one walk for the whole node, not one
    per config."""
    from collections import deque

    seen, queue = {id(d) for d in docs}, deque(docs)
    importers: dict[str, set[int]] = {}  # pattern -> ids of the configs reached that import it
    while queue:
        current = queue.popleft()
        for pattern in _import_patterns(current):
            first = pattern not in importers
            importers.setdefault(pattern, set()).add(id(current))
            if not first:
                continue
            for imported in _expand(pattern, node):
                if id(imported) not in seen:
                    seen.add(id(imported))
                    queue.append(imported)
    out: set[int] = set()
    for pattern, by in importers.items():
        out.update(id(d) for d in _expand(pattern, node) if len(by) > 1 or id(d) not in by)
    return out


def effective(main, imported: list) -> Effective:
    chain = [main] + list(imported)
    handlers: dict[str, EffectiveHandler] = {}
    default_name, default_source = "runc", None
    main_config = read(main.data)
    for doc in chain:
        config = main_config if doc is main else read(doc.data)
        for view in config.views:
            if view.default_name_key is not None:
                default_name, default_source = view.default_name, (doc, view.default_name_key)
            for h in view.handlers.values():
                eff = handlers.get(h.name)
                if eff is None:
                    eff = handlers[h.name] = EffectiveHandler(h.name, h.runtime_type, doc, h, h.readers, None)
                else:
                    eff.doc, eff.handler = doc, h
                    eff.readers = eff.readers | h.readers
                    if h.runtime_type is not None:
                        eff.runtime_type = h.runtime_type
                eff.options_docs.append((doc, h))
                key, value, readers = h.systemd_cgroup()
                if key is not None:
                    eff.systemd = Setting(key, value, readers, doc, h.options_path + (key,))
    readers = frozenset().union(*(v.readers for v in main_config.views)) if main_config.views else frozenset()
    file_runtimes = any(h.handler.table[-2] == "runtimes" for h in handlers.values())
    implicit = (default_name == "runc" and "runc" not in handlers and not main_config.cri_disabled
                and (2 in readers or not file_runtimes))
    return Effective(main, chain, handlers, default_name, default_source, implicit, main_config)


def implicit_runc_anchor(config: ContainerdConfig) -> KeyPath:
    """Where to point at when the built-in runc handler is the problem."""
    for view in config.views:
        if _get(config.data, view.containerd_table) is not None:
            return view.containerd_table
        if _get(config.data, view.plugin) is not None:
            return view.plugin
    return ("version",) if "version" in config.data else ()


def driver_of(handler: EffectiveHandler | None) -> str | None:
    """The cgroup driver a runc handler gives its containers (None: not a runc handler)."""
    if handler is None or not handler.is_runc:
        return None
    s = handler.systemd
    return "systemd" if s is not None and s.value is True else "cgroupfs"
