"""How each containerd line loads a config and its imports, and the runtime handlers it ends with.

The lines read the same files differently (checked against the sources at each tag and against
``containerd config dump`` of Debian's 1.6.20, 1.7.24 and 2.1.9 on generated configs):

- **1.x** (``services/server/config/config.go``): files load main first, then imports breadth
  first.  Top-level values of a later file override (``version`` too, when it declares one);
  a plugin table a later file defines *replaces* the whole table of that plugin (``mergeConfig``:
  ``to.Plugins[k] = v``), so a drop-in that adds one runtime handler drops the main file's CRI
  settings.  Version 1 (or none) reads the CRI plugin as ``plugins.cri``, version 2 as
  ``plugins."io.containerd.grpc.v1.cri"``; version 2 refuses short plugin names
  (``invalid disabled plugin URI "cri"``, ``invalid plugin key URI``).  1.6.32+ and 1.7.17+
  refuse version 3 (``unsupported config version``); older releases read it as version 2.
  A ``runtimes`` table replaces the built-in ``runc`` handler.  A literal import that does not
  exist stops containerd.
- **2.0-2.2** (``cmd/containerd/server/config/config.go``): the loader starts from the defaults
  at version 3.  A file of version 1 (or none) has its short plugin names renamed and is then
  taken as the version loaded so far: a main file without a version line is taken as version 3,
  so its ``io.containerd.grpc.v1.cri`` runtime settings are never moved to
  ``io.containerd.cri.v1.runtime`` and are ignored ("Ignoring unknown key"); a version 2 main
  file is migrated as a whole.  Plugin tables merge key by key.  The CRI migration copies the
  ``containerd`` table's keys (``runtimes`` whole) only where version 3 tables do not set them.
  The built-in ``runc`` handler stays beside the file's handlers.  A literal import that does
  not exist stops the daemon (``containerd config dump`` alone skips it and every file after it).
- **2.3+**: each file is migrated on its own before it is merged, and a drop-in may not declare
  a higher version than the main file.
"""
from __future__ import annotations


from ..values.record import record, fresh

LINES = ("1.6", "1.7", "2.0-2.2", "2.3")
# The containerd each line's verdicts are checked against (tests/conformance): Debian's packages.
JUDGED = {"1.6": "1.6.20", "1.7": "1.7.24", "2.0-2.2": "2.1.9"}

GRPC_CRI = "io.containerd.grpc.v1.cri"
CRI_RUNTIME = "io.containerd.cri.v1.runtime"
RUNC_V2 = "io.containerd.runc.v2"
V1_PLUGIN_NAMES = {  # v1MigratePluginName's table (2.x)
    "cri": GRPC_CRI, "cgroups": "io.containerd.monitor.v1.cgroups", "linux": "io.containerd.runtime.v1.linux",
    "scheduler": "io.containerd.gc.v1.scheduler", "bolt": "io.containerd.metadata.v1.bolt",
    "task": "io.containerd.runtime.v2.task", "opt": "io.containerd.internal.v1.opt",
    "restart": "io.containerd.internal.v1.restart", "tracing": "io.containerd.internal.v1.tracing",
    "otlp": "io.containerd.tracing.processor.v1.otlp", "aufs": "io.containerd.snapshotter.v1.aufs",
    "btrfs": "io.containerd.snapshotter.v1.btrfs", "devmapper": "io.containerd.snapshotter.v1.devmapper",
    "native": "io.containerd.snapshotter.v1.native", "overlayfs": "io.containerd.snapshotter.v1.overlayfs",
    "zfs": "io.containerd.snapshotter.v1.zfs",
}
# keys of the v2 CRI "containerd" table the v3 migration leaves behind (moved to the image service)
_NOT_MIGRATED = {"snapshotter", "disable_snapshot_annotations", "discard_unpacked_layers"}


def line_of(version: tuple[int, ...] | None) -> str | None:
    """The behaviour family of a containerd release (None when it is not known)."""
    if not version:
        return None
    major, minor = version[0], version[1] if len(version) > 1 else 0
    if major == 1:
        return "1.6" if minor <= 6 else "1.7"
    if major == 2:
        return "2.3" if minor >= 3 else "2.0-2.2"
    return None


