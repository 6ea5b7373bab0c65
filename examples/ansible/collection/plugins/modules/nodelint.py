#!/usr/bin/python
"""Ansible module: lint (and fix) a host's Kubernetes node configuration with nodelint."""
from __future__ import annotations

DOCUMENTATION = r"""
module: nodelint
short_description: Lint and fix Kubernetes node configuration with nodelint
version_added: "0.1.0"
author:
  - nodelint maintainers (@nodelint)
description:
  - Runs nodelint on the target host against a node root (C(/) on a live node, an image root otherwise).
  - In check mode nothing is written; the task reports C(changed) and a per-file diff when fixes would apply.
  - Fails when findings at or above O(fail_on) remain (after fixing, when O(fix) is true).
  - nodelint must be installed for the interpreter Ansible uses on the target, or O(executable) must name it.
options:
  root:
    description: Node root to check.
    type: path
    default: /
  fix:
    description: Apply nodelint's safe fixes.
    type: bool
    default: false
  select:
    description: Rule codes or prefixes to run.
    type: list
    elements: str
  ignore:
    description: Rule codes or prefixes to skip.
    type: list
    elements: str
  fail_on:
    description: Lowest severity that fails the task.
    type: str
    choices: [error, warning, info]
    default: error
  executable:
    description: Command that runs nodelint; by default the module's own Python runs C(-m nodelint).
    type: list
    elements: str
attributes:
  check_mode:
    description: Runs nodelint without writing; reports what O(fix) would change.
    support: full
  diff_mode:
    description: Returns nodelint's per-file diff of the fixes applied (or, in check mode, that would apply).
    support: full
"""

EXAMPLES = r"""
- name: Report the node's configuration problems, change nothing
  nodelint.nodelint.nodelint:
    root: /
    fail_on: error

- name: Fix what nodelint can fix safely, fail on errors left
  nodelint.nodelint.nodelint:
    root: /
    fix: true

- name: Check an image root with only the cgroup driver rules
  nodelint.nodelint.nodelint:
    root: /mnt/image
    select: [NL1]
"""

RETURN = r"""
findings:
  description: Findings left after the run, each with rule, severity, path, line, column, message and fixable.
  type: list
  elements: dict
  returned: always
summary:
  description: nodelint's summary, with the files checked, the findings and the findings fixed.
  type: dict
  returned: always
diff:
  description: One unified diff per file nodelint changed, or would change in check mode.
  type: list
  elements: dict
  returned: when changed
"""

import json
import os
import re
import sys
import tempfile

from ansible.module_utils.basic import AnsibleModule

RANK = {"info": 0, "warning": 1, "error": 2}


def per_file(diff_text: str) -> list:
    """One Ansible diff per changed file, from nodelint's unified diff."""
    chunks = re.split(r"(?m)^(?=--- )", diff_text)
    out = []
    for chunk in filter(str.strip, chunks):
        header = re.search(r"(?m)^\+\+\+ b/(.*)$", chunk)
        name = header.group(1) if header else "file"
        out.append({"before_header": name, "after_header": name, "prepared": chunk})
    return out


def main():
    module = AnsibleModule(
        argument_spec=dict(
            root=dict(type="path", default="/"),
            fix=dict(type="bool", default=False),
            select=dict(type="list", elements="str"),
            ignore=dict(type="list", elements="str"),
            fail_on=dict(type="str", choices=["error", "warning", "info"], default="error"),
            executable=dict(type="list", elements="str"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if not p["executable"]:
        try:
            import nodelint  # noqa: F401  (the module's own interpreter runs it: say so when it cannot)
        except ImportError as e:
            module.fail_json(msg=f"nodelint cannot be imported by {sys.executable} on this host ({e}); install it "
                                 "for that interpreter (pip install from where you host nodelint) or set executable")
    command = (p["executable"] or [sys.executable, "-m", "nodelint"]) + ["check", "--root", p["root"]]
    for flag in ("select", "ignore"):
        if p[flag]:
            command += [f"--{flag}", ",".join(p[flag])]

    diff_text = ""
    if p["fix"]:
        # what --fix would change (stdout) and the report of what it would leave (--output)
        fd, report_path = tempfile.mkstemp(prefix="nodelint-", suffix=".json")
        os.close(fd)
        try:
            rc, diff_text, err = module.run_command(command + ["--diff", "--quiet", "--format", "json",
                                                               "--output", report_path])
            with open(report_path, encoding="utf-8") as f:
                planned = f.read()
        finally:
            os.unlink(report_path)
        if rc not in (0, 1):
            module.fail_json(msg=(err or diff_text).strip() or f"nodelint exited with {rc}")
    changed = bool(diff_text.strip())
    if p["fix"] and (module.check_mode or not changed):
        out = planned  # nothing to write: the dry run's report is the answer
    else:
        rc, out, err = module.run_command(command + (["--fix"] if p["fix"] else []) + ["--format", "json"])
        if rc not in (0, 1):
            module.fail_json(msg=err.strip() or f"nodelint exited with {rc}")
    try:
        report = json.loads(out)
    except ValueError:
        module.fail_json(msg=f"nodelint printed no JSON report: {(out or '')[:200]} {(err or '')[-500:]}".strip())
    findings = report["findings"]
    failing = [f for f in findings if RANK[f["severity"]] >= RANK[p["fail_on"]]]
    result = dict(changed=changed and p["fix"], findings=findings, summary=report["summary"])
    if changed and p["fix"]:
        result["diff"] = per_file(diff_text)
    if failing:
        first = failing[0]
        module.fail_json(msg=f"{len(failing)} finding(s) at or above {p['fail_on']} remain, e.g. "
                             f"{first['path']}:{first['line']}: {first['rule']} {first['message']}", **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
