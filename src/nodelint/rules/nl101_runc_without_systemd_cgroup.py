"""NL101: a containerd runc handler does not use the systemd cgroup driver.

## What it does
Checks every CRI runtime handler that runs through the runc shim
(``runtime_type = "io.containerd.runc.v2"`` or ``.v1``, including handlers such as
``nvidia`` that keep the runc shim with another ``BinaryName``, as
``nvidia-ctk runtime configure`` writes them) and every runwasi WebAssembly shim handler (``io.containerd.spin.v2``,
``io.containerd.wasmtime.v1``, ``wasmedge``, ``wasmer``: they read the handler's options the
way runc's shim does) for ``SystemdCgroup = true`` in its ``options`` table, at the table path
of the file's config version:

| version | options table |
|---|---|
| 1 (or none) | ``[plugins.cri.containerd.runtimes.<name>.options]`` |
| 2 | ``[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.<name>.options]`` |
| 3, 4 | ``[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.<name>.options]`` |

Single- and double-quoted keys are the same key.  A config that enables CRI but
defines no ``runc`` handler gets the finding for containerd's built-in default
``runc`` handler, which uses cgroupfs (containerd 2.x keeps it next to the handlers
a file adds; 1.x keeps it when the file defines no handler at all).  Files that
disable CRI (``disabled_plugins = ["cri"]``, or the full plugin IDs) get none, and so
do drop-in fragments for the built-in handler: the main config owns the default.
A fragment a platform merges over its own base is judged on that base: an EKS
``NodeConfig``'s ``spec.containerd.config`` goes over the AL2023 base config, which sets
``SystemdCgroup = true`` for runc, so only a value the user writes can turn it off.
When a config ``imports`` drop-ins that nodelint can see (``--root``, a repo tree),
the merged result is judged and the finding points at the file that wins.

With ``cgroup-driver = "cgroupfs"`` in the configuration (hosts without systemd)
the rule flips: ``SystemdCgroup = true`` is the finding.

## Why it matters
With the cgroupfs driver on a systemd host, two managers own the cgroup tree.  A
systemd-based container inside a pod escaped its memory limit this way and took
the node down; the fix was the systemd driver everywhere.  containerd's default is
still ``SystemdCgroup = false`` in 2.x, and kubelet must use the same driver.

## Example
Bad:
```toml
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = false
```
Good:
```toml
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = true
```

## Fix
Safe.  Sets ``SystemdCgroup = true`` in the handler's ``options`` table for the file's
config version, creating the table (and, for the built-in handler, the ``runc``
handler with ``runtime_type = "io.containerd.runc.v2"``) where needed, in the
file's own indentation and quoting.  containerd reads the file again only when it
restarts.

The table is the one each release reads the handler from.  containerd 2.x migrates a
version 2 file's ``[plugins."io.containerd.grpc.v1.cri".containerd]`` into the version 3
table key by key and skips a key that table already has, so a version 2 file that also
holds ``[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.*]`` (a 2.x drop-in
pasted in) gets the built-in ``runc`` handler in that table.  containerd 2.0-2.2 read a
file of version 1 (or without a version line) as version 3, so a handler added in its
version 1 tables would be ignored there: the file is first rewritten as version 2, and
the handler is added in the next round of the same ``--fix``.  Where another file
decides the version (an imported version 3 drop-in), no edit of this one helps and no
fix is offered.

## References
- containerd CRI config: https://github.com/containerd/containerd/blob/main/docs/cri/config.md
- Kubernetes, cgroup drivers: https://kubernetes.io/docs/setup/production-environment/container-runtimes/#containerd-systemd
- Config versions 1/2 (short vs. full plugin IDs): https://github.com/containerd/containerd/blob/v1.7.24/docs/PLUGINS.md
- Config version 3 and the 2.x/1.x SystemdCgroup tables, cgroupfs default: https://github.com/containerd/containerd/blob/v2.0.0/docs/cri/config.md
- The CRI migration from version 2 to 3 (configMigration, key by key): https://github.com/containerd/containerd/blob/v2.1.0/plugins/cri/runtime/plugin.go
- runc options struct (SystemdCgroup, no toml tag): https://github.com/containerd/containerd/blob/v2.0.0/api/types/runc/options/oci.pb.go
- nvidia-ctk copies the default (else runc) handler's section, so a config without SystemdCgroup gives an nvidia handler without it: https://github.com/NVIDIA/nvidia-container-toolkit/blob/v1.20.0/pkg/config/engine/containerd/config.go#L35-L52
- runwasi shims read the handler's options (SystemdCgroup) from containerd-shim-wasm 0.10.0: https://github.com/containerd/runwasi/blob/containerd-shim-wasm/v0.10.0/crates/containerd-shim-wasm/src/sandbox/shim/local.rs#L59
- The Spin shim documents SystemdCgroup = true: https://github.com/spinframework/containerd-shim-spin/blob/v0.24.0/README.md#L68-L81
"""
from __future__ import annotations

