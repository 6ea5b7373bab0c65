"""The check: every active rule over a run's nodes and documents, then the user's filters.

Rules run per scope (rules/__init__.py): "run" rules once (runtime versions), "node" rules on
each node whose documents they read (on an image root always), "document" rules on each parsed
document of their kinds.  The engine's own findings (NL000, NL001, NL002, NL005) come with the
documents.  Then the user's selection, per-file ignores, ``# nodelint: ignore[...]`` comments
and severity overrides apply, and each report is kept once.

After a fix, only what it changed is checked again (``INCREMENTAL``): a node rule's findings
depend on the node's documents and version facts, a document rule's on its document.
"""
from __future__ import annotations

import re

from .. import rules as R
from ..read import document as D
from ..values.edits import DeleteKey, RenameKey
from ..values.findings import Finding
from . import facts as F

INCREMENTAL = True  # after a fix, check again only the nodes and documents it changed (tests turn it off)
_SUPPRESS = re.compile(r"nodelint:\s*ignore(?:\[([A-Za-z0-9_, ]*)\])?")


class CheckCache:
    """One check's findings, by node and by document, with the rules that produced them."""

    def __init__(self, rules: list[str]):
        self.rules = rules
        self.nodes: dict = {}  # node -> (its version facts, findings)
        self.docs: dict[D.Document, list[Finding]] = {}


def check(run) -> list[Finding]:
    """Every finding of the run's active rules, filtered as the user asked."""
    rules = _active_rules(run)
    out: list[Finding] = list(run.skipped)
    for rule in rules:
        if rule.scope == "run" and run.shared_facts is None:
            out += list(rule.check(run, run.settings))
    codes = [r.code for r in rules]
    last = run.last_check if INCREMENTAL and run.last_check is not None and run.last_check.rules == codes else None
    now = CheckCache(codes)
    out += _node_findings(run, rules, last, now) + _document_findings(run, rules, last, now)
    run.last_check, run.changed = now, set()
    return keep(run.settings, run.docs, _at_outer_lines(run.docs, _refusals_kept(run.docs, out))
                + run.documents.not_read)


def _active_rules(run) -> list:
    """The rules this run needs; gathers version facts first when one of them reads them."""
    kinds = {d.kind for d in run.docs if d.kind}
    root = any(n.mode == "root" for n in run.nodes)
    if run.shared_facts is not None:  # a pins batch gathered them for every batch
        run.facts = []
        F.assign(run.nodes, run.shared_facts)
    else:
        needs_versions = root or "versions" in kinds or F.declared_anywhere(run.settings)
        run.facts = F.gather(run) if needs_versions else []
        if run.facts:
            kinds.add("versions")
    return R.active(kinds, run.settings.selects, everything=root)


def _platform_settings(settings, node):
    """The settings a node is judged with: a platform that has one cgroup driver (Talos runs no
    systemd) sets the target driver for its machines."""
    driver = node.platform.get("cgroup_driver") if node.platform else None
    if driver is None or driver == settings.cgroup_driver:
        return settings
    from ..values.record import replace

    return replace(settings, cgroup_driver=driver)


def _node_findings(run, rules, last, now) -> list[Finding]:
    out: list[Finding] = []
    node_rules = [rule for rule in rules if rule.scope == "node"]
    for node in run.nodes:
        versions = list(node.versions)
        kept = last.nodes.get(node) if last is not None else None
        if kept is not None and kept[0] == versions and not any(d in run.changed for d in node.docs):
            found = kept[1]
        else:
            found = []
            settings = _platform_settings(run.settings, node)
            present = node.kinds()
            for rule in node_rules:
                # an image root is always a whole node: its rules run even where no file of theirs exists
                if node.mode == "root" or not rule.kinds.isdisjoint(present):
                    found += rule.check(node, settings)
        now.nodes[node] = (versions, found)
        out += found
    return out


def _document_findings(run, rules, last, now) -> list[Finding]:
    out: list[Finding] = []
    for doc in list(run.docs):
        found = last.docs.get(doc) if last is not None and doc not in run.changed else None
        if found is None:
            found = engine_findings(doc)
            if doc.parsed is not None and not doc.templated and doc.kind and not doc.extra.get("generated"):
                # (a config a program prints, replayed from a script, is judged by node rules only:
                # what the user wrote is the script, not the defaults' every line)
                for rule in rules:
                    if rule.scope == "document" and doc.kind in rule.kinds:
                        found += rule.check(doc, run.settings)
        now.docs[doc] = found
        out += found
    return out


def _at_outer_lines(docs, findings: list[Finding]) -> list[Finding]:
    """Findings on files a carrier writes, reported at the carrier's lines (read/embedded)."""
    inner = {d.path: d for d in docs if "embedding" in d.extra}
    if not inner:
        return findings
    from ..read.embedded import to_outer

    return [to_outer(f, inner) if f.path in inner else f for f in findings]


def _refusals_kept(docs, findings: list[Finding]) -> list[Finding]:
    """In a file the runtime refuses, only fixes that take out what it refuses are offered."""
    refused = {d.path: d.extra["refused"] for d in docs if d.extra.get("refused")}
    if not refused:
        return findings
    return [f.without_fix() if f.path in refused and f.fix is not None and not _repairs(f.fix, refused[f.path])
            else f for f in findings]


