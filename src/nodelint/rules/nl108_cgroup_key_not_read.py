"""NL108: a cgroup-driver setting that the runtime does not read where it stands.

## What it does
Reports cgroup-driver keys that look right but are ignored, rejected or read only by
some versions:

- **containerd** runc handlers: misspelled keys in ``options`` (``SystemdCgroups``,
  ``systemd_cgroup``, ``systemd-cgroup``, ``CgroupDriver``...), dropped without a log
  line (error); ``SystemdCgroup`` on the handler table, the ``containerd`` table or the
  CRI plugin table instead of the handler's ``options`` (error: ignored); a string
  (``SystemdCgroup = "true"``) where a boolean belongs (error: container creation
  fails on the type mismatch); case variants (warning where containerd 1.x ignores
  them, such as ``Systemdcgroup``; info where every version reads them, such as
  ``systemdCgroup``).
- **Docker** ``daemon.json``: top-level ``cgroupdriver``, ``cgroup-driver`` or
  ``exec-opt`` keys (dockerd refuses to start on unknown keys) and misspelled
  ``exec-opts`` entries such as ``native.cgroup-driver=systemd`` (dockerd 28+ refuses
  them, older releases ignore them) are errors.
- **kubelet** KubeletConfiguration: ``cgroupdriver``, ``CgroupDriver``,
  ``cgroup-driver``... are unknown fields; kubelet decodes leniently, ignores them and
  keeps its default, cgroupfs (error).
- **runsc.toml**: ``systemd_cgroup`` or ``SystemdCgroup`` in ``[runsc_config]`` becomes an
  unknown runsc flag and every container creation fails; ``systemd-cgroup`` outside
  ``[runsc_config]`` is ignored (errors).
- **CRI-O / containers.conf**: ``cgroup-manager`` or ``cgroupManager`` (ignored), and
  ``cgroup_manager`` outside ``[crio.runtime]`` / ``[engine]`` (ignored; ``[containers]``
  held it in old containers.conf releases) are errors.

## Why it matters
These settings look like the systemd driver is on.  It is not, and nothing says so:
containerd drops unknown runc options silently and kubelet only logs a line (lenient decoding).

## Example
Bad:
```toml
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
  SystemdCgroup = true
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
Safe.  Renames the key to its canonical spelling, moves it to the table it belongs
in, or writes the value with the right type (``"true"`` becomes ``true``).  Where the
canonical key is already set, the stray one is deleted.

## References
- containerd 1.x options decoding (``TreeFromMap(...).Unmarshal``): https://github.com/containerd/containerd/blob/v1.7.24/pkg/cri/server/helpers.go
- go-toml v1 key variants (``keysToTry``): https://github.com/containerd/containerd/blob/v1.7.24/vendor/github.com/pelletier/go-toml/marshal.go
- containerd 2.x options decoding and go-toml v2 case-insensitive matching: https://github.com/containerd/containerd/blob/v2.0.0/internal/cri/config/config.go, https://github.com/containerd/containerd/blob/v2.0.0/vendor/github.com/pelletier/go-toml/v2/README.md
- dockerd unknown keys and exec-opts: https://github.com/moby/moby/blob/v28.0.0/daemon/config/config.go, https://github.com/moby/moby/blob/v28.0.0/daemon/config/config_linux.go
- kubelet falls back to lenient decoding when strict decoding fails: https://github.com/kubernetes/kubernetes/blob/53f1b9d6f8de259644c05a25aa7ac8c6a67258e2/pkg/kubelet/kubeletconfig/util/codec/codec.go
- runsc.toml ``[runsc_config]`` entries become ``--key=value`` flags: https://github.com/google/gvisor/blob/release-20260817.0/pkg/shim/v1/runsccmd/runsc.go
- CRI-O decodes drop-ins with BurntSushi toml, no undecoded-key check: https://github.com/cri-o/cri-o/blob/v1.36.3/pkg/config/config.go
"""
from __future__ import annotations

import re

from ..models import containerd as C
from ..values.edits import AppendToList, DeleteKey, RenameKey, SetKey
from ..values.findings import Fix
from . import finding

