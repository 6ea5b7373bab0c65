"""Runtime versions: parsing every form they come in, and which advisories a version misses.

"Below the fixed version" (rules/advisories.toml): a version is affected when it is on a
release line (major.minor) that got a fix and is older than that line's fix, or on a line
older than the newest fixed line that never got one (a line newer than every fixed line
passes).  Versions before ``introduced`` are not affected.  runsc has one line (its date).
"""
from __future__ import annotations

import datetime as _dt
import re
from ..values.record import record, fresh
from functools import cache

from ..read.data import load as load_data

from ..read.kinds import RUNTIME_COMPONENTS as COMPONENTS  # noqa: E402
RULE_OF = {"containerd": "NL301", "runc": "NL302", "runsc": "NL303", "docker": "NL304", "kubelet": "NL305"}
SEVERITY_OF = {"critical": "error", "high": "error", "medium": "warning", "low": "info"}
_RUNSC = re.compile(r"(?:release-)?(\d{8})(?:\.(\d+))?\Z")
_PRERELEASE = re.compile(r"(?:alpha|beta|rc|a|b|c|pre|dev)", re.I)
_UNPINNED = re.compile(r"[*xX]|latest|stable|edge|none|null|\{\{|\$\{")


@record(frozen=True)
class Release:
    """A component version as written, and the upstream version it stands for."""

    raw: str
    version: object  # packaging.version.Version
    package: str | None = None  # "Debian" or "RPM" for distribution package versions
    component: str = ""

    @property
    def line(self) -> tuple:
        return line_of(self.version, self.component)

    def describe(self) -> str:
        if self.package:
            return f"{self.raw} (a {self.package} package of {self.version}; the distribution may have backported fixes)"
        return self.raw


def line_of(version, component: str = "") -> tuple:
    """The release line: (major, minor); runsc, whose versions are dates, has one line."""
    if component == "runsc" or version.release[0] >= 19000000:
        return ("release",)
    return tuple(version.release[:2]) + (0,) * (2 - len(version.release[:2]))


def _pep440(text: str):
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text)
    except InvalidVersion:
        return None


def parse(raw: object, component: str = "") -> Release | None:
    """A Release, or None for what is not a pinned version (wildcards, "latest", templates)."""
    if raw is None or isinstance(raw, bool):
        return None
    text = str(raw).strip().strip("'\"")
    if not text or _UNPINNED.search(text):
        return None
    m = _RUNSC.match(text)
    if m:
        v = _pep440(f"{m.group(1)}.{m.group(2) or 0}")
        return Release(text, v, None, component) if v is not None else None
    upstream, package = text, None
    for prefix in ("docker-v", "v"):
        if upstream.startswith(prefix) and upstream[len(prefix):][:1].isdigit():
            upstream = upstream[len(prefix):]
            break
    if re.match(r"\d+:", upstream):  # Debian/RPM epoch
        upstream, package = upstream.split(":", 1)[1], "distribution"
    head, sep, tail = upstream.rpartition("-")
    if sep and tail[:1].isdigit() and head and head[:1].isdigit():  # upstream-revision
        upstream, package = head, package or "distribution"
    if "~" in upstream or "+" in upstream:
        base, mark, rest = re.split(r"([~+])", upstream, maxsplit=1)
        # "~rc1" is a Debian pre-release; "~ds1", "+dfsg" are repacks of the same upstream release
        upstream = base + rest if mark == "~" and _PRERELEASE.match(rest) else base
        package = package or "distribution"
    v = _pep440(upstream)
    if v is None:
        return None
    if package == "distribution":
        package = "RPM" if re.search(r"\.el\d|\.fc\d|\.amzn|\.suse", text) else "Debian"
    return Release(text, v, package, component)


# ------------------------------------------------------------------ advisories


@record(frozen=True)
class Advisory:
    component: str
    id: str
    summary: str
    fixed: tuple  # packaging Versions
    severity: str
    kind: str = "security"
    introduced: object | None = None
    note: str = ""
    references: tuple = ()

    def missed_by(self, v) -> object | None:
        """The release to move to when ``v`` misses this advisory, else None."""
        if self.introduced is not None and v < self.introduced:
            return None
        line = line_of(v, self.component)
        by_line = {line_of(f, self.component): f for f in self.fixed}
        if line in by_line:
            return by_line[line] if v < by_line[line] else None
        newer = sorted(f for f in self.fixed if line_of(f, self.component) > line)
        if not newer:
            return None  # a line newer than every fixed line
        return newer[0]