def refuses_v3(version: tuple[int, ...]) -> bool:
    """containerd 1.6.32+ and 1.7.17+ refuse config version 3 (older 1.x read it as version 2)."""
    if version[0] != 1:
        return False
    patch = version[2] if len(version) > 2 else 0
    return (version[1] == 6 and patch >= 32) or (version[1] == 7 and patch >= 17) or version[1] > 7


@record
class ReadHandler:
    """A runtime handler as one containerd line ends up with it."""

    name: str
    runtime_type: str  # "" when nothing sets it
    options: dict
    doc: object = None  # the document that last defines the handler table (None: built in)
    table: tuple = ()  # its key path in that document

    def is_runc(self, line: str) -> bool:
        """Whether runc runs this handler's containers on ``line`` (2.x fills in runc's runtime_type
        for a handler named runc that has none; 1.x does not)."""
        from .containerd import RUNC_TYPES

        if self.runtime_type:
            if self.placeholder_type:  # a template fills it in: a handler named runc runs a runc shim
                return self.name == "runc"
            return self.runtime_type in RUNC_TYPES
        return self.name == "runc" and line not in ("1.6", "1.7")

    @property
    def is_wasm(self) -> bool:
        """A runwasi WebAssembly shim (Spin, wasmtime...): it reads SystemdCgroup as runc's shim does."""
        from .containerd import WASM_TYPES

        return self.runtime_type in WASM_TYPES

    @property
    def placeholder_type(self) -> bool:
        from ..read.kinds import PLACEHOLDER

        return isinstance(self.runtime_type, str) and PLACEHOLDER in self.runtime_type

    def writes(self, option: str) -> bool:
        """Whether the handler's own document writes this option (another file may set it: a
        merge keeps the table's document).  Told by the document's data, not by locating the key:
        most handlers are asked once, and building a file's position index to answer cost a
        tenth of a --fix.  (TOML has no null: a value that is there is not None.)"""
        from .containerd import _get

        return _get(_data(self.doc), self.table + ("options", option)) is not None

    def systemd_cgroup(self, any_case: bool):
        """The SystemdCgroup value this line reads (None: not set), and the key written."""
        from .containerd import ACCEPTED_BY_ALL, CANONICAL

        if CANONICAL in self.options:
            return self.options[CANONICAL], CANONICAL
        for key, value in self.options.items():
            if key.lower() == CANONICAL.lower() and (any_case or key in ACCEPTED_BY_ALL):
                return value, key
        return None, None


@record
class Reading:
    """The configuration one containerd line loads from a main file and its imports."""

    line: str
    version: int  # the configuration version it ends with
    error: str | None = None  # why containerd refuses to start with it
    cri_disabled: bool = False
    default_runtime: str = "runc"
    handlers: dict = fresh(dict)  # name -> ReadHandler
    notes: list = fresh(list)  # what this line does differently, in words

    def as_dict(self) -> dict:
        any_case = self.line not in ("1.6", "1.7")
        handlers = []
        for h in self.handlers.values():
            value, key = h.systemd_cgroup(any_case)
            entry = {"name": h.name, "runtime_type": h.runtime_type or None,
                     "systemd_cgroup": value if isinstance(value, bool) or value is None else str(value)}
            if h.doc is not None:
                pos = h.doc.position(h.table)
                if pos is not None:
                    entry.update(path=h.doc.path, line=pos.line)
                at = h.doc.position(h.table + ("options", key)) if key is not None and h.writes(key) else None
                if at is not None:  # the line that sets SystemdCgroup (absent: a default or another file)
                    entry["systemd_cgroup_at"] = {"path": h.doc.path, "line": at.line, "column": at.column}
            handlers.append(entry)
        return {"version": self.version, "error": self.error, "cri_disabled": self.cri_disabled,
                "default_runtime": self.default_runtime, "handlers": handlers, "notes": list(self.notes)}


def _data(doc) -> dict:
    return doc.data if isinstance(doc.data, dict) else {}


def _real(doc):
    return getattr(doc, "doc", doc) if isinstance(doc, _Assumed) else doc


