"""The engine: load documents, group them into nodes, run rules, filter, fix.

Fixes run to a fixed point: apply every fix whose edits do not overlap, parse the
new text, check again, repeat until nothing changes.  Nothing is written here: the
changes go back to the caller, so ``--diff`` sees exactly what ``--fix`` would write.

Big trees are checked in batches of whole nodes (``plan`` / ``execute``): a batch's
documents are dropped once its findings and changes are out, so memory stays flat
however many nodes a tree holds, and batches run in parallel worker processes
(``--jobs``).  Version pins are read first, in a batch of their own, because every
node's rules may need them.
"""
from __future__ import annotations

import os
import re
from .record import record, fresh

from . import document as D
from .config import Settings
from .discover import Target, display, discover
from .model import CreateFile, Finding, severity_rank
from .node import Node, RootFS, UnionFS
from . import rules as R

MAX_FIX_ROUNDS = 10
INCREMENTAL = True  # after a fix, check again only the nodes and documents it changed (tests turn it off)
_SUPPRESS = re.compile(r"nodelint:\s*ignore(?:\[([A-Za-z0-9_, ]*)\])?")


BATCH_FILES = 100  # files per batch (whole nodes: a node is checked and fixed as one)
PARALLEL_FILES = 400  # fewer files than this are checked in one process: workers would cost more


@record
class Change:
    """A file ``--fix`` would write."""

    path: str  # as reported
    fs_path: str  # where it is written
    new: bytes
    old: bytes | None  # the bytes read; None for a file the fix creates
    anchor: str | None = None  # the trusted directory it is written below: no link under it is followed


@record
class Outcome:
    """What one batch of files yields; its documents are gone by the time the caller sees it."""

    findings: list[Finding]
    checked: list[str]  # the config files read, as reported
    fixed: int = 0
    changes: list[Change] = fresh(list)
    errors: list[str] = fresh(list)
    replacements: dict = fresh(dict)  # finding key -> SARIF replacements, when asked for
    write_error: str | None = None  # why writing the batch's changes failed (nothing of it was written)


@record
class Result:
    """A whole run, gathered from every batch's outcome (``add``)."""

    findings: list[Finding] = fresh(list)
    fixed: int = 0
    changed: int = 0  # files --fix changes (or, with --diff, would change)
    errors: list[str] = fresh(list)
    checked: list[str] = fresh(list)
    replacements: dict = fresh(dict)
    seen: set = fresh(set)  # keys of the findings kept: a file read by two batches is reported once

    @property
    def files(self) -> int:
        return len(self.checked)

    def add(self, outcome: Outcome, wanted=None) -> list[Finding]:
        """Take in one batch's outcome; returns its findings not reported before (and ``wanted``)."""
        new = [f for f in outcome.findings if f.key not in self.seen and (wanted is None or wanted(f))]
        self.seen.update(f.key for f in new)
        self.findings += new
        self.fixed += outcome.fixed
        self.changed += len(outcome.changes)
        self.errors += outcome.errors
        self.checked += outcome.checked
        self.replacements.update(outcome.replacements)
        return new