@record(frozen=True)
class EndOfLife:
    component: str
    line: tuple
    date: _dt.date
    extended: str = ""


class ConfigError(Exception):
    pass


@record
class Catalogue:
    advisories: list[Advisory]
    eol: list[EndOfLife]
    waived: dict[str, str] = fresh(dict)  # id -> reason

    def missed(self, component: str, v) -> list[tuple[Advisory, object]]:
        return [(a, target) for a in self.advisories if a.component == component and a.id not in self.waived
                for target in [a.missed_by(v)] if target is not None]

    def end_of_life(self, component: str, v, today: _dt.date) -> EndOfLife | None:
        lines = sorted((e for e in self.eol if e.component == component), key=lambda e: e.line)
        if not lines or line_of(v, component) == ("release",):
            return None
        line = line_of(v, component)
        for e in lines:
            if e.line == line:
                return e if e.date <= today else None
        if line < lines[0].line:
            return EndOfLife(component, line, lines[0].date)  # older than every listed line
        return None


def _advisory(entry: dict, origin: str) -> Advisory:
    try:
        fixed = tuple(parse(f).version for f in entry["fixed"])
        intro = parse(entry["introduced"]).version if entry.get("introduced") else None
        return Advisory(entry["component"], entry["id"], entry.get("summary", ""), fixed,
                        entry.get("severity", "medium"), entry.get("kind", "security"), intro,
                        entry.get("note", ""), tuple(entry.get("references", ())))
    except (KeyError, AttributeError, TypeError) as e:
        raise ConfigError(f"{origin}: advisory {entry.get('id', '?')!r} is incomplete or has a bad version ({e})")


@cache
def _builtin() -> tuple[tuple[Advisory, ...], tuple[EndOfLife, ...]]:
    data = load_data("advisories.toml")
    advisories = tuple(_advisory(a, "rules/advisories.toml") for a in data["advisory"])
    eol = tuple(EndOfLife(e["component"], line_of(parse(e["line"] + ".0").version),
                          _dt.date.fromisoformat(e["date"]), e.get("extended", "")) for e in data.get("eol", []))
    return advisories, eol


def catalogue(settings) -> Catalogue:
    """Built-in advisories, plus the user's, minus the waived ones (a reason is required)."""
    advisories, eol = _builtin()
    extra, waived = user_entries(settings)
    return Catalogue(list(advisories) + extra, list(eol), waived)


def user_entries(settings) -> tuple[list[Advisory], dict[str, str]]:
    """The configuration's own advisories and waivers, validated (ConfigError on a bad entry)."""
    conf = settings.versions or {}
    extra = [_advisory(a, "configuration") for a in conf.get("advisory", [])]
    waived = {}
    for w in conf.get("waive", []):
        if not isinstance(w, dict) or not w.get("id") or not str(w.get("reason", "")).strip():
            raise ConfigError("configuration: every [tool.nodelint.versions] waive entry needs an id and a reason, "
                              'e.g. waive = [{id = "CVE-2024-41110", reason = "no AuthZ plugins on our nodes"}]')
        waived[w["id"]] = w["reason"]
    return extra, waived


def declared(settings, cli: list[str] | None = None) -> dict[str, str]:
    """component -> version from [tool.nodelint.versions] and --runtime-version."""
    out = {c: str(v) for c, v in (settings.versions or {}).items() if c in COMPONENTS}
    for item in cli or []:
        name, _, value = item.partition("=")
        if name.strip() not in COMPONENTS or not value.strip():
            raise ConfigError(f"--runtime-version {item!r}: use COMPONENT=VERSION with one of {', '.join(COMPONENTS)}")
        out[name.strip()] = value.strip()
    return out


def worst(advisories: list[Advisory]) -> str:
    order = ["low", "medium", "high", "critical"]
    return max((a.severity for a in advisories), key=lambda s: order.index(s) if s in order else 1)


# ---------------------------------------------------------------- shared by rules


def today() -> _dt.date:
    """Today, or NODELINT_TODAY (YYYY-MM-DD) for reproducible runs and tests."""
    import os

    forced = os.environ.get("NODELINT_TODAY")
    return _dt.date.fromisoformat(forced) if forced else _dt.date.today()


def known_minor(node, component: str) -> tuple[int, ...] | None:
    """(major, minor) of a component's version as the node's version facts say it; None unknown."""
    fact = next((f for f in node.versions if f.component == component), None)
    return (tuple(fact.release.version.release[:2]) + (0,))[:2] if fact is not None else None
