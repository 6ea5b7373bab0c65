"""JUnit XML: one test case per file checked; a failing one holds one failure element listing every
finding at or above --fail-on (so ``failures`` counts both the failing cases and the failure elements)."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from ..values.findings import Finding, severity_rank


def render(findings: list[Finding], files: list[str], fail_on: str) -> str:
    threshold = severity_rank(fail_on)
    by_file: dict[str, list[Finding]] = {path: [] for path in files}
    for f in findings:
        by_file.setdefault(f.path, []).append(f)
    # failures count failing test cases (files), as JUnit consumers such as Jenkins expect
    failing = sum(1 for items in by_file.values() if any(severity_rank(f.severity) >= threshold for f in items))
    suites = ET.Element("testsuites", name="nodelint", tests=str(len(by_file)), failures=str(failing))
    suite = ET.SubElement(suites, "testsuite", name="nodelint", tests=str(len(by_file)), failures=str(failing),
                          errors="0", skipped="0")
    for path, items in by_file.items():
        # no "file" attribute: the Jenkins/xunit JUnit schema (junit-10.xsd) does not allow one
        case = ET.SubElement(suite, "testcase", classname="nodelint", name=path)
        failing_items, notes = [], []
        for f in items:
            text = f"{f.path}:{f.line}:{f.column}: {f.rule} {f.severity} {f.message}"
            (failing_items if severity_rank(f.severity) >= threshold else notes).append((f, text))
        if failing_items:  # one failure element per failing case: its count is the suite's failures
            first = failing_items[0][0]
            more = f" (and {len(failing_items) - 1} more)" if len(failing_items) > 1 else ""
            failure = ET.SubElement(case, "failure", message=f"{first.rule}: {first.message}{more}",
                                    type=max((f.severity for f, _ in failing_items), key=severity_rank))
            failure.text = "\n".join(text for _, text in failing_items)
        if notes:
            ET.SubElement(case, "system-out").text = "\n".join(text for _, text in notes)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