def engine_findings(doc: D.Document) -> list[Finding]:
    if not doc.kind:
        if doc.explicit:
            return [Finding("NL000", "info", doc.path, 1, 1, "not a node configuration nodelint knows; "
                            "skipped (use --kind to name its kind)")]
        return []
    if doc.error is not None:
        what = {"toml": "TOML", "json": "JSON", "yaml": "YAML", "envfile": "environment file",
                "unit": "systemd unit", "sysctl": "sysctl file"}.get(doc.syntax, doc.syntax)
        return [Finding("NL001", "error", doc.path, doc.error.line, doc.error.column,
                        f"cannot parse {what}: {doc.error.message}")]
    if doc.templated:
        return [Finding("NL002", "info", doc.path, 1, 1, f"template: not checked ({doc.kind} config "
                        "with template syntax; check the rendered file)")]
    problems = getattr(doc.parsed, "problems", ())
    out = [Finding("NL001", "warning", doc.path, line, column, message)
           for line, column, message in problems] if problems else []
    if doc.extra.get("masked"):
        out.append(Finding("NL002", "info", doc.path, 1, 1, f"template: checked with its placeholders left alone "
                           f"({doc.kind} config with template syntax; what depends on them is not judged)"))
    for line, column, message in doc.extra.get("unread", ()):  # what a carrier names but does not hold
        out.append(Finding("NL002", "info", doc.path, line, column, message))
    if doc.kind == "docker":
        from ..models.docker import refusals

        refused: set = set()
        for severity, message, keys in refusals(doc):
            pos = doc.position(keys[:1]) if keys else None
            out.append(Finding("NL001", severity, doc.path, pos.line if pos else 1, pos.column if pos else 1,
                               message))
            if severity == "error":
                refused.update(keys)  # every dockerd refuses it: only a fix taking these keys out is offered
        doc.extra["refused"] = refused
    if doc.kind == "containerd" and isinstance(doc.data, dict):
        from ..models.containerd_load import named_twice

        for short, full in named_twice(doc.data):
            pos = doc.parsed.first_table_position(("plugins", full)) or doc.position(("plugins", full))
            out.append(Finding("NL005", "warning", doc.path, pos.line if pos else 1, pos.column if pos else 1,
                               f"[plugins.{short}] and [plugins.\"{full}\"] are one plugin in a config of version 1: "
                               f"containerd 1.x reads only [plugins.{short}], and 2.x keeps one of the two, not "
                               "always the same one (it renames short IDs while ranging over a Go map); keep one"))
    for key, offset in getattr(doc.parsed, "duplicates", ()) if not doc.extra.get("placeholders") else ():
        pos = doc.parsed.lines.position(offset)
        name = key[-1]
        out.append(Finding("NL005", "warning", doc.path, pos.line, pos.column,
                           f"duplicate key {name!r}: this occurrence wins over the earlier one, which is "
                           "ignored; keep one"))
    return out


def keep(settings, docs, findings: list[Finding]) -> list[Finding]:
    """The findings the user asked for (selection, per-file ignores, suppression comments),
    with severity overrides, each report once, in report order.  A finding that names a masked
    placeholder depends on what a template renders (read/placeholders.py): it is not kept."""
    s = settings
    if any(d.extra.get("placeholders") for d in docs):
        from ..read.kinds import PLACEHOLDER

        findings = [f for f in findings if PLACEHOLDER not in f.message]
    by_path = {d.path: d for d in docs}
    lines: dict[str, list[str] | None] = {}  # path -> its lines, split once (not once per finding)
    kept = []
    seen = set()
    for f in findings:
        if not s.selects(f.rule) or s.ignored_for_file(f.rule, f.path):
            continue
        doc = by_path.get(f.path)
        if doc is not None:
            if f.path not in lines:
                lines[f.path] = _comment_lines(doc)
            if lines[f.path] is not None and _suppressed(lines[f.path], f, doc.syntax in _WHOLE_LINE_COMMENTS):
                continue
        if f.rule in s.severity:
            f = Finding(f.rule, s.severity[f.rule], f.path, f.line, f.column, f.message, f.fix, f.related)
        key = f.key
        if key in seen:
            continue
        seen.add(key)
        kept.append(f)
    kept.sort(key=lambda f: f.order)
    return kept


def _comment_lines(doc: D.Document) -> list[str] | None:
    """The lines of a document that may hold suppression comments; None when none can."""
    if not doc.text or "nodelint" not in doc.text or doc.syntax == "json":
        return None
    return doc.text.splitlines()


def _repairs(fix, keys: set) -> bool:
    """Whether a fix deletes or renames one of the top-level ``keys`` a runtime refuses."""
    return any(isinstance(e, (DeleteKey, RenameKey)) and e.key and e.key[0] in keys for e in fix.edits)


# Formats whose comments are whole lines (sysctl.d, environment files, systemd units): a trailing
# "# nodelint: ignore" is part of the value there (and its own NL001 warning), so only the line
# above a finding suppresses it.
_WHOLE_LINE_COMMENTS = ("sysctl", "envfile", "unit")


def _suppressed(lines: list[str], f: Finding, line_above_only: bool = False) -> bool:
    for ln in (f.line - 1,) if line_above_only else (f.line, f.line - 1):
        if 1 <= ln <= len(lines):
            line = lines[ln - 1]
            if "#" not in line and ";" not in line:
                continue
            m = _SUPPRESS.search(line)
            if m and (m.group(1) is None or any(f.rule.startswith(c.strip()) for c in m.group(1).split(",")
                                                if c.strip())):
                return True
    return False
