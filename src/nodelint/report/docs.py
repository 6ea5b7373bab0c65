"""The README's rule table, generated from the rules' own docs: ``python -m nodelint.report.docs``."""
from __future__ import annotations

from ..rules import registry

BEGIN, END = "<!-- rules:begin -->", "<!-- rules:end -->"


def rule_table() -> str:
    rows = ["| Code | Name | Severity | Fix | What it reports |", "|---|---|---|---|---|"]
    for r in registry().values():
        fix = "unsafe" if r.fixable == "unsafe" else ("yes" if r.fixable else "")
        rows.append(f"| {r.code} | {r.name} | {r.severity} | {fix} | {r.summary} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(rule_table())
