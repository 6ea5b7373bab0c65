"""Version facts: the runtime versions a run knows, and which of them speak for each node.

Declared versions (``--runtime-version``, configuration), and under ``--root`` the dpkg status,
the rpm database, Go build info in binaries (and ``--version`` of running programs with
``--live``) are gathered once per run; pins in image-build repos are read from the run's
documents each time (a fix may raise them).  A node gets the pins nearest to its files.
"""
from __future__ import annotations

import os

from ..read.discover import display

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..models.node import Node


def gather(run) -> list:
    """Runtime versions known for this run: declared, pinned in repos, found under --root.
    Each node's ``versions`` is set to the facts that speak for it."""
    from ..models import version_sources as V

    if run.static_facts is None:
        run.static_facts = _static(run)
    facts = list(run.static_facts)
    for node in run.nodes:
        for doc in node.of_kind("versions"):
            if doc.parsed is not None and not doc.templated:
                for fact in V.pins(doc):
                    fact.scope = node.tree
                    facts.append(fact)
    assign(run.nodes, facts)
    return facts


def _static(run) -> list:
    from ..models import version_sources as V
    from ..models.versions import declared

    settings = run.settings
    static = []
    on_command_line = declared(settings.__class__(), settings.runtime_versions)
    for component, value in declared(settings, settings.runtime_versions).items():
        if component in on_command_line:  # named as the user wrote it: the option, or the config file and key
            where, what = f"--runtime-version {component}={value}", "--runtime-version"
        else:
            where, what = settings.config_path or "configuration", f"[tool.nodelint.versions] {component}"
        for fact in V.declared_facts({component: value}, where):
            fact.detail = what
            static.append(fact)
    root = next((n for n in run.nodes if n.mode == "root" and n.fs is not None), None)
    if root is not None:
        shown = lambda p: display(root.fs.locate(p)[0])  # noqa: E731
        static += V.dpkg(root.fs, shown("var/lib/dpkg/status")) + V.rpmdb(root.fs, shown)
        static += V.binaries(root.fs, shown)
        if settings.live and os.path.abspath(run.root or "") == "/":
            static += V.live(root.fs, shown)
    return static


def assign(nodes: list[Node], facts: list) -> None:
    """Give each node the facts of its tree (or of the whole run) nearest to its files.

    A fix round assigns the same facts again: a node whose documents are the same ones (they
    are only ever added to) keeps what it was given (a tenth of a 1,000-file --fix's checks)."""
    for node in nodes:
        given = node.__dict__.get("_versions_from")
        if given is not None and given[0] is facts and given[1] == len(node.docs):
            continue
        versions = _nearest(node, [f for f in facts if f.scope is None or f.scope == node.tree])
        if versions != node.versions:
            node.memo.clear()  # views worked out from the versions (drivers, readings) are out of date
        node.versions = versions
        node._versions_from = (facts, len(node.docs))


def declared_anywhere(settings) -> bool:
    """Whether the user declared a runtime version (so version rules run on any tree)."""
    from ..read.kinds import RUNTIME_COMPONENTS

    versions = settings.versions or {}
    return bool(settings.runtime_versions) or any(c in versions for c in RUNTIME_COMPONENTS)


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


def without_document(fact):
    """A version fact as other batches need it: what is known, not the pin's parsed document."""
    from ..values.record import replace

    return replace(fact, doc=None) if getattr(fact, "doc", None) is not None else fact