def _declared(data: dict) -> int:
    v = data.get("version")
    return v if isinstance(v, int) and not isinstance(v, bool) and v > 0 else 0


def _copied(value):
    """A copy of parsed TOML data (tables, arrays, scalars: no cycles, nothing shared), so merging
    never changes a document's own data; a third of what copy.deepcopy costs (no memo)."""
    if type(value) is dict:
        return {k: _copied(v) for k, v in value.items()}
    if type(value) is list:
        return [_copied(v) for v in value]
    return value


def _deep_merge(into: dict, other: dict, sources: dict, doc, path: tuple) -> None:
    """mergo.Merge(into, other, WithOverride) for TOML tables, noting which document set each table."""
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _deep_merge(into[key], value, sources, doc, path + (key,))
            sources[path + (key,)] = doc
        else:
            into[key] = _copied(value)
            if isinstance(value, dict):
                sources[path + (key,)] = doc
                _record_sources(value, sources, doc, path + (key,))


def _missing_literal_imports(files, node) -> str | None:
    from .containerd import _import_patterns

    for doc in files:
        for pattern in _import_patterns(doc):
            if not any(c in pattern for c in "*?[") and node is not None and node.at(pattern, "containerd") is None \
                    and not node.has_file(pattern):
                return f"failed to load TOML: /{pattern}: open /{pattern}: no such file or directory"
    return None


def layout_version(data: dict) -> int:
    """The config version a file's plugin tables are written for (its ``version`` line aside)."""
    plugins = data.get("plugins") if isinstance(data.get("plugins"), dict) else {}
    if CRI_RUNTIME in plugins or "io.containerd.cri.v1.images" in plugins:
        return 3
    if any("." in key for key in plugins):
        return 2
    return 1 if plugins else 0


def known_version(node) -> tuple[int, ...] | None:
    """The node's containerd release, when a version fact says it (declared, pinned, dpkg, build info)."""
    fact = next((f for f in node.versions if f.component == "containerd"), None)
    return tuple(fact.release.version.release) if fact is not None else None


def version_for(doc, node):
    """The containerd release a config is judged for: the node's known one, or for a config a
    script generates with ``containerd config default`` (read/embedded/generated.py) the newest
    release that prints it.  False: generated by releases other than the node's (not judged)."""
    known = known_version(node)
    releases = doc.extra.get("containerd_releases")
    if not releases:
        return known
    keys = [tuple(int(x) for x in r.split(".")[:3]) for r in releases]
    if known is None:
        return max(keys)
    from ..read.embedded.generated import group_of

    return known if group_of(known) in {group_of(k) for k in keys} else False


def considered_lines(data: dict, known: tuple[int, ...] | None) -> list[str]:
    """The containerd lines a config is judged for: the node's own when its version is known;
    else the lines that accept the file's config version (NL401 judges the others)."""
    if known:
        line = line_of(known)
        return [line] if line else list(LINES)
    declared = _declared(data) or 0
    if declared >= 4:
        return ["2.3"]
    if declared == 3:
        return ["2.0-2.2", "2.3"]
    return list(LINES)


class _Assumed:
    """A drop-in read on its own, as the version its tables are written for (the main file that
    imports it, unseen, has that version)."""

    def __init__(self, doc, version: int):
        self.doc, self.data = doc, dict(_data(doc), version=version)

    def __getattr__(self, name):
        return getattr(self.doc, name)


def reading(main, chain: list, line: str, node=None, version: tuple[int, ...] | None = None,
            fragment: bool = False) -> Reading:
    """What containerd ``line`` loads from ``main`` and the documents it imports (``chain``, in
    containerd's breadth-first order).  ``version``: the exact release, when known.  A
    ``fragment`` (a drop-in read alone) is taken as the version its tables are written for.

    Read once per node and question (node.memo is cleared when a fix changes a document): NL101
    and every rule that asks for the runtime's driver read the same files for the same lines."""
    if node is None:
        return _reading(main, chain, line, node, version, fragment)
    key = ("containerd-reading", id(main), tuple(id(d) for d in chain), line, version, fragment)
    known = node.memo.get(key)
    if known is None:
        known = node.memo[key] = _reading(main, chain, line, node, version, fragment)
    return known


