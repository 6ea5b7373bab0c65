"""NL403: containerd refuses to start with the config, or its CRI plugin cannot load it.

## What it does
Loads the config (with the files it imports) the way each containerd line does
(``nodelint show`` prints the result), and reports what stops containerd or its CRI plugin:

- ``disabled_plugins`` or ``[plugins.<id>]`` with a short plugin name (``"cri"``) in a file of
  version 2 or later: containerd stops with ``invalid disabled plugin URI "cri" expect
  io.containerd.x.vx`` (short names are valid in version 1 files only);
- an ``imports`` entry that names a file that does not exist (a glob that matches nothing is
  fine): containerd stops with ``failed to load TOML ... no such file or directory``;
- containerd 2.3+: a drop-in declaring a higher ``version`` than the main file;
- the default runtime (``default_runtime_name``, ``runc`` when unset) is not among the runtime
  handlers containerd ends up with: the CRI plugin does not load (``no corresponding runtime
  configured in containerd.runtimes``), so kubelet finds no runtime.  On containerd 1.x this
  happens when a drop-in defines the CRI plugin table: containerd 1.x replaces the whole table
  of a plugin with the one of the file imported last, dropping the main file's ``runc``.

A config version the known containerd cannot read is NL401's finding.  When the node's
containerd version is not known, each line that stops is named.

## Why it matters
The node's runtime does not start, or starts without CRI: every pod fails to schedule.  These
configs look fine and ``containerd config dump`` of 2.x even prints some of them.

## Example
```toml
version = 2
disabled_plugins = ["cri"]   # short names are version 1's
```

## Fix
No automatic fix: use full plugin IDs (``io.containerd.grpc.v1.cri``), fix or drop the import,
or (1.x) define every handler the default needs in the file imported last.

## References
- containerd 1.x loader (``mergeConfig`` replaces plugin tables; ``ValidateV2``): https://github.com/containerd/containerd/blob/release/1.7/services/server/config/config.go
- containerd 2.x loader (``ValidateVersion``): https://github.com/containerd/containerd/blob/release/2.1/cmd/containerd/server/config/config.go
- CRI default runtime check: https://github.com/containerd/containerd/blob/release/1.7/pkg/cri/config/config.go
- Checked against ``containerd config dump`` of Debian's 1.6.20, 1.7.24 and 2.1.9 (tests/conformance).
"""
from __future__ import annotations

from ..models import containerd_load as L

from . import finding

CODE = "NL403"
NAME = "containerd-config-refused"
SEVERITY = "error"
FIXABLE = False
SUMMARY = "containerd refuses the config, or its CRI plugin cannot load it"
KINDS = ("containerd",)
SCOPE = "node"

_VERSION_ERRORS = ("unsupported config version", "expected containerd config version")  # NL401's

def check(node, settings):
    from ..models import containerd as C

    imported = node.imported_docs()
    for doc in node.of_kind("containerd"):
        if doc.parsed is None or id(doc) in imported or not isinstance(doc.data, dict) or doc.role == "fragment":
            continue
        known = L.version_for(doc, node)
        if known is False:
            continue
        chain = C.imports_of(doc, node)
        problems: dict[str, list[str]] = {}
        considered = L.considered_lines(doc.data, known)
        for line in considered:
            r = L.reading(doc, chain, line, node, known)
            if r.error is not None:
                if not any(e in r.error for e in _VERSION_ERRORS):
                    problems.setdefault(f"containerd refuses to start: {r.error.split(': ', 1)[-1]}", []).append(line)
            elif not r.cri_disabled and r.default_runtime not in r.handlers:
                why = " (a drop-in's CRI table replaced the main file's)" if line in ("1.6", "1.7") and chain else ""
                problems.setdefault(f"the CRI plugin does not load: default runtime '{r.default_runtime}' is not "
                                    f"among the runtime handlers {sorted(r.handlers)}{why}", []).append(line)
        for message, lines in problems.items():
            where = "" if lines == considered else f" (containerd {', '.join(lines)})"
            key = ("disabled_plugins",) if "disabled plugin" in message and "disabled_plugins" in doc.data else \
                ("imports",) if "no such file" in message and "imports" in doc.data else ()
            yield finding(CODE, SEVERITY, doc, key, message + where)

