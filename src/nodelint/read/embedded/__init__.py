"""Documents inside documents: node configuration written by cloud-init, Cluster API bootstrap
configs and shell scripts.

A carrier (an outer file of kind ``cloud-init``, ``capi`` or ``shell``) is read like any file;
``extract`` then finds the files it writes (cloud-init ``write_files``, Cluster API
``files``, ``cat <<EOF > PATH`` here-documents) and reads each as an inner document: its kind
comes from the path it is written to, exactly as node locations decide it for plain files, and
its text is decoded through a codec (codecs.py) that knows where the text sits in the outer
file.  Inner documents are checked by the same rules; ``to_outer`` reports their findings at
the outer file's line and column; ``compose`` writes fixed inner texts back into the outer
text, touching no byte outside their regions.
"""
from __future__ import annotations

from ...values.record import record
from .. import document as D
from .. import kinds as K

CARRIERS = {"cloud-init": "cloudinit", "capi": "capi", "shell": "shell", "mime": "mime", "nodeadm": "nodeadm",
            "karpenter": "karpenter", "bottlerocket": "bottlerocket", "butane": "coreos", "ignition": "coreos",
            "ansible": "ansible", "talos": "talos"}


@record(eq=False)
class Found:
    """A file a carrier writes: where its text is (``codec``) and where it goes on the node."""

    label: str  # where in the outer file, e.g. "write_files[0]"
    node_path: str
    codec: object
    text: str | None  # the inner text (None: take the codec's decoding)
    append: bool = False  # added to the file the image already has
    templated: bool = False  # holds shell expansions or other placeholders: not checked
    kind: str | None = None  # a carrier's own kind (a MIME part), when no path decides it
    role: str | None = None  # the role the platform gives the file (e.g. a fragment merged over a base)
    extra: dict | None = None  # what the platform fills in where the file is silent (platform_defaults)
    machine: str | None = None  # which machine of a file describing several (a Cluster API object, a node class)


@record(eq=False)
class Embedding:
    outer: D.Document
    found: Found
    original: str  # the inner text as read: a fix changed it when it differs


def extract(outer: D.Document) -> list[D.Document]:
    """The node configuration files ``outer`` writes, as documents."""
    import importlib

    name = CARRIERS.get(outer.kind)
    if name is None or outer.parsed is None:
        return []
    carrier = importlib.import_module(f"{__name__}.{name}")
    inner = []
    for found in carrier.find(outer):
        doc = _document(outer, found)
        if doc is not None:
            inner.append(doc)
            if doc.kind in CARRIERS:  # a MIME part holding cloud-config, a NodeConfig, a script
                inner += extract(doc)
    return inner


def _document(outer: D.Document, found: Found) -> D.Document | None:
    text = found.text if found.text is not None else found.codec.decode()
    if text is None:
        return None
    node_path = found.node_path.lstrip("/")
    match = K.by_path(node_path) if node_path else None
    if found.kind is not None:
        kind, role = found.kind, "main"  # a MIME part's carrier, or a file the platform names
    elif match is not None and match.node_path is not None:
        kind, role = match.kind, match.role
    else:
        kind, role = K.sniff(text, node_path), "main"
        if kind is None or kind in CARRIERS:
            return None
    if found.append and kind != "sysctl":
        role = "fragment"  # added to a file nodelint cannot see: judged on its own
    role = found.role or role
    doc = D.Document(f"{outer.path}#{found.label}", "", kind, text, text.encode("utf-8"), role=role,
                     node_path=node_path or None)
    doc.extra["embedding"] = Embedding(outer, found, text)
    doc.extra.update(found.extra or {})
    if found.templated:
        doc.extra["shell_expansions"] = True  # the shell fills them in: masked, judged around (placeholders.py)
    machine = found.machine if found.machine is not None else outer.extra.get("machine")
    if machine is not None:
        doc.extra["machine"] = machine
    D.parse(doc)
    return doc