def _reading(main, chain: list, line: str, node, version, fragment: bool) -> Reading:
    if fragment and not _declared(_data(main)) and layout_version(_data(main)) >= 2:
        main = _Assumed(main, layout_version(_data(main)))
    files = [main] + [d for d in chain if d is not main]
    if line in ("1.6", "1.7"):
        return _one_x(files, line, node, version or ((1, 6, 20) if line == "1.6" else (1, 7, 24)))
    return _two_x(files, line, node)


def _one_x(files, line: str, node, version: tuple[int, ...]) -> Reading:
    merged_version, plugins, disabled = 0, {}, []
    owner: dict = {}  # plugin key -> the document whose table stands
    for doc in files:
        data = _data(doc)
        if _declared(data):
            merged_version = _declared(data)
        for key, table in (data.get("plugins") or {}).items() if isinstance(data.get("plugins"), dict) else ():
            plugins[key] = table  # a later file's table replaces the plugin's whole table
            owner[key] = _real(doc)
        if isinstance(data.get("disabled_plugins"), list):
            disabled += [p for p in data["disabled_plugins"] if isinstance(p, str)]
    effective_version = merged_version or 1
    r = Reading(line, effective_version)
    main_version = _declared(_data(files[0]))
    if main_version and merged_version != main_version:
        r.notes.append(f"an imported file's `version = {merged_version}` line makes containerd 1.x read every file "
                       f"as version {merged_version}")
    missing = _missing_literal_imports(files, node)
    if missing:
        r.error = missing
        return r
    last = files[-1].path
    if effective_version >= 3:
        if refuses_v3(version):
            r.error = f"failed to load TOML from {last}: unsupported config version `{effective_version}`"
            return r
        r.notes.append(f"reads version {effective_version} as version 2: its io.containerd.cri.v1.runtime "
                       "tables are ignored")
    if effective_version >= 2:
        for p in disabled:
            if len(p.split(".")) < 4:
                r.error = f"failed to load TOML from {last}: invalid disabled plugin URI {p!r} expect io.containerd.x.vx"
                return r
        for p in plugins:
            if len(p.split(".")) < 4:
                r.error = f"failed to load TOML from {last}: invalid plugin key URI {p!r} expect io.containerd.x.vx"
                return r
    cri_key = "cri" if effective_version == 1 else GRPC_CRI
    r.cri_disabled = cri_key in disabled or (effective_version == 1 and GRPC_CRI in disabled)
    cri = plugins.get(cri_key)
    cri = cri if isinstance(cri, dict) else {}
    doc = owner.get(cri_key)
    ctd = cri.get("containerd") if isinstance(cri.get("containerd"), dict) else {}
    runtimes = ctd.get("runtimes")
    if isinstance(runtimes, dict):  # replaces the built-in handlers
        for name, table in runtimes.items():
            if isinstance(table, dict):
                rt = table.get("runtime_type")
                opts = table.get("options") if isinstance(table.get("options"), dict) else {}
                r.handlers[name] = ReadHandler(name, rt if isinstance(rt, str) else "", dict(opts), doc,
                                               ("plugins", cri_key, "containerd", "runtimes", name))
    else:
        r.handlers["runc"] = ReadHandler("runc", RUNC_V2, {"SystemdCgroup": False})
    for table_name, handler_name in (("default_runtime", "default"), ("untrusted_workload_runtime", "untrusted")):
        table = ctd.get(table_name)
        if isinstance(table, dict) and isinstance(table.get("runtime_type"), str) and table["runtime_type"]:
            opts = table.get("options") if isinstance(table.get("options"), dict) else {}
            r.handlers[handler_name] = ReadHandler(handler_name, table["runtime_type"], dict(opts), doc,
                                                   ("plugins", cri_key, "containerd", table_name))
    name = ctd.get("default_runtime_name")
    r.default_runtime = name if isinstance(name, str) and name else "runc"
    if "default" in r.handlers and r.handlers["default"].table[-1:] == ("default_runtime",):
        r.default_runtime = "default"  # the deprecated default_runtime table is the default (1.x)
    if len(files) > 1 and sum(1 for d in files if "plugins" in _data(d) and cri_key in (_data(d)["plugins"] or {})) > 1:
        r.notes.append(f"an imported file's [plugins.{cri_key!r}] table replaces the whole CRI table of the files "
                       "before it")
    return r


