"""JUnit XML: one test case per file checked, one failure per finding at or above --fail-on."""
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
        case = ET.SubElement(suite, "testcase", classname="nodelint", name=path, file=path)
        notes = []
        for f in items:
            text = f"{f.path}:{f.line}:{f.column}: {f.rule} {f.severity} {f.message}"
            if severity_rank(f.severity) >= threshold:
                failure = ET.SubElement(case, "failure", message=f"{f.rule}: {f.message}", type=f.severity)
                failure.text = text
            else:
                notes.append(text)
        if notes:
            ET.SubElement(case, "system-out").text = "\n".join(notes)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