def embedding(doc: D.Document) -> Embedding | None:
    return doc.extra.get("embedding")


def writable(doc: D.Document) -> bool:
    """Whether a fix of this document can be written back (not a platform's or a program's text)."""
    emb = embedding(doc)
    return emb is None or getattr(emb.found.codec, "writable", True)


def _embedding_at(path: str, docs_by_path: dict) -> Embedding | None:
    doc = docs_by_path.get(path)
    return embedding(doc) if doc is not None else None


def to_outer(finding, docs_by_path: dict):
    """A finding on an inner document, reported at the outer file's line and column."""
    emb = _embedding_at(finding.path, docs_by_path)
    if emb is None:
        return finding
    from ...values.findings import Finding

    path, line, column = _outermost(emb, finding.line, finding.column)
    fix = finding.fix
    if fix is not None and any(e.path in docs_by_path and not writable(docs_by_path[e.path]) for e in fix.edits):
        fix = None  # the text is not in the file: nothing to write back
    written = f"{emb.found.node_path} written by {emb.found.label}" if emb.found.node_path else emb.found.label
    where = f" (in {written}, its line {finding.line})"
    message = _places(finding.message, docs_by_path) + where
    related = tuple(_related(r, docs_by_path) for r in finding.related)
    return Finding(finding.rule, finding.severity, path, line, column, message, fix, related)


def _outermost(emb: Embedding, line: int, column: int) -> tuple[str, int, int]:
    """A place in an inner text as (path, line, column) of the file on disk (MIME parts nest)."""
    while True:
        line, column = emb.found.codec.outer_position(line, column)
        outer = embedding(emb.outer)
        if outer is None:
            return emb.outer.path, line, column
        emb = outer


def _places(message: str, docs_by_path: dict) -> str:
    """``inner-path:L:C`` mentions in a message, as the outer file's places."""
    if "#" not in message:
        return message
    import re

    mentioned = [p for p in docs_by_path if p in message]
    if not mentioned:
        return message

    def outer_place(m):
        doc = docs_by_path[m.group(1)]
        emb = embedding(doc)
        if not writable(doc):
            return emb.found.label  # a platform's or a program's text: named, it has no line here
        path, line, column = _outermost(emb, int(m.group(2)), int(m.group(3)))
        return f"{path}:{line}:{column}"

    pattern = "(" + "|".join(re.escape(p) for p in sorted(mentioned, key=len, reverse=True)) + r"):(\d+):(\d+)"
    return re.sub(pattern, outer_place, message)


def _related(r, docs_by_path: dict):
    emb = _embedding_at(r.path, docs_by_path)
    if emb is None:
        return r
    from ...values.findings import Related

    path, line, column = _outermost(emb, r.line, r.column)
    return Related(path, line, column, r.message)


def outermost(doc: D.Document) -> D.Document:
    """The file on disk an inner document is written in (through nested MIME parts)."""
    emb = embedding(doc)
    while emb is not None:
        doc = emb.outer
        emb = embedding(doc)
    return doc


def compose(outer: D.Document, docs: list[D.Document]) -> str | None:
    """The outer text with every changed inner text written back (None: none can be).  An inner
    text that cannot be written back faithfully is left as it was: its finding stays.  ``docs``
    may hold documents of other carriers and nested ones (a MIME part's cloud-config)."""
    from . import codecs

    splices = []
    for doc in docs:
        emb = embedding(doc)
        if emb is None or emb.outer is not outer:
            continue
        text = doc.text
        if doc.kind in CARRIERS:
            text = compose(doc, docs)
            if text is None:
                continue
        if text == emb.original:
            continue
        codec = emb.found.codec
        try:
            if emb.found.text is not None and codec.decode() != emb.found.text:
                continue  # the codec does not read the region as the outer format does: not rewritten
            splices.append((codec.start, codec.end, codec.encode(text)))
        except codecs.Unencodable:
            continue
    if not splices:
        return None
    text = outer.text
    for start, end, replacement in sorted(splices, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text