def _migrate_v1_names(plugins: dict) -> dict:
    out = {}
    for key, value in plugins.items():
        if "." not in key:
            key = V1_PLUGIN_NAMES.get(key) or ("io.containerd.service.v1." + key if key.endswith("-service")
                                               else "io.containerd.grpc.v1." + key)
        out[key] = value
    return out


def _cri_migration(plugins: dict, sources: dict) -> None:
    """plugins/cri/runtime/plugin.go configMigration: version 2's CRI runtime settings to version 3."""
    src = plugins.get(GRPC_CRI)
    if not isinstance(src, dict):
        return
    dst = plugins.get(CRI_RUNTIME) if isinstance(plugins.get(CRI_RUNTIME), dict) else {}
    for key, value in src.items():
        if key not in ("cni", "containerd") and key not in dst and key not in (
                "sandbox_image", "registry", "image_decryption", "max_concurrent_downloads",
                "image_pull_progress_timeout", "image_pull_with_sync_fs", "stats_collect_period",
                "disable_tcp_service", "stream_server_address", "stream_server_port", "stream_idle_timeout",
                "enable_tls_streaming", "x509_key_pair_streaming"):
            dst[key] = value
    src_ctd = src.get("containerd")
    if isinstance(src_ctd, dict):
        dst_ctd = dst.get("containerd") if isinstance(dst.get("containerd"), dict) else {}
        for key, value in src_ctd.items():
            if key not in _NOT_MIGRATED and key not in dst_ctd:
                dst_ctd[key] = value
                if key == "runtimes" and isinstance(value, dict):
                    for name in value:
                        origin = sources.get(("plugins", GRPC_CRI, "containerd", "runtimes", name))
                        if origin is not None:
                            sources[("plugins", CRI_RUNTIME, "containerd", "runtimes", name)] = origin
        dst["containerd"] = dst_ctd
    plugins[CRI_RUNTIME] = dst


