"""NL306: a component is on a release line that reached end of life.

## What it does
For every version source NL301-NL305 read, reports a version whose release line
(major.minor) is past the end-of-life date in ``rules/advisories.toml`` (``[[eol]]``), or older
than every line listed for its component.  Data today: containerd's lines from its
RELEASES.md, and kubelet's from kubernetes.io/releases.  Where maintainers announced a narrower
extended support, the finding quotes it.  End of life is judged against today's date
(``NODELINT_TODAY=YYYY-MM-DD`` fixes it for reproducible runs).

## Why it matters
An end-of-life line gets no fixes: the next advisory will not have a release on it, and the
jump to a supported line has to happen under pressure instead of on a schedule.

## Example
```console
$ nodelint packer/config/containerd.json
packer/config/containerd.json:6:25: NL306 warning containerd 1.6.22 is on the 1.6 line, which reached end of life on 2025-08-23: no more fixes; move to a supported line
```

## Fix
No automatic fix: moving to another release line is a decision for the image's owners.

## References
- containerd support horizons: https://github.com/containerd/containerd/blob/main/RELEASES.md
- Kubernetes releases: https://kubernetes.io/releases/
- containerd support horizons as checked (main at 301026e): https://github.com/containerd/containerd/blob/301026e58c619e63d09c0ec411012e54c0124b03/RELEASES.md
"""
from __future__ import annotations

from ..values.findings import Finding
from ..models.versions import catalogue, today

CODE = "NL306"
NAME = "end-of-life-line"
SEVERITY = "warning"
FIXABLE = False
SUMMARY = "Component is on an end-of-life release line"
KINDS = ("versions",)
SCOPE = "run"


def check(run, settings):
    if not run.facts:
        return
    cat = catalogue(settings)
    now = today()
    seen = set()
    for fact in run.facts:
        key = (fact.component, fact.source, fact.path, fact.line)
        if key in seen:
            continue
        seen.add(key)
        eol = cat.end_of_life(fact.component, fact.release.version, now)
        if eol is None:
            continue
        line = ".".join(str(n) for n in fact.release.line)
        extended = f" ({eol.extended})" if eol.extended else ""
        when = f"reached end of life on {eol.date.isoformat()}" if eol.line == fact.release.line else \
            f"is older than every supported line (end of life by {eol.date.isoformat()} at the latest)"
        yield Finding(CODE, SEVERITY, fact.path, fact.line, fact.column,
                      f"{fact.component} {fact.release.raw} is on the {line} line, which {when}{extended}: "
                      "no more fixes; move to a supported line")