from ..models import containerd as C
from ..models import containerd_load as L
from ..read.embedded import writable
from ..values.findings import Fix
from ..values.edits import RenameKey, RenameTable, SetKey
from . import finding
from .nl108_cgroup_key_not_read import norm

CODE = "NL101"
NAME = "runc-without-systemd-cgroup"
SEVERITY = "error"
FIXABLE = True
SUMMARY = "containerd runc handler lacks SystemdCgroup = true"
KINDS = ("containerd",)
SCOPE = "node"


def _set(doc, table: tuple, want: bool, create_handler: bool = False):
    create = ((table + ("runtime_type",), "io.containerd.runc.v2"),) if create_handler else ()
    return SetKey(doc.path, table + ("options", C.CANONICAL), want, create)


def _lines_text(lines: list[str], considered: list[str]) -> str:
    if lines == considered:
        return ""
    return f" on containerd {', '.join(lines)}"


def _unversioned_v2(doc) -> bool:
    """A file without a version line whose plugin tables are version 2's: every containerd line
    reads it as version 1 and never looks at them."""
    return not L._declared(doc.data) and L.layout_version(doc.data) == 2 and doc.role != "fragment" \
        and not any("." not in key for key in (doc.data.get("plugins") or {}))


def check(node, settings):
    want = settings.cgroup_driver == "systemd"
    imported = node.imported_docs()
    for doc in node.of_kind("containerd"):
        if doc.parsed is None or id(doc) in imported or not isinstance(doc.data, dict):
            continue
        known = L.version_for(doc, node)
        if known is not False:  # False: printed by releases other than the node's containerd
            yield from _check_config(node, doc, want, known, settings)