def _two_x(files, line: str, node=None) -> Reading:
    out_version = 4 if line == "2.3" else 3  # the defaults the loader starts from
    root_version = 0
    plugins: dict = {}
    sources: dict = {}  # table key path -> the document that last set it
    disabled: list[str] = []
    r = Reading(line, out_version)
    missing = _missing_literal_imports(files, node)
    if missing:  # the daemon stops (cmd/containerd/command/main.go); `config dump` alone goes on without it
        r.error = missing.replace("failed to load TOML: ", "", 1)
        return r
    for doc in files:
        data = _data(doc)
        version = _declared(data)
        file_plugins = data.get("plugins") if isinstance(data.get("plugins"), dict) else {}
        file_disabled = [p for p in data.get("disabled_plugins", []) if isinstance(p, str)] \
            if isinstance(data.get("disabled_plugins"), list) else []
        if line == "2.3":
            if root_version == 0:
                root_version = version
            if version > root_version:
                r.error = f"drop-in config version {version} higher than root config version {root_version}"
                return r
        if version in (0, 1):
            file_plugins = _migrate_v1_names(file_plugins)
            file_disabled = [V1_PLUGIN_NAMES.get(p, p) if "." not in p else p for p in file_disabled]
            if line != "2.3":
                version = out_version  # MigrateConfigTo(out.Version): taken as the version loaded so far
        if line == "2.3" and version < out_version:
            version = version or 1
            file_plugins = _copied(file_plugins)
            if version < 3:
                file_sources: dict = {}
                _record_sources(file_plugins, file_sources, _real(doc))
                _cri_migration(file_plugins, file_sources)
                sources.update(file_sources)
            version = out_version
        _deep_merge(plugins, file_plugins, sources, _real(doc), ("plugins",))
        if version:
            out_version = version
        disabled += file_disabled
    r.version = out_version
    limit = 4 if line == "2.3" else 3
    if out_version > limit:
        r.error = (f"failed to load TOML from {files[-1].path}: expected containerd config version equal to or "
                   f"less than `{limit}`, got `{out_version}`")
        return r
    for p in disabled:
        if "." not in p:
            r.error = f"failed to load TOML from {files[-1].path}: invalid disabled plugin URI {p!r} expect io.containerd.x.vx"
            return r
    if out_version < 3:
        _cri_migration(plugins, sources)
    elif line != "2.3" and any(unmigrated(d) for d in files):
        r.notes.append("a file of version 1 or without a version line is taken as version 3 by containerd "
                       "2.0-2.2: its CRI runtime settings are not migrated, they are ignored")
    r.cri_disabled = GRPC_CRI in disabled or CRI_RUNTIME in disabled
    cri = plugins.get(CRI_RUNTIME) if isinstance(plugins.get(CRI_RUNTIME), dict) else {}
    ctd = cri.get("containerd") if isinstance(cri.get("containerd"), dict) else {}
    r.handlers["runc"] = ReadHandler("runc", RUNC_V2, {"SystemdCgroup": False})  # built in, stays
    runtimes = ctd.get("runtimes") if isinstance(ctd.get("runtimes"), dict) else {}
    for name, table in runtimes.items():
        if not isinstance(table, dict):
            continue
        base = r.handlers.get(name)
        rt = table.get("runtime_type")
        runtime_type = rt if isinstance(rt, str) and rt else (base.runtime_type if base else "")
        options = dict(base.options) if base else {}
        if isinstance(table.get("options"), dict):
            options.update(table["options"])
        path = ("plugins", CRI_RUNTIME, "containerd", "runtimes", name)
        doc = sources.get(path)
        r.handlers[name] = ReadHandler(name, runtime_type, options, doc, _table_in(doc, path))
    name = ctd.get("default_runtime_name")
    r.default_runtime = name if isinstance(name, str) and name else "runc"
    return r


def unmigrated(doc) -> bool:
    """Whether containerd 2.0-2.2 ignore a file's CRI runtime settings: a file of version 1 (or
    none) that has them, once the defaults (version 3) or a version 3 file were loaded first."""
    data = _data(doc)
    if _declared(data) > 1:
        return False
    plugins = data.get("plugins") if isinstance(data.get("plugins"), dict) else {}
    return any(isinstance(plugins.get(k), dict) and "containerd" in plugins[k] for k in ("cri", GRPC_CRI))


def named_twice(data: dict) -> list[tuple[str, str]]:
    """(short ID, full ID) of each plugin a file of version 1 (or none) configures under both names.

    containerd 1.x reads a version 1 file's plugins by short ID only; 2.x renames the short IDs
    while ranging over the plugin map (cmd/containerd/server/config/config.go, v1Migrate), so
    which of the two tables it keeps is Go's map order: it changes from one start to the next."""
    plugins = data.get("plugins") if isinstance(data, dict) else None
    if _declared(data) > 1 or not isinstance(plugins, dict):
        return []
    out = []
    for name in plugins:
        if "." not in name:
            full = next(iter(_migrate_v1_names({name: None})))
            if full in plugins:
                out.append((name, full))
    return out


def _record_sources(plugins: dict, sources: dict, doc, path: tuple = ("plugins",)) -> None:
    for key, value in plugins.items():
        if isinstance(value, dict):
            sources[path + (key,)] = doc
            _record_sources(value, sources, doc, path + (key,))


def _table_in(doc, path: tuple) -> tuple:
    """Where the handler table ``path`` (in migrated terms) is written in ``doc``."""
    if doc is None:
        return ()
    data = _data(doc)
    plugins = data.get("plugins") if isinstance(data.get("plugins"), dict) else {}
    name = path[-1]
    for plugin in (CRI_RUNTIME, GRPC_CRI, "cri"):
        table = plugins.get(plugin)
        if isinstance(table, dict) and isinstance(table.get("containerd"), dict) \
                and isinstance(table["containerd"].get("runtimes"), dict) and name in table["containerd"]["runtimes"]:
            return ("plugins", plugin, "containerd", "runtimes", name)
    return path