class NotRead(D.LoadError):
    """A file that is not read: over the size limit (NL004) or moved under nodelint (NL003)."""

    def __init__(self, rule: str, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.finding = Finding(rule, "warning", path, 1, 1, f"not read: {reason}")


def load(target: Target, limit: int) -> D.Document:
    """Read (at most ``limit`` bytes) and parse one file."""
    from . import files

    # reads and writes go to the file itself, never through a link (under --root the path is
    # already resolved inside the root; elsewhere the link was checked to stay inside the tree)
    real = target.real or os.path.realpath(target.fs_path)
    fs_path = target.fs_path if target.group == "root" else real
    try:
        raw = files.read_bounded(fs_path, limit, target.anchor)
    except files.TooLarge as e:
        raise NotRead("NL004", target.path, e.strerror) from None
    except files.Moved as e:
        raise NotRead("NL003", target.path, f"{e.strerror}; it was not followed") from None
    except OSError as e:
        raise D.LoadError(f"{target.path}: {e.strerror}") from None
    text, bom, error = D.decode(raw)
    doc = D.Document(target.path, fs_path, target.kind or "", text, raw, bom, target.role,
                     target.node_path, error=error, explicit=target.explicit, anchor=target.anchor)
    doc.extra["real"] = real
    return D.parse(doc)


class Documents:
    """The documents a run has read, by real path, and the files it could not read.

    It is also every node's loader (``node.loader(node, node_path, kind)``) for files other
    configs refer to.  It refers to no node and no run, so a batch's nodes, documents and parse
    trees hold no reference cycle: they are freed the moment the batch is dropped, without
    waiting for the cyclic garbage collector (which would otherwise have to walk them all).
    """

    def __init__(self, limit: int):
        self.limit = limit  # max-file-size: no file is read past it, however it is reached
        self.docs: list[D.Document] = []
        self.errors: list[str] = []
        self.not_read: list[Finding] = []  # NL003/NL004 of files reached by reference
        self.by_real: dict[str, D.Document] = {}
        self.refused: set[str] = set()  # real paths not read (too large, moved): asked for again, not read again

    def add(self, doc: D.Document) -> D.Document:
        self.docs.append(doc)
        self.by_real[doc.extra.get("real") or os.path.realpath(doc.fs_path)] = doc
        return doc

    def __call__(self, node: Node, node_path: str, kind: str) -> D.Document | None:
        """The file at ``node_path`` in the node's filesystem, read as ``kind`` and added to the node."""
        from .kinds import by_path

        try:
            shown, real = node.fs.locate(node_path)
        except OSError:
            return None
        if not os.path.isfile(real):
            return None
        real_path = os.path.realpath(real)
        existing = self.by_real.get(real_path)
        if existing is not None or real_path in self.refused:
            return existing
        match = by_path(node_path)
        role = match.role if match is not None and match.kind == kind else "main"
        target = Target(display(shown), real, kind, role, node_path, node.key, anchor=node.fs.anchor_of(node_path))
        try:
            doc = self.add(load(target, self.limit))
        except NotRead as e:
            self.refused.add(real_path)
            self.not_read.append(e.finding)
            return None
        except D.LoadError as e:
            self.errors.append(str(e))
            return None
        node.docs.append(doc)
        return doc


class _CheckCache:
    """One check's findings, by node and by document, with the rules that produced them."""

    def __init__(self, rules: list[str]):
        self.rules = rules
        self.nodes: dict[Node, tuple[list, list[Finding]]] = {}  # node -> (its version facts, findings)
        self.docs: dict[D.Document, list[Finding]] = {}


class Run:
    def __init__(self, settings: Settings, root: str | None = None, facts: list | None = None):
        self.settings = settings
        self.root = root
        # Version facts a pins batch already gathered (their run rules have run there); None: gather here.
        self.shared_facts = facts
        self.documents = Documents(settings.max_file_size)
        self.nodes: list[Node] = []
        self._static_facts: list | None = None
        self.facts: list = []
        self.settled: list[Finding] | None = None  # set by fix() when a check found nothing to fix
        self.skipped: list[Finding] = []  # NL003/NL004: files that were not read
        self._last_check: _CheckCache | None = None
        self._changed: set[D.Document] = set()  # documents a fix changed or created since the last check

    @property
    def docs(self) -> list[D.Document]:
        return self.documents.docs

    @property
    def errors(self) -> list[str]:
        return self.documents.errors

    def prepare(self, targets: list[Target]) -> None:
        groups: dict[str, Node] = {}
        placed: set[tuple[str, str]] = set()  # (node, prefix) already in the node's filesystem
        for t in targets:
            if t.skip is not None:
                self.skipped.append(Finding(t.skip[0], "warning", t.path, 1, 1, t.skip[1]))
                if t.fs_path:  # nor is it read when another file refers to it
                    self.documents.refused.add(t.real or os.path.realpath(t.fs_path))
                continue
            try:
                doc = self.documents.add(load(t, self.settings.max_file_size)) if t.kind else None
            except NotRead as e:
                self.skipped.append(e.finding)
                self.documents.refused.add(t.real or os.path.realpath(t.fs_path))
                continue
            except D.LoadError as e:
                self.errors.append(str(e))
                continue
            if doc is None:
                self.docs.append(D.Document(t.path, t.fs_path, "", "", explicit=t.explicit, role="unknown"))
                continue
            if t.group is None:
                self.nodes.append(Node(t.path, "single", [doc]))
                continue
            node = groups.get(t.group)
            if node is None:
                node = groups[t.group] = Node(t.group, "root" if t.group == "root" else "tree",
                                              tree=t.group.split("::")[0])
                self.nodes.append(node)
            prefix = self.root if node.mode == "root" else self._tree_prefix(t)
            if prefix is not None and (node.key, prefix) not in placed:
                placed.add((node.key, prefix))
                if node.fs is None:
                    node.fs = RootFS(prefix)
                    node.loader = self.documents
                elif os.path.abspath(prefix) != node.fs.root or isinstance(node.fs, UnionFS):
                    if not isinstance(node.fs, UnionFS):
                        node.fs = UnionFS([node.fs])
                    node.fs.add(RootFS(prefix))
            node.docs.append(doc)

    @staticmethod
    def _tree_prefix(t: Target) -> str | None:
        """The directory that plays the node's root for a file at a node location."""
        if t.node_path is None:
            return None
        fs = t.fs_path.replace(os.sep, "/")
        if not fs.endswith(t.node_path):
            return None
        return fs[: -len(t.node_path)] or "."

    # ------------------------------------------------------------- versions
    def version_facts(self) -> list:
        """Runtime versions known for this run: declared, pinned in repos, found under --root."""
        from . import version_sources as V
        from .versions import declared

        if self._static_facts is None:
            where = self.settings.config_path or "--runtime-version"
            static = V.declared_facts(declared(self.settings, self.settings.runtime_versions), where)
            root = next((n for n in self.nodes if n.mode == "root" and n.fs is not None), None)
            if root is not None:
                shown = lambda p: display(root.fs.locate(p)[0])  # noqa: E731
                static += V.dpkg(root.fs, shown("var/lib/dpkg/status")) + V.rpmdb(root.fs, shown)
                static += V.binaries(root.fs, shown)
                if self.settings.live and os.path.abspath(self.root or "") == "/":
                    static += V.live(root.fs, shown)
            self._static_facts = static
        facts = list(self._static_facts)
        for node in self.nodes:
            for doc in node.of_kind("versions"):
                if doc.parsed is not None and not doc.templated:
                    for fact in V.pins(doc):
                        fact.scope = node.tree
                        facts.append(fact)
        for node in self.nodes:
            node.versions = _nearest(node, [f for f in facts if f.scope is None or f.scope == node.tree])
        return facts

    # -------------------------------------------------------------- checks
    def check(self) -> list[Finding]:
        settings = self.settings
        kinds = {d.kind for d in self.docs if d.kind}
        root = any(n.mode == "root" for n in self.nodes)
        out: list[Finding] = list(self.skipped)
        if self.shared_facts is not None:
            self.facts = []
            for node in self.nodes:
                node.versions = _nearest(node, [f for f in self.shared_facts if f.scope in (None, node.tree)])
        else:
            needs_versions = root or "versions" in kinds or self._declares_versions()
            self.facts = self.version_facts() if needs_versions else []
            if self.facts:
                kinds.add("versions")
        rules = R.active(kinds, settings.selects, everything=root)
        for rule in rules:
            if rule.scope == "run" and self.shared_facts is None:
                out += list(rule.check(self, settings))
        # After a fix, what it left unchanged is not checked again: a node rule's findings depend on
        # the node's documents and version facts, a document rule's on its document (rules/__init__.py).
        codes = [r.code for r in rules]
        last = self._last_check if INCREMENTAL and self._last_check is not None \
            and self._last_check.rules == codes else None
        now = _CheckCache(codes)
        for node in self.nodes:
            versions = list(node.versions)
            kept = last.nodes.get(node) if last is not None else None
            if kept is not None and kept[0] == versions and not any(d in self._changed for d in node.docs):
                found = kept[1]
            else:
                found = []
                for rule in rules:
                    # an image root is always a whole node: its rules run even where no file of theirs exists
                    if rule.scope == "node" and (node.mode == "root" or node.of_kind(*rule.kinds)):
                        found += rule.check(node, settings)
            now.nodes[node] = (versions, found)
            out += found
        for doc in list(self.docs):
            found = last.docs.get(doc) if last is not None and doc not in self._changed else None
            if found is None:
                found = self._engine_findings(doc)
                if doc.parsed is not None and not doc.templated and doc.kind:
                    for rule in rules:
                        if rule.scope == "document" and doc.kind in rule.kinds:
                            found += rule.check(doc, settings)
            now.docs[doc] = found
            out += found
        self._last_check, self._changed = now, set()
        refused = {d.path: d.extra["refused"] for d in self.docs if d.extra.get("refused")}
        if refused:  # a file the runtime refuses: only fixes that take out what it refuses, nothing else
            out = [f.without_fix() if f.path in refused and f.fix is not None and not _repairs(f.fix, refused[f.path])
                   else f for f in out]
        return self._filter(out + self.documents.not_read)  # files the rules reached but did not read

    def _declares_versions(self) -> bool:
        from .kinds import RUNTIME_COMPONENTS

        versions = self.settings.versions or {}
        return bool(self.settings.runtime_versions) or any(c in versions for c in RUNTIME_COMPONENTS)

    def _engine_findings(self, doc: D.Document) -> list[Finding]:
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
        if doc.kind == "docker":
            from .docker import refusals

            refused: set = set()
            for severity, message, keys in refusals(doc):
                pos = doc.position(keys[:1]) if keys else None
                out.append(Finding("NL001", severity, doc.path, pos.line if pos else 1, pos.column if pos else 1,
                                   message))
                if severity == "error":
                    refused.update(keys)  # every dockerd refuses it: only a fix taking these keys out is offered
            doc.extra["refused"] = refused
        for key, offset in getattr(doc.parsed, "duplicates", ()):
            pos = doc.parsed.lines.position(offset)
            name = key[-1]
            out.append(Finding("NL005", "warning", doc.path, pos.line, pos.column,
                               f"duplicate key {name!r}: this occurrence wins over the earlier one, which is "
                               "ignored; keep one"))
        return out

    def _filter(self, findings: list[Finding]) -> list[Finding]:
        s = self.settings
        by_path = {d.path: d for d in self.docs}
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
                if lines[f.path] is not None and _suppressed(lines[f.path], f):
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

    # ---------------------------------------------------------------- fixes
    def fix(self) -> int:
        """Apply safe fixes until nothing changes.  Returns the number of findings fixed."""
        fixed = 0
        for _ in range(MAX_FIX_ROUNDS):
            findings = self.check()
            fixable = [f for f in findings if f.fix is not None and (f.fix.safe or self.settings.unsafe_fixes)]
            if not fixable:
                self.settled = findings  # nothing left to fix: these are what remains
                break
            applied = self._apply(fixable)
            if applied == 0:
                break
            fixed += applied
        return fixed

    def remaining(self) -> list[Finding]:
        """The findings left after fix(): its last check's, when that round had nothing to fix."""
        return self.settled if self.settled is not None else self.check()

    def _apply(self, findings: list[Finding]) -> int:
        """Apply the fixes of ``findings`` that fit together; returns how many were applied.

        Per file, all non-overlapping fixes are tried at once; when the result does not
        parse (two fixes that make sense alone but not together), they are added one at
        a time and those that break the file wait for the next round.
        """
        from .formats import UnsupportedEdit
        from .formats.text import EditConflict, Splice, SplicePlan, apply_splices

        by_path = {d.path: d for d in self.docs}
        per_finding: list[dict[str, list]] = []
        creating: set[str] = set()  # one creation per file and round; later fixes append next round
        for f in findings:
            attempt: dict[str, list] = {}
            try:
                for edit in f.fix.edits:
                    if isinstance(edit, CreateFile):
                        doc = by_path.get(edit.path) or self._new_document(edit)
                        if doc is None or doc.text or edit.path in creating:
                            raise UnsupportedEdit(f"{edit.path} cannot be created")
                        creating.add(edit.path)
                        by_path[edit.path] = doc
                        attempt.setdefault(edit.path, []).append(Splice(0, 0, edit.text))
                        continue
                    doc = by_path.get(edit.path)
                    if doc is None or doc.parsed is None:
                        raise UnsupportedEdit(f"{edit.path} is not loaded")
                    attempt.setdefault(edit.path, []).extend(D.plan_edit(doc, edit))
            except UnsupportedEdit:
                continue
            per_finding.append(attempt)

        probes: dict[str, D.Document] = {}  # path -> the last text tried, parsed (kept if it is the one)

        def parses(doc: D.Document, text: str) -> bool:
            probe = probes[doc.path] = D.Document(doc.path, doc.fs_path, doc.kind, text, role=doc.role)
            D.parse(probe)
            return probe.error is None and (probe.parsed is not None or doc.templated)

        plans: dict[str, SplicePlan] = {}  # per path: whether a fix fits is told without applying them all
        accepted: list[dict[str, list]] = []
        for attempt in per_finding:
            if not all(plans[path].fits(splices) if path in plans else SplicePlan().fits(splices)
                       for path, splices in attempt.items()):
                continue
            for path, splices in attempt.items():
                plans.setdefault(path, SplicePlan()).add(splices)
            accepted.append(attempt)
        planned: dict[str, list] = {path: plan.splices for path, plan in plans.items()}
        broken = {p for p, sp in planned.items() if not parses(by_path[p], apply_splices(by_path[p].text, sp))}
        if broken:
            kept = [a for a in accepted if not set(a) & broken]
            planned = {}
            for attempt in kept:
                for path, splices in attempt.items():
                    planned.setdefault(path, []).extend(splices)
            for attempt in accepted:
                if not set(attempt) & broken:
                    continue
                trial = {p: planned.get(p, []) + sp for p, sp in attempt.items()}
                try:
                    if all(parses(by_path[p], apply_splices(by_path[p].text, sp)) for p, sp in trial.items()):
                        planned.update(trial)
                        kept.append(attempt)
                except EditConflict:
                    continue
            accepted = kept
        changed = 0
        for path, splices in planned.items():
            doc = by_path[path]
            new_text = apply_splices(doc.text, splices)
            if new_text == doc.text:
                continue
            probe = probes.get(path)
            if probe is not None and probe.text == new_text:  # parsed already, when it was tried
                doc.text, doc.parsed, doc.error = new_text, probe.parsed, probe.error
                doc.templated, doc.template_markers = probe.templated, probe.template_markers
            else:
                doc.text, doc.parsed, doc.error, doc.templated = new_text, None, None, False
                D.parse(doc)
            self._changed.add(doc)
            changed += 1
        self._changed.update(by_path[p] for p in creating)
        for node in self.nodes:
            if any(d in self._changed for d in node.docs):
                node.memo.clear()  # views of its documents (the sysctl model) are out of date
        return len(accepted) if changed else 0

    def _new_document(self, edit: CreateFile) -> D.Document | None:
        """An empty document for a file a fix creates, in the node that will hold it."""
        target = os.path.abspath(edit.path)
        for node in self.nodes:
            if node.fs is None or edit.node_path is None:
                continue
            shown, real = node.fs.locate(edit.node_path)
            if os.path.normpath(shown) != target:
                continue
            if os.path.lexists(real):
                return None  # never overwrite a file nodelint did not read
            doc = D.Document(edit.path, real, edit.kind, "", b"", role="dropin", node_path=edit.node_path,
                             anchor=node.fs.anchor_of(edit.node_path))
            doc.extra["new"] = True
            D.parse(doc)
            self.documents.add(doc)
            node.docs.append(doc)
            return doc
        return None

    def changes(self) -> list[tuple[D.Document, bytes]]:
        out = []
        for doc in self.docs:
            if not doc.kind or doc.error is not None or (doc.extra.get("new") and not doc.text):
                continue
            new = ((D.UTF8_BOM if doc.bom else "") + doc.text).encode("utf-8")
            if new != doc.raw or doc.extra.get("new"):
                out.append((doc, new))
        return out


def _nearest(node: Node, facts: list) -> list:
    """The facts that speak for a node: per component, the pins nearest to its files.

    In a repo, a pin applies to the configs that share the most of its directory path; when
    the nearest pins disagree about a component, nothing is known for it.
    """
    import posixpath

    if not any(f.source == "pin" for f in facts):
        return list(facts)
    dirs = [d.split("/") for d in {posixpath.dirname(d.path) for d in node.docs}] or [[""]]
    known: dict[str, int] = {}

    def shared(path: str) -> int:
        n = known.get(path)
        if n is None:
            pin_dir = posixpath.dirname(path).split("/")
            n = known[path] = max(len(posixpath.commonprefix([pin_dir, d])) for d in dirs)
        return n

    out = [f for f in facts if f.source != "pin"]
    by_component: dict[str, list] = {}
    for f in facts:
        if f.source == "pin":
            by_component.setdefault(f.component, []).append(f)
    for pins in by_component.values():
        best = max(shared(f.path) for f in pins)
        nearest = [f for f in pins if shared(f.path) == best]
        if len({str(f.release.version) for f in nearest}) == 1:
            out += nearest
    return out


def _comment_lines(doc: D.Document) -> list[str] | None:
    """The lines of a document that may hold suppression comments; None when none can."""
    if not doc.text or "nodelint" not in doc.text or doc.syntax == "json":
        return None
    return doc.text.splitlines()


def _repairs(fix, keys: set) -> bool:
    """Whether a fix deletes or renames one of the top-level ``keys`` a runtime refuses."""
    from .model import DeleteKey, RenameKey

    return any(isinstance(e, (DeleteKey, RenameKey)) and e.key and e.key[0] in keys for e in fix.edits)


def _suppressed(lines: list[str], f: Finding) -> bool:
    for ln in (f.line, f.line - 1):
        if 1 <= ln <= len(lines):
            line = lines[ln - 1]
            if "#" not in line and ";" not in line:
                continue
            m = _SUPPRESS.search(line)
            if m and (m.group(1) is None or any(f.rule.startswith(c.strip()) for c in m.group(1).split(",")
                                                if c.strip())):
                return True
    return False


def run(paths: list[str], settings: Settings, *, root: str | None = None, kind: str | None = None,
        fix: bool = False, jobs: int = 1, replacements: bool = False) -> tuple[Result, list[Change]]:
    """Check (and with ``fix``, plan the fixes for) ``paths``: every batch's outcome in one Result,
    and the changes --fix would write."""
    result, changes = Result(), []
    for outcome in execute(plan(paths, settings, root=root, kind=kind), settings, fix=fix, jobs=jobs,
                           replacements=replacements):
        result.add(outcome)
        changes += outcome.changes
    result.findings.sort(key=lambda f: f.order)
    return result, changes


@record
class Plan:
    """The files of a run, in batches of whole nodes; version pins come first, on their own."""

    root: str | None
    pins: list[Target]
    batches: list[list[Target]]

    @property
    def files(self) -> int:
        return len(self.pins) + sum(len(b) for b in self.batches)


def plan(paths: list[str], settings: Settings, *, root: str | None = None, kind: str | None = None) -> Plan:
    targets = discover(paths, settings, root=root, forced=kind)
    if root is not None:  # an image root is one node
        return Plan(root, [], [targets])
    pins = [t for t in targets if t.kind == "versions"]
    groups: dict[object, list[Target]] = {}
    for i, t in enumerate(targets):
        if t.kind != "versions":
            groups.setdefault(t.group if t.group is not None else i, []).append(t)
    batches: list[list[Target]] = []
    for members in groups.values():
        if not batches or len(batches[-1]) + len(members) > BATCH_FILES:
            batches.append([])
        batches[-1].extend(members)
    return Plan(None, pins, [b for b in batches if b])


def execute(plan: Plan, settings: Settings, *, fix: bool = False, jobs: int = 1, replacements: bool = False,
            write=None):
    """Outcomes, batch by batch, in plan order: the pins first, then the nodes (``jobs`` at a time).

    ``write(changes) -> error or None``, when given, writes each batch's changes where the batch
    was fixed (so workers write in parallel); its outcome then carries the paths, not the bytes.
    """
    if plan.root is not None:
        yield _check_batch(plan.batches[0], settings, plan.root, None, fix, replacements, write=write)
        return
    pins_run = Run(settings)
    first = _check_batch(plan.pins, settings, None, None, fix, replacements, write=write, r=pins_run)
    facts = [_without_document(f) for f in pins_run.facts]
    del pins_run
    yield first
    if first.write_error is not None:
        return
    from . import workers

    def work(batch: list[Target]) -> Outcome:  # in a worker process, settings and facts came with the fork
        return _check_batch(batch, settings, None, facts, fix, replacements, write=write)

    def failed_to_write(outcome: Outcome) -> bool:  # no batch starts after one whose write failed
        return outcome.write_error is not None

    if jobs > 1 and len(plan.batches) > 1 and plan.files >= PARALLEL_FILES and workers.available():
        yield from workers.in_workers(jobs, work, plan.batches, stop=failed_to_write)
    else:
        yield from workers.serially(work, plan.batches, stop=failed_to_write)


def _without_document(fact):
    """A version fact as other batches need it: what is known, not the pin's parsed document."""
    from .record import replace

    return replace(fact, doc=None) if getattr(fact, "doc", None) is not None else fact


def empty_root_node(run: Run, root: str) -> Node:
    """The node of a root with no configuration file in it: an empty image still has kernel defaults."""
    node = Node("root", "root", fs=RootFS(root), tree="root")
    node.loader = run.documents
    return node


def _check_batch(targets: list[Target], settings: Settings, root: str | None, facts: list | None, fix: bool,
                 replacements: bool, write=None, r: Run | None = None) -> Outcome:
    r = r if r is not None else Run(settings, root, facts)
    r.prepare(targets)
    if root is not None and not any(n.mode == "root" for n in r.nodes):
        r.nodes.append(empty_root_node(r, root))
    fixed = r.fix() if fix else 0
    findings = r.remaining() if fix else r.check()
    changes = [Change(doc.path, doc.fs_path, new, None if doc.extra.get("new") else doc.raw, doc.anchor)
               for doc, new in r.changes()] if fix else []
    checked = [d.path for d in r.docs if d.kind and not d.extra.get("new")]
    outcome = Outcome(findings, checked, fixed, changes, r.errors,
                      sarif_replacements(r, findings) if replacements else {})
    if write is not None and changes:
        outcome.write_error = write(changes)
        outcome.changes = [Change(c.path, c.fs_path, b"", None, c.anchor) for c in changes]  # written: the bytes can go
    return outcome


def sarif_replacements(run: Run, findings: list[Finding]) -> dict:
    """For SARIF: the text each fixable finding's fix would replace, as (path, offset, length, text)."""
    from .formats import UnsupportedEdit

    by_path = {d.path: d for d in run.docs}
    out = {}
    for f in findings:
        if f.fix is None:
            continue
        changes = []
        try:
            for edit in f.fix.edits:
                doc = by_path.get(edit.path)
                if doc is None or doc.parsed is None:
                    raise UnsupportedEdit(edit.path)
                bom = 1 if doc.bom else 0
                changes += [(doc.path, s.start + bom, s.end - s.start, s.replacement) for s in D.plan_edit(doc, edit)]
        except (UnsupportedEdit, AttributeError):
            continue
        out[f.key] = changes
    return out


def worst(findings: list[Finding]) -> int:
    return max((severity_rank(f.severity) for f in findings), default=-1)
