"""What NL301-NL305 share: one check (a component's version, from every source nodelint knows,
against the fixed releases of known advisories) and the shape of their docs.

Each of the five keeps a module of its own (its code, what makes that component's old versions
dangerous, an example, references), so ``nodelint explain`` and the codes stay as they are.
"""
from __future__ import annotations

from ..models.versions import SEVERITY_OF, catalogue, line_of, worst
from ..values.edits import SetKey
from ..values.findings import Finding, Fix

SEVERITY = "error"
FIXABLE = "unsafe"  # raising a version pin changes what gets installed
KINDS = ("versions",)
SCOPE = "run"


def docs(code: str, component: str, shown: str, pins: str, program: str, why: str, example: str,
         references: list[str]) -> str:
    """A version rule's documentation: the shared sections around its own."""
    refs = "\n".join(f"- {r}" for r in references)
    return f"""{code}: {shown} is older than a release that fixed a known advisory.

## What it does
Finds the {shown} version a node or image gets, from every source nodelint knows, and
reports each source whose version is below the fixed version of a known advisory in
``rules/advisories.toml``, listing every advisory it misses and the release to move to.
Sources (each finding names its own, with file and line where there is one):
declared (``--runtime-version {component}=...``, ``[tool.nodelint.versions] {component} = "..."``),
pins in image-build repos (``{pins}``), and under ``--root`` Debian's dpkg status, the rpm
database and Go build info in the binary, read without running anything
(``--live`` also runs ``{program} --version`` on a running node).

"Below the fixed version" means: on a release line that got a fix and older than that
line's fix, or on a line that never got one (older than the newest fixed line); a line
newer than every fixed line passes.  A distribution package version (Debian ``~ds1-1+deb12u3``,
RPM ``-3.el9``) is compared by its upstream part, and the finding says that the package may
carry backported fixes: check the distribution's security tracker before acting or waiving.
Severity is that of the worst advisory (critical/high: error, medium: warning, low: info).

## Why it matters
{why.strip()}

## Example
```console
{example.strip()}
```

## Fix
Unsafe, applied only with ``--fix --unsafe-fixes``: a pin in a Packer or Ansible variables file is
raised to the newest fixed release on its own line, keeping its quoting (and a leading ``v``).
Moving to another line, upgrading an installed package, or rebuilding an image is left to you.
Waive an advisory that does not apply, with a reason:
``[tool.nodelint.versions] waive = [{{id = "CVE-...", reason = "..."}}]``.

## References
{refs}
"""


def summary(shown: str) -> str:
    return f"{shown} version is below a release that fixed a known advisory"


def _fmt(v) -> str:
    return str(v)


def _pin_value(fact, target) -> str:
    """The pin rewritten to ``target``, keeping a leading "v" (kubernetes_semver = "v1.36.1")."""
    return ("v" if fact.release.raw.startswith("v") else "") + _fmt(target)


def below_fixed(run, settings, component: str, code: str):
    """One finding per component and source: every advisory a version misses (NL301-NL305)."""
    if not any(fact.component == component for fact in run.facts):
        return  # nothing known about this component: leave the advisories unread
    cat = catalogue(settings)
    seen = set()
    for fact in run.facts:
        if fact.component != component or (fact.source, fact.path, fact.line, fact.release.raw) in seen:
            continue
        seen.add((fact.source, fact.path, fact.line, fact.release.raw))
        missed = cat.missed(component, fact.release.version)
        if not missed:
            continue
        advisories = [a for a, _ in missed]
        items = []
        for a, target in missed:
            where = "no fix on this line: " if line_of(target, component) != fact.release.line else "fixed in "
            items.append(f"{a.id} ({a.severity}, {where}{_fmt(target)})")
        overall = max(t for _, t in missed)
        on_line = [t for _, t in missed if line_of(t, component) == fact.release.line]
        fix = None
        if fact.source == "pin" and fact.doc is not None and on_line and not fact.release.package:
            value = _pin_value(fact, max(on_line))
            fix = Fix((SetKey(fact.doc.path, fact.key, value),), f"raise the pin to {value}", safe=False)
        msg = (f"{component} {fact.release.describe()} ({fact.source}: {fact.detail}) misses "
               f"{len(missed)} fix{'es' if len(missed) != 1 else ''}: {'; '.join(items)}; move to {_fmt(overall)} "
               "or later")
        yield Finding(code, SEVERITY_OF.get(worst(advisories), "warning"), fact.path, fact.line, fact.column,
                      msg, fix)
