"""The fix loop: edits as data, applied in one place.

Fixes run to a fixed point: check, apply every fix whose edits fit together, parse the new
text, check again, until nothing changes (at most ``MAX_FIX_ROUNDS``).  Per file, all
non-overlapping fixes are tried at once; when the result does not parse (two fixes that make
sense alone but not together), they are added one at a time and those that break the file wait
for the next round.  Nothing is written here: ``changes`` gives the new bytes of each file, so
``--diff`` sees exactly what ``--fix`` would write (write/ writes them).
"""
from __future__ import annotations

import os

from ..read import document as D
from ..read.formats import UnsupportedEdit
from ..read.formats.text import EditConflict, Splice, SplicePlan, apply_splices
from ..values.edits import CreateFile
from ..values.findings import Finding

MAX_FIX_ROUNDS = 10

Attempt = dict  # path -> the splices one finding's fix makes in that file


def fix(run) -> int:
    """Apply safe fixes until nothing changes.  Returns the number of findings fixed."""
    fixed = 0
    for _ in range(MAX_FIX_ROUNDS):
        findings = run.check()
        fixable = [f for f in findings if f.fix is not None and (f.fix.safe or run.settings.unsafe_fixes)]
        if not fixable:
            run.settled = findings  # nothing left to fix: these are what remains
            break
        applied = apply(run, fixable)
        if applied == 0:
            if not run.changed:  # nothing was changed or created: this check's findings are what remains
                run.settled = findings
            break
        fixed += applied
    return fixed


def apply(run, findings: list[Finding]) -> int:
    """Apply the fixes of ``findings`` that fit together; returns how many were applied."""
    by_path = {d.path: d for d in run.docs}
    creating: set[str] = set()  # one creation per file and round; later fixes append next round
    attempts = [a for a in (_attempt(run, f, by_path, creating) for f in findings) if a is not None]
    probes = _Probes()
    accepted = _fitting(attempts)
    planned = _merged(accepted)
    broken = {p for p, sp in planned.items() if not probes.parses(by_path[p], apply_splices(by_path[p].text, sp))}
    if broken:
        accepted, planned = _one_at_a_time(accepted, broken, by_path, probes)
    changed = _commit(run, planned, by_path, probes)
    run.changed.update(by_path[p] for p in creating)
    for node in run.nodes:
        if any(d in run.changed for d in node.docs):
            node.memo.clear()  # views of its documents (the sysctl model) are out of date
    return len(accepted) if changed else 0


def _attempt(run, f: Finding, by_path: dict, creating: set) -> Attempt | None:
    """The splices of one finding's fix, per file (None: an edit cannot be made)."""
    attempt: Attempt = {}
    try:
        for edit in f.fix.edits:
            if isinstance(edit, CreateFile):
                doc = by_path.get(edit.path) or new_document(run, edit)
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
        return None
    return attempt


class _Probes:
    """Texts tried, parsed: the last one per path is kept, to be reused if it is the one applied."""

    def __init__(self):
        self.last: dict[str, D.Document] = {}

    def parses(self, doc: D.Document, text: str) -> bool:
        probe = self.last[doc.path] = D.Document(doc.path, doc.fs_path, doc.kind, text, role=doc.role)
        if doc.extra.get("shell_expansions"):
            probe.extra["shell_expansions"] = True
        D.parse(probe)
        return probe.error is None and (probe.parsed is not None or doc.templated)


def _fitting(attempts: list[Attempt]) -> list[Attempt]:
    """The attempts whose splices overlap no earlier accepted one (told without applying them)."""
    plans: dict[str, SplicePlan] = {}
    accepted = []
    for attempt in attempts:
        if not all(plans[path].fits(splices) if path in plans else SplicePlan().fits(splices)
                   for path, splices in attempt.items()):
            continue
        for path, splices in attempt.items():
            plans.setdefault(path, SplicePlan()).add(splices)
        accepted.append(attempt)
    return accepted


def _merged(attempts: list[Attempt]) -> dict[str, list]:
    planned: dict[str, list] = {}
    for attempt in attempts:
        for path, splices in attempt.items():
            planned.setdefault(path, []).extend(splices)
    return planned


def _one_at_a_time(accepted: list[Attempt], broken: set, by_path: dict, probes: _Probes):
    """Keep the attempts on files that parse; add the others one by one while the result parses."""
    kept = [a for a in accepted if not set(a) & broken]
    planned = _merged(kept)
    for attempt in accepted:
        if not set(attempt) & broken:
            continue
        trial = {p: planned.get(p, []) + sp for p, sp in attempt.items()}
        try:
            if all(probes.parses(by_path[p], apply_splices(by_path[p].text, sp)) for p, sp in trial.items()):
                planned.update(trial)
                kept.append(attempt)
        except EditConflict:
            continue
    return kept, planned


def _commit(run, planned: dict[str, list], by_path: dict, probes: _Probes) -> int:
    """Give each document its new text (and parse); returns how many changed."""
    changed = 0
    for path, splices in planned.items():
        doc = by_path[path]
        new_text = apply_splices(doc.text, splices)
        if new_text == doc.text:
            continue
        probe = probes.last.get(path)
        if probe is not None and probe.text == new_text:  # parsed already, when it was tried
            doc.text, doc.parsed, doc.error = new_text, probe.parsed, probe.error
            doc.templated, doc.template_markers = probe.templated, probe.template_markers
            for k in ("masked", "placeholders"):
                doc.extra.pop(k, None)
                if probe.extra.get(k):
                    doc.extra[k] = True
        else:
            doc.text, doc.parsed, doc.error, doc.templated = new_text, None, None, False
            doc.extra.pop("masked", None)
            doc.extra.pop("placeholders", None)
            D.parse(doc)
        run.changed.add(doc)
        changed += 1
    return changed


def new_document(run, edit: CreateFile) -> D.Document | None:
    """An empty document for a file a fix creates, in the node that will hold it."""
    target = os.path.abspath(edit.path)
    for node in run.nodes:
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
        run.documents.add(doc)
        node.docs.append(doc)
        return doc
    return None


def changes(docs: list[D.Document]) -> list[tuple[D.Document, bytes]]:
    """Each document a fix changed or created, with the bytes --fix writes (a file a carrier
    writes is written back into the carrier: read/embedded)."""
    out = []
    written: dict[int, tuple[D.Document, list[D.Document]]] = {}
    for doc in docs:
        if "embedding" in doc.extra:
            from ..read.embedded import outermost

            outer = outermost(doc)
            written.setdefault(id(outer), (outer, []))[1].append(doc)
            continue
        if not doc.kind or doc.error is not None or (doc.extra.get("new") and not doc.text):
            continue
        new = ((D.UTF8_BOM if doc.bom else "") + doc.text).encode("utf-8")
        if new != doc.raw or doc.extra.get("new"):
            out.append((doc, new))
    return out + [c for outer, inner in written.values() for c in _carrier_change(outer, inner)]


def _carrier_change(outer: D.Document, inner: list[D.Document]) -> list[tuple[D.Document, bytes]]:
    from ..read.embedded import compose

    text = compose(outer, inner)
    if text is None:
        return []
    probe = D.Document(outer.path, outer.fs_path, outer.kind, text, role=outer.role)
    if D.parse(probe).error is not None or probe.parsed is None:
        return []  # the carrier would no longer parse: nothing is written
    return [(outer, ((D.UTF8_BOM if outer.bom else "") + text).encode("utf-8"))]
