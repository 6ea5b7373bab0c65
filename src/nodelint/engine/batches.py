"""Batches: big trees are checked in batches of whole nodes.

``plan`` groups a run's files into batches of whole nodes (a node is checked and fixed as
one); ``execute`` checks each batch in its own Run and yields its outcome, then drops its
documents, so memory stays flat however many nodes a tree holds.  Batches run in parallel
worker processes (``--jobs``, write/workers.py); with ``in_place`` each batch's fixes are
written where it was fixed (write/batches.py).  Version pins are read first, in a batch of
their own, because every node's rules may need them.
"""
from __future__ import annotations

from ..read import document as D
from ..read.discover import Target, discover
from ..values.findings import Finding
from ..values.record import fresh, record
from . import facts as F
from .nodes import empty_root_node
from .run import Run
from ..read.settings import Settings

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
    live: dict | None = None  # the running node's facts (--live: read/live.py Snapshot.summary)


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
    live: dict | None = None  # the running node's facts, with --live

    @property
    def files(self) -> int:
        return len(self.checked)

    def merge(self, other: "Result") -> "Result":
        """Another run's result taken in (the paths of another configuration)."""
        self.findings += [f for f in other.findings if f.key not in self.seen]
        self.seen |= other.seen
        self.fixed += other.fixed
        self.changed += other.changed
        self.errors += other.errors
        self.checked += other.checked
        self.replacements.update(other.replacements)
        self.live = self.live or other.live
        return self

    def add(self, outcome: Outcome, wanted=None) -> list[Finding]:
        """Take in one batch's outcome; returns its findings not reported before (and ``wanted``)."""
        new = [f for f in outcome.findings if f.key not in self.seen and (wanted is None or wanted(f.path))]
        self.seen.update(f.key for f in new)
        self.findings += new
        self.fixed += outcome.fixed
        self.changed += len(outcome.changes)
        self.errors += outcome.errors
        self.checked += outcome.checked if wanted is None else [p for p in outcome.checked if wanted(p)]
        self.replacements.update(outcome.replacements)
        self.live = self.live or outcome.live
        return new


def run(paths: list[str], settings: Settings, *, root: str | None = None, kind: str | None = None,
        fix: bool = False, jobs: int = 1, replacements: bool = False) -> tuple[Result, list[Change]]:
    """Check (and with ``fix``, plan the fixes for) ``paths``: every batch's outcome in one Result,
    and the changes --fix would write."""
    result, changes = Result(), []
    for outcome in execute(plan(paths, settings, root=root, kind=kind, jobs=jobs), settings, fix=fix, jobs=jobs,
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


def plan(paths: list[str], settings: Settings, *, root: str | None = None, kind: str | None = None,
         jobs: int = 1) -> Plan:
    """The run's files in batches.  With ``jobs`` > 1, a big walked tree's files are classified in
    worker processes too (discovery's share of a run is then not the parent's alone)."""
    targets = discover(paths, settings, root=root, forced=kind, mapper=_mapper(jobs))
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


def _mapper(jobs: int):
    """A function that runs ``work`` over items in ``jobs`` worker processes (None: one process)."""
    if jobs <= 1:
        return None
    from ..write import workers

    if not workers.available():
        return None
    return lambda work, items: workers.in_workers(jobs, work, items)


def execute(plan: Plan, settings: Settings, *, fix: bool = False, jobs: int = 1, replacements: bool = False,
            in_place: bool = False):
    """Outcomes, batch by batch, in plan order: the pins first, then the nodes (``jobs`` at a time).

    ``in_place``: each batch's changes are written where the batch was fixed (so workers write
    in parallel); its outcome then carries the paths, not the bytes.
    """
    if plan.root is not None:
        yield _check_batch(plan.batches[0], settings, plan.root, None, fix, replacements, in_place)
        return
    pins_run = Run(settings)
    first = _check_batch(plan.pins, settings, None, None, fix, replacements, in_place, r=pins_run)
    facts = [F.without_document(f) for f in pins_run.facts]
    del pins_run
    yield first
    if first.write_error is not None:
        return
    from ..write import workers

    def work(batch: list[Target]) -> Outcome:  # in a worker process, settings and facts came with the fork
        return _check_batch(batch, settings, None, facts, fix, replacements, in_place)

    def failed_to_write(outcome: Outcome) -> bool:  # no batch starts after one whose write failed
        return outcome.write_error is not None

    if jobs > 1 and len(plan.batches) > 1 and plan.files >= PARALLEL_FILES and workers.available():
        yield from workers.in_workers(jobs, work, plan.batches, stop=failed_to_write)
    else:
        yield from workers.serially(work, plan.batches, stop=failed_to_write)


def locked(root: str | None):
    """While held, no other --fix run writes under ``root`` (None: nothing to hold)."""
    if root is None:
        from contextlib import nullcontext

        return nullcontext()
    from ..write.batches import root_lock

    return root_lock(root)


def _check_batch(targets: list[Target], settings: Settings, root: str | None, facts: list | None, fix: bool,
                 replacements: bool, in_place: bool, r: Run | None = None) -> Outcome:
    r = r if r is not None else Run(settings, root, facts)
    r.prepare(targets)
    if root is not None and not any(n.mode == "root" for n in r.nodes):
        r.nodes.append(empty_root_node(r.documents, root))
    fixed = r.fix() if fix else 0
    findings = r.remaining() if fix else r.check()
    changes = [Change(doc.path, doc.fs_path, new, None if doc.extra.get("new") else doc.raw, doc.anchor)
               for doc, new in r.changes()] if fix else []
    checked = [d.path for d in r.docs if (d.kind or d.explicit) and not d.extra.get("new") and "embedding" not in d.extra]
    outcome = Outcome([f.as_reported() for f in findings], checked, fixed, changes, r.errors,
                      sarif_replacements(r, findings) if replacements else {})
    snapshot = next((n.__dict__["live_snapshot"] for n in r.nodes if "live_snapshot" in n.__dict__), None)
    outcome.live = snapshot.summary() if snapshot is not None else None
    if in_place and changes:
        from ..write import batches as W

        outcome.write_error = W.write_batch(changes)
        outcome.changes = [Change(c.path, c.fs_path, b"", None, c.anchor) for c in changes]  # written: the bytes can go
    return outcome


def sarif_replacements(run: Run, findings: list[Finding]) -> dict:
    """For SARIF: the text each fixable finding's fix would replace, as (path, offset, length, text)."""
    from ..read.formats import UnsupportedEdit

    by_path = {d.path: d for d in run.docs}
    out = {}
    for f in findings:
        if f.fix is None:
            continue
        changes = []
        try:
            for edit in f.fix.edits:
                doc = by_path.get(edit.path)
                if doc is None or doc.parsed is None or "embedding" in doc.extra:
                    raise UnsupportedEdit(edit.path)
                bom = 1 if doc.bom else 0
                changes += [(doc.path, s.start + bom, s.end - s.start, s.replacement) for s in D.plan_edit(doc, edit)]
        except (UnsupportedEdit, AttributeError):
            continue
        out[f.key] = changes
    return out