def _check_config(node, doc, want: bool, known, settings):
    chain = C.imports_of(doc, node)
    fragment = doc.role == "fragment"
    considered = L.considered_lines(doc.data, known)
    readings = {line: L.reading(doc, chain, line, node, known, fragment=fragment) for line in considered}
    live = {line: r for line, r in readings.items() if r.error is None and not r.cri_disabled}
    if any(r.handlers.get(r.default_runtime) is not None and r.handlers[r.default_runtime].runtime_type == C.LEGACY_RUNTIME
           for r in live.values()):
        # the removed runtime v1 shim: a config for containerd 1.x alone (NL110 says so)
        live = {line: r for line, r in live.items() if line in ("1.6", "1.7")}
        considered = [line for line in considered if line in live]
    if not live:
        return  # refused (NL401, NL403) or CRI disabled on every line
    if want and _unversioned_v2(doc):
        lost = [line for line, r in live.items()
                if any(h.is_runc(line) and h.systemd_cgroup(line not in ("1.6", "1.7"))[0] is not True
                       for h in r.handlers.values())]
        if lost:
            fix = Fix((SetKey(doc.path, ("version",), 2),), "add version = 2 at the top of the file")
            msg = ("no `version = 2` line: containerd reads the file as version 1 and ignores its "
                   "[plugins.\"io.containerd.grpc.v1.cri\"] tables, so runc runs on the cgroupfs driver"
                   f"{_lines_text(lost, considered)}, whatever SystemdCgroup says")
            yield finding(CODE, SEVERITY, doc, ("version",) if "version" in doc.data else (), msg, fix)
            return
    wrong: dict[tuple, list[str]] = {}  # (handler, built in) -> the lines where it runs on the wrong driver
    for line, r in live.items():
        any_case = line not in ("1.6", "1.7")
        for name, h in r.handlers.items():
            if not (h.is_runc(line) or h.is_wasm) or (fragment and h.doc is None):
                continue
            value, key = h.systemd_cgroup(any_case)
            platform = doc.extra.get("platform_defaults")
            if platform is not None:  # merged over a platform's base (EKS nodeadm), not containerd's defaults
                own = _options(doc, h.table) if h.doc is doc else {}
                value = own.get(C.CANONICAL, platform.get(C.CANONICAL))
            if value is not None and not isinstance(value, bool):
                continue  # a wrong type is NL108's finding
            if (value is True) == want:
                continue
            if h.doc is None and name != r.default_runtime:
                continue
            wrong.setdefault((name, h.doc is None), []).append(line)
    eff = C.effective(doc, chain)
    migrating = False  # a rewrite to version 2 is offered: other edits wait for the next round (new paths)
    settings_lost = L.unmigrated(doc)
    # a version 1 file without CRI settings: a handler added in its version 1 tables would be ignored
    # there (not a file no one writes: containerd installed with no config runs on its defaults)
    added_lost = L._declared(doc.data) <= 1 and writable(doc) and any(
        built_in and "2.0-2.2" in lines for (_, built_in), lines in wrong.items())
    if want and wrong and (settings_lost or added_lost) and "2.0-2.2" in considered and not fragment:
        # the file's own handlers are ignored there: one finding for the file, no edit can help short of
        # rewriting it as version 2 (or 3)
        lost = sorted({line for lines in wrong.values() for line in lines if line == "2.0-2.2"})
        if lost:
            msg = ("containerd 2.0-2.2 take a config of version 1 (or without a version line) as version 3 and "
                   "do not migrate its CRI runtime settings: they are ignored and runc runs on the cgroupfs "
                   "driver; write it as version 2 with full plugin IDs (what every containerd reads alike)"
                   if settings_lost else
                   "containerd 2.0-2.2 take a config of version 1 (or without a version line) as version 3, so "
                   "a runc handler defined in its version 1 tables would be ignored there and runc would stay on "
                   "the cgroupfs driver; write it as version 2 (what every containerd reads alike), then define "
                   "runc with SystemdCgroup = true")
            yield finding(CODE, SEVERITY, doc, ("version",) if "version" in doc.data else (), msg, _to_version_2(doc))
            migrating = True
            wrong = {key: [line for line in lines if line not in lost] for key, lines in wrong.items()}
            wrong = {key: lines for key, lines in wrong.items() if lines}
    for f in _handler_findings(node, doc, chain, wrong, live, considered, eff, want, settings, fragment):
        yield f if not migrating or f.path != doc.path else f.without_fix()


def _handler_findings(node, doc, chain, wrong, live, considered, eff, want, settings, fragment):
    for (name, _), lines in wrong.items():
        where = _lines_text(lines, considered)
        reading = live[lines[0]]
        h = reading.handlers[name]
        notes = "; ".join(dict.fromkeys(n for line in lines for n in live[line].notes))
        because = f" ({notes})" if notes and where else ""
        if h.doc is None:
            if not want or fragment:
                continue
            merged = [doc.data] + [d.data for d in chain]  # what 2.0-2.2 migrate together (2.3: each file alone)
            tables = dict.fromkeys(_cri_table_for(_read_as(doc, live[line]), line,
                                                  [doc.data] if line == "2.3" else merged) for line in lines)
            own = {_cri_table_for(L._declared(doc.data) or 1, line, [doc.data]) for line in lines}
            edits = tuple(_set(doc, ("plugins", t, "containerd", "runtimes", "runc"), True, create_handler=True)
                          for t in tables)
            # no edit of this file helps where another file changes the version it is read as
            fix = Fix(edits, "add the runc handler with SystemdCgroup = true") if set(tables) <= own else None
            msg = ("CRI's default runtime is containerd's built-in 'runc' handler, which uses the cgroupfs driver"
                   f"{where}{because}: define it with SystemdCgroup = true")
            yield finding(CODE, SEVERITY, doc, C.implicit_runc_anchor(eff.config), msg, fix)
            continue
        value, key = h.systemd_cgroup(lines[0] not in ("1.6", "1.7"))
        table = h.table
        target = h.doc
        if key is not None and isinstance(value, bool) and key in _options(target, table):
            fix = Fix((SetKey(target.path, table + ("options", key), want),), f"set {key} = {str(want).lower()}")
            msg = (f"runtime handler '{name}' sets {key} = {str(value).lower()}: its containers use the "
                   f"{'systemd' if value else 'cgroupfs'} cgroup driver{where}, not {settings.cgroup_driver}{because}")
            yield finding(CODE, SEVERITY, target, table + ("options", key), msg, fix, at_value=True)
            continue
        options = _options(target, table)
        misspelled = [k for k in options if norm(k) in ("systemdcgroup", "systemdcgroups") and isinstance(options[k], bool)]
        edit = RenameKey(target.path, table + ("options", misspelled[-1]), C.CANONICAL) if misspelled \
            else _set(target, table, True)
        fix = Fix((edit,), "set SystemdCgroup = true in the handler's options")
        hint = " (or in a file it imports)" if eff.config.data.get("imports") and not node.is_view else ""
        assumed = (" (its runtime_type is a template placeholder: this assumes the runc shim its name says,"
                   " as every runc shim value would)") if h.placeholder_type else ""
        runs = f"runs the WebAssembly shim {h.runtime_type}" if h.is_wasm else "runs runc"
        msg = (f"runtime handler '{name}' {runs} without SystemdCgroup = true in its options{where}: "
               f"{'the shim' if h.is_wasm else 'containerd'} defaults to the cgroupfs driver{hint}{because}{assumed}")
        yield finding(CODE, SEVERITY, target, table, msg, fix)


