"""A run over one batch of files: read and group them into nodes, gather version facts, check,
fix.  ``Run`` holds the state; each job is its own module: node assembly (nodes.py), version
facts (facts.py), the check (checks.py), the fix loop (fixes.py).  Nothing is written here.
"""
from __future__ import annotations

from ..models.node import Node
from ..read import document as D
from ..read.discover import Target
from ..read.load import Documents
from ..values.findings import Finding
from . import checks, facts, nodes
from ..read.settings import Settings


class Run:
    def __init__(self, settings: Settings, root: str | None = None, facts: list | None = None):
        self.settings = settings
        self.root = root
        # Version facts a pins batch already gathered (their run rules have run there); None: gather here.
        self.shared_facts = facts
        self.documents = Documents(settings.max_file_size)
        self.nodes: list[Node] = []
        self.static_facts: list | None = None  # declared and found under the root: gathered once
        self.facts: list = []
        self.settled: list[Finding] | None = None  # set by fix() when a check found nothing to fix
        self.skipped: list[Finding] = []  # NL003/NL004: files that were not read
        self.last_check: checks.CheckCache | None = None
        self.changed: set[D.Document] = set()  # documents a fix changed or created since the last check

    @property
    def docs(self) -> list[D.Document]:
        return self.documents.docs

    @property
    def errors(self) -> list[str]:
        return self.documents.errors

    def prepare(self, targets: list[Target]) -> None:
        """Read ``targets`` and group them into this run's nodes."""
        self.nodes += nodes.assemble(targets, self.documents, self.root, self.skipped)

    def version_facts(self) -> list:
        """Runtime versions known for this run (each node's own in ``node.versions``)."""
        return facts.gather(self)

    def check(self) -> list[Finding]:
        return checks.check(self)

    def fix(self) -> int:
        """Apply safe fixes until nothing changes.  Returns the number of findings fixed."""
        from . import fixes  # imported only by runs that fix: a check alone does not need it

        return fixes.fix(self)

    def remaining(self) -> list[Finding]:
        """The findings left after fix(): its last check's, when that round had nothing to fix."""
        return self.settled if self.settled is not None else self.check()

    def changes(self) -> list[tuple[D.Document, bytes]]:
        """Each document a fix changed or created, with the bytes --fix writes."""
        from . import fixes

        return fixes.changes(self.docs)
