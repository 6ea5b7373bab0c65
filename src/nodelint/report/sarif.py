"""SARIF 2.1.0 for code-scanning uploads (GitHub, GitLab, Azure DevOps).

Every rule is described in ``tool.driver.rules`` (id, name, short and full description, help
text, help URI, default level); results carry physical locations, related locations and, where
nodelint can fix a finding, the replacements ``--fix`` would make.
"""
from __future__ import annotations

import json
import os
import re

from .. import __version__
from ..values.findings import Finding
from ..rules import registry, section

LEVEL = {"error": "error", "warning": "warning", "info": "note"}
# GitHub code scanning's security-severity (CVSS-like) for the advisory rules, from the finding's
# severity, which is that of its worst advisory (critical/high: error, medium: warning, low: info)
SECURITY_SEVERITY = {"error": "8.0", "warning": "5.5", "info": "3.0"}
ADVISORY_RULES = ("NL301", "NL302", "NL303", "NL304", "NL305")
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_URL = re.compile(r"https?://[^\s)>\]]+")


def _rule(r) -> dict:
    what = section(r.docs, "What it does") or r.summary
    refs = _URL.findall(section(r.docs, "References"))
    out = {
        "id": r.code,
        "name": "".join(part.capitalize() for part in r.name.split("-")),
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": " ".join(what.split())},
        "help": {"text": r.docs, "markdown": r.docs},
        "defaultConfiguration": {"level": LEVEL[r.severity]},
        "properties": {"tags": [r.name], "fixable": bool(r.fixable)},
    }
    if refs:
        out["helpUri"] = refs[0]
    if r.code in ADVISORY_RULES:
        out["properties"]["tags"] += ["security"]
        out["properties"]["security-severity"] = SECURITY_SEVERITY["error"]
    return out


def _uri(path: str) -> str:
    """An RFC 3986 URI reference for a path: percent-encoded (``#`` would start a fragment)."""
    from urllib.parse import quote

    return "file://" + quote(path) if os.path.isabs(path) else quote(path.lstrip("/"))


def _fingerprint(f: Finding) -> str:
    """The same finding gets the same print on every run (line numbers left out: moving lines is
    no new alert), so uploads through the API do not duplicate alerts."""
    import hashlib

    text = f"{f.rule}\0{f.path}\0{re.sub(r':[0-9]+:[0-9]+', '', f.message)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _location(path: str, line: int, column: int) -> dict:
    return {"physicalLocation": {"artifactLocation": {"uri": _uri(path), **({} if os.path.isabs(path) else
                                                                            {"uriBaseId": "SRCROOT"})},
                                 "region": {"startLine": max(line, 1), "startColumn": max(column, 1)}}}


def render(findings: list[Finding], replacements: dict[tuple, list[tuple[str, int, int, str]]] | None = None) -> str:
    """``replacements`` maps each finding's key to (path, char offset, length, new text) of its fix."""
    rules = registry()
    index = {code: i for i, code in enumerate(rules)}
    results = []
    for f in findings:
        result = {
            "ruleId": f.rule,
            "ruleIndex": index.get(f.rule, 0),
            "level": LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [_location(f.path, f.line, f.column)],
            "partialFingerprints": {"nodelintFindingHash/v1": _fingerprint(f)},
        }
        if f.rule in ADVISORY_RULES:
            result["properties"] = {"security-severity": SECURITY_SEVERITY[f.severity]}
        if f.related:
            result["relatedLocations"] = [dict(_location(r.path, r.line, r.column), id=i,
                                               message={"text": r.message}) for i, r in enumerate(f.related)]
        changes = (replacements or {}).get(f.key)
        if f.fix is not None and changes:
            by_file: dict[str, list] = {}
            for path, offset, length, text in changes:
                by_file.setdefault(path, []).append({"deletedRegion": {"charOffset": offset, "charLength": length},
                                                     "insertedContent": {"text": text}})
            result["fixes"] = [{"description": {"text": f.fix.description},
                                "artifactChanges": [{"artifactLocation": _location(p, 1, 1)["physicalLocation"]
                                                     ["artifactLocation"], "replacements": r}
                                                    for p, r in by_file.items()]}]
        results.append(result)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "nodelint", "version": __version__, "semanticVersion": __version__,
                                "rules": [_rule(r) for r in rules.values()]}},
            "originalUriBaseIds": {"SRCROOT": {"uri": "file://" + os.getcwd().rstrip("/") + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2) + "\n"