def _to_version_2(doc):
    """A version 1 file rewritten as version 2: ``version = 2``, short plugin IDs to full ones (as
    containerd 2.x's own v1 migration names them), in headers and in disabled_plugins.  None when a
    plugin is there under both IDs (NL005): which one to keep is the user's to say."""
    if L.named_twice(doc.data):
        return None
    plugins = doc.data.get("plugins") if isinstance(doc.data.get("plugins"), dict) else {}
    edits = [SetKey(doc.path, ("version",), 2)]
    for name in plugins:
        if "." not in name:
            full = L._migrate_v1_names({name: None})
            edits.append(RenameTable(doc.path, ("plugins", name), ("plugins", next(iter(full)))))
    disabled = doc.data.get("disabled_plugins")
    if isinstance(disabled, list) and any(isinstance(p, str) and "." not in p for p in disabled):
        edits.append(SetKey(doc.path, ("disabled_plugins",),
                            [next(iter(L._migrate_v1_names({p: None}))) if isinstance(p, str) else p for p in disabled]))
    return Fix(tuple(edits), "rewrite the file as config version 2 (full plugin IDs)")


def _read_as(doc, reading) -> int:
    """The config version containerd reads ``doc``'s CRI tables at: 1.x and 2.0-2.2 at the version
    the merged files end with (the reading's), 2.3 at the file's own (it migrates each file alone)."""
    if reading.line == "2.3":
        return L._declared(doc.data) or 1
    return reading.version


def _cri_table_for(version: int, line: str, datas: list | None = None) -> str:
    """The CRI plugin table containerd ``line`` reads runtime handlers from, at config ``version``.

    containerd 2.x migrates version 2's [plugins."io.containerd.grpc.v1.cri".containerd] key by
    key into the version 3 table, skipping keys [plugins."io.containerd.cri.v1.runtime".containerd]
    already has (plugins/cri/runtime/plugin.go, configMigration): where one of the files it
    migrates together (``datas``) holds ``runtimes`` there, a handler is read from that table alone."""
    if version == 1:
        return "cri"
    if line in ("1.6", "1.7"):
        return L.GRPC_CRI
    if version == 2:
        for data in datas or ():
            plugins = data.get("plugins") if isinstance(data, dict) else None
            runtime = plugins.get(L.CRI_RUNTIME) if isinstance(plugins, dict) else None
            ctd = runtime.get("containerd") if isinstance(runtime, dict) else None
            if isinstance(ctd, dict) and "runtimes" in ctd:
                return L.CRI_RUNTIME
        return L.GRPC_CRI
    return L.CRI_RUNTIME


def _options(doc, table: tuple) -> dict:
    data = doc.data
    for part in table + ("options",):
        data = data.get(part) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}