CODE = "NL108"
NAME = "cgroup-key-not-read"
SEVERITY = "error"
FIXABLE = True
SUMMARY = "cgroup-driver key misspelled, misplaced or mistyped: the runtime does not read it"
KINDS = ("containerd", "docker", "kubelet", "kubeadm", "runsc", "crio", "containers")
SCOPE = "document"


_NOT_A_LETTER = re.compile(r"[^a-z]")


def norm(key: str) -> str:
    """A key's letters, lower-cased: ``SystemdCgroup``, ``systemd_cgroup`` and ``systemd-cgroup``
    all read ``systemdcgroup``."""
    return _NOT_A_LETTER.sub("", key.lower())


def _looks_like_systemd_cgroup(key: str) -> bool:
    return norm(key) in ("systemdcgroup", "systemdcgroups")


def _looks_like_driver(key: str) -> bool:
    return norm(key) in ("cgroupdriver", "cgroupdrivers", "nativecgroupdriver")


def _bool_of(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


# ------------------------------------------------------------------ containerd


def _containerd(doc, settings):
    data = doc.data
    config = C.read(data)
    disabled = data.get("disabled_plugins") if isinstance(data.get("disabled_plugins"), list) else []
    if any(p in ("io.containerd.grpc.v1.cri", "io.containerd.cri.v1.runtime") for p in disabled) \
            or (config.version == 1 and "cri" in disabled):
        return  # CRI is off: containerd reads none of these keys, so none of them is misplaced
    for view in config.views:
        for h in view.handlers.values():
            if h.is_runsc:
                continue
            opts = h.options
            canonical_present = C.CANONICAL in opts
            for key, value in opts.items():
                path = h.options_path + (key,)
                if key == C.CANONICAL:
                    if not isinstance(value, bool) and h.is_runc:
                        b = _bool_of(value)
                        fix = Fix((SetKey(doc.path, path, b),), f"write {str(b).lower()} as a boolean") \
                            if b is not None else None
                        yield finding(CODE, "error", doc, path,
                                      f"SystemdCgroup = {value!r} is a {type(value).__name__}, not a boolean: "
                                      "creating containers with this handler fails", fix, at_value=True)
                    continue
                if key.lower() == C.CANONICAL.lower():
                    fix = Fix((DeleteKey(doc.path, path),) if canonical_present else
                              (RenameKey(doc.path, path, C.CANONICAL),), f"spell it {C.CANONICAL}")
                    if key in C.ACCEPTED_BY_ALL or 1 not in view.readers:
                        yield finding(CODE, "info", doc, path,
                                      f"'{key}' works but is not the canonical spelling '{C.CANONICAL}'", fix)
                    else:
                        yield finding(CODE, "warning", doc, path,
                                      f"'{key}' is read by containerd 2.x only (1.x matches just SystemdCgroup, "
                                      f"systemdcgroup, SYSTEMDCGROUP and systemdCgroup): write {C.CANONICAL}", fix)
                    continue
                if _looks_like_systemd_cgroup(key) or _looks_like_driver(key):
                    b = _bool_of(value) if _looks_like_systemd_cgroup(key) else (
                        value == "systemd" if isinstance(value, str) else None)
                    if canonical_present or b is None:
                        edits = (DeleteKey(doc.path, path),) if canonical_present else None
                    else:
                        edits = (DeleteKey(doc.path, path), SetKey(doc.path, h.options_path + (C.CANONICAL,), b))
                    if isinstance(value, bool) and not canonical_present and _looks_like_systemd_cgroup(key):
                        edits = (RenameKey(doc.path, path, C.CANONICAL),)
                    fix = Fix(edits, f"replace with {C.CANONICAL}") if edits else None
                    yield finding(CODE, "error", doc, path,
                                  f"'{key}' is ignored by containerd (runc options are matched by field name, "
                                  f"silently): did you mean {C.CANONICAL} in {'.'.join(h.options_path[-3:])}?", fix)
            # SystemdCgroup on the handler table instead of its options
            for key, value in h.data.items():
                if key == "options" or not isinstance(key, str):
                    continue
                if _looks_like_systemd_cgroup(key) or key.lower() == C.CANONICAL.lower():
                    path = h.table + (key,)
                    b = _bool_of(value)
                    edits = [DeleteKey(doc.path, path)]
                    if b is not None and not canonical_present:
                        edits.append(SetKey(doc.path, h.options_path + (C.CANONICAL,), b))
                    yield finding(CODE, "error", doc, path,
                                  f"'{key}' on the handler table is ignored by containerd: it belongs in "
                                  f"[{'.'.join(h.options_path[-4:])}]", Fix(tuple(edits), "move it into options"))
        # SystemdCgroup on the CRI plugin or containerd table
        for table_path in (view.plugin, view.containerd_table):
            table = C._get(data, table_path)
            if not isinstance(table, dict):
                continue
            for key in table:
                if isinstance(key, str) and key.lower() in ("systemdcgroup", "systemdcgroups"):
                    default = C.default_handler(view)
                    path = table_path + (key,)
                    edits = [DeleteKey(doc.path, path)]
                    b = _bool_of(table[key])
                    if default is not None and default.is_runc and b is not None and C.CANONICAL not in default.options:
                        edits.append(SetKey(doc.path, default.options_path + (C.CANONICAL,), b))
                    yield finding(CODE, "error", doc, path,
                                  f"'{key}' in [{'.'.join(table_path)}] is ignored by containerd: it belongs in a "
                                  "runc handler's options table",
                                  Fix(tuple(edits), "move it into the default handler's options") if len(edits) > 1
                                  else None)


# ---------------------------------------------------------------------- docker


def _docker(doc, settings):
    data = doc.data
    if not isinstance(data, dict):
        return
    has_exec_opts = isinstance(data.get("exec-opts"), list)
    for key, value in data.items():
        if key in ("exec-opts",):
            continue
        if norm(key) == "execopt" and isinstance(value, list):
            fix = Fix((RenameKey(doc.path, (key,), "exec-opts"),), "rename to exec-opts") if not has_exec_opts else None
            accepted = key == "exec-opt"  # dockerd takes flag names as keys too, and then reads nothing from it
            yield finding(CODE, "error", doc, (key,), f"'{key}' is not read: dockerd takes its options from "
                          "'exec-opts' (plural), so the cgroup driver stays cgroupfs"
                          + ("" if accepted else " (and dockerd refuses an unknown key)"), fix)
        elif _looks_like_driver(key) and isinstance(value, str):
            entry = f"native.cgroupdriver={value.strip()}"
            edits = [DeleteKey(doc.path, (key,))]
            if has_exec_opts:
                edits.append(AppendToList(doc.path, ("exec-opts",), entry))
            elif "exec-opts" not in data:
                edits.append(SetKey(doc.path, ("exec-opts",), [entry]))
            yield finding(CODE, "error", doc, (key,), f"'{key}' is not a daemon.json option: dockerd refuses to "
                          f"start; the driver goes in exec-opts as \"{entry}\"",
                          Fix(tuple(edits), "move it into exec-opts") if len(edits) > 1 else None)
    opts = data.get("exec-opts")
    if isinstance(opts, list):
        for i, entry in enumerate(opts):
            if not isinstance(entry, str) or "=" not in entry:
                continue
            k, v = entry.split("=", 1)
            if k.strip().lower() != "native.cgroupdriver" and _looks_like_driver(k):
                good = f"native.cgroupdriver={v.strip()}"
                yield finding(CODE, "error", doc, ("exec-opts", i),
                              f"exec-opt '{k.strip()}' is not an option: dockerd 28+ refuses to start, older "
                              f"releases ignore it; write \"{good}\"",
                              Fix((SetKey(doc.path, ("exec-opts", i), good),), f'write "{good}"'), at_value=True)


# --------------------------------------------------------------------- kubelet


def _kubelet(doc, settings):
    from ..models.kubelet import config_documents

    for prefix, mapping in config_documents(doc):
        if doc.kind == "kubeadm" and mapping.get("kind") != "KubeletConfiguration":
            continue
        for key in list(mapping):
            if isinstance(key, str) and key != "cgroupDriver" and _looks_like_driver(key):
                path = prefix + (key,)
                fix = Fix((DeleteKey(doc.path, path),) if "cgroupDriver" in mapping else
                          (RenameKey(doc.path, path, "cgroupDriver"),), "spell it cgroupDriver")
                yield finding(CODE, "error", doc, path, f"'{key}' is not a KubeletConfiguration field: kubelet "
                              "ignores unknown fields and keeps its default driver, cgroupfs; write cgroupDriver", fix)


# ----------------------------------------------------------------------- runsc


def _runsc(doc, settings):
    data = doc.data if isinstance(doc.data, dict) else {}
    table = data.get("runsc_config") if isinstance(data.get("runsc_config"), dict) else None
    canonical_present = table is not None and "systemd-cgroup" in table
    for key in list(table or {}):
        if key != "systemd-cgroup" and _looks_like_systemd_cgroup(key):
            path = ("runsc_config", key)
            fix = Fix((DeleteKey(doc.path, path),) if canonical_present else
                      (RenameKey(doc.path, path, "systemd-cgroup"),), "spell it systemd-cgroup")
            yield finding(CODE, "error", doc, path, f"'{key}' becomes the runsc flag --{key}, which runsc does not "
                          "know: every container creation fails; the flag is systemd-cgroup", fix)
    for key, value in data.items():
        if key != "runsc_config" and _looks_like_systemd_cgroup(key):
            edits = [DeleteKey(doc.path, (key,))]
            b = _bool_of(value)
            if not canonical_present and b is not None:
                edits.append(SetKey(doc.path, ("runsc_config", "systemd-cgroup"), "true" if b else "false"))
            yield finding(CODE, "error", doc, (key,), f"'{key}' at the top level is ignored by the runsc shim: "
                          'runsc flags go in [runsc_config] (systemd-cgroup = "true")',
                          Fix(tuple(edits), "move it into [runsc_config]"))


# -------------------------------------------------------------- CRI-O, Podman


def _cgroup_manager_keys(table: dict, path: tuple):
    """(table path, key, value) of every key spelled like cgroup_manager, at any depth."""
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _cgroup_manager_keys(value, path + (key,))
        elif norm(key) == "cgroupmanager":
            yield path, key, value


def _cgroup_manager(doc, settings):
    data = doc.data if isinstance(doc.data, dict) else {}
    home = ("crio", "runtime") if doc.kind == "crio" else ("engine",)

    home_table = C._get(data, home)
    home_has = isinstance(home_table, dict) and "cgroup_manager" in home_table
    for path, key, value in _cgroup_manager_keys(data, ()):
        full = path + (key,)
        if path == home and key.lower() == "cgroup_manager":
            continue  # the decoder matches this table's keys case-insensitively
        if path == home:
            fix = Fix((DeleteKey(doc.path, full),) if home_has else (RenameKey(doc.path, full, "cgroup_manager"),),
                      "spell it cgroup_manager")
            yield finding(CODE, "error", doc, full, f"'{key}' is ignored: the key is cgroup_manager", fix)
            continue
        if path and path[0] == "crio" and path[-1:] == ("runtimes",):
            continue
        edits = [DeleteKey(doc.path, full)]
        if not home_has and isinstance(value, str):
            edits.append(SetKey(doc.path, home + ("cgroup_manager",), value))
        where = "[" + ".".join(home) + "]"
        legacy = " (older containers.conf releases read it there)" if path == ("containers",) else ""
        yield finding(CODE, "warning" if legacy else "error", doc, full,
                      f"'{key}' in [{'.'.join(path) or 'top level'}] is ignored{legacy}: it belongs in {where}",
                      Fix(tuple(edits), f"move it into {where}"))


def check(doc, settings):
    if doc.kind == "containerd" and isinstance(doc.data, dict):
        yield from _containerd(doc, settings)
    elif doc.kind == "docker":
        yield from _docker(doc, settings)
    elif doc.kind in ("kubelet", "kubeadm"):
        yield from _kubelet(doc, settings)
    elif doc.kind == "runsc":
        yield from _runsc(doc, settings)
    elif doc.kind in ("crio", "containers"):
        yield from _cgroup_manager(doc, settings)
