"""Report formats CI systems read: SARIF (schema-valid), JUnit, GitHub annotations, Prometheus."""
from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

from pathlib import Path

import pytest

from .conftest import SHARED, write

V2 = 'plugins."io.containerd.grpc.v1.cri"'


@pytest.fixture
def repo(tmp_path):
    write(tmp_path / "files/etc/containerd/config.toml",
          f"version = 2\n[{V2}.containerd.runtimes.runc.options]\n  SystemdCgroup = false\n")
    write(tmp_path / "files/var/lib/kubelet/config.yaml", "kind: KubeletConfiguration\ncgroupDriver: systemd\n")
    write(tmp_path / "files/etc/sysctl.d/50-k8s.conf", "fs.inotify.max_user_instances = 8192\n"
          "fs.inotify.max_user_watches = 65536\n")
    return tmp_path


@pytest.mark.skipif(SHARED is None or not (SHARED / "schemas/sarif-schema-2.1.0.json").is_file(),
                    reason="../shared/schemas/sarif-schema-2.1.0.json not found")
def test_sarif_validates_against_the_official_schema(nodelint, repo):
    import jsonschema

    out = nodelint("--format", "sarif", cwd=repo)
    assert out.code == 1
    log = json.loads(out.out)
    schema = json.loads((SHARED / "schemas/sarif-schema-2.1.0.json").read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(log)
    run = log["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert {"NL101", "NL107", "NL202", "NL301"} <= set(rules)
    assert rules["NL101"]["defaultConfiguration"]["level"] == "error"
    assert rules["NL101"]["helpUri"].startswith("https://")
    assert "## Why it matters" in rules["NL101"]["help"]["markdown"]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    nl101 = by_rule["NL101"]
    loc = nl101["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "files/etc/containerd/config.toml"
    assert loc["region"] == {"startLine": 3, "startColumn": 19}
    change = nl101["fixes"][0]["artifactChanges"][0]["replacements"][0]
    text = (repo / "files/etc/containerd/config.toml").read_text()
    start, length = change["deletedRegion"]["charOffset"], change["deletedRegion"]["charLength"]
    assert text[:start] + change["insertedContent"]["text"] + text[start + length:] == text.replace("false", "true")
    assert by_rule["NL107"]["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 3


def test_sarif_uris_fingerprints_and_security_severity(nodelint, tmp_path):
    import jsonschema
    import rfc3986

    write(tmp_path / "etc/sysctl.d/80-sp ace#x.conf", "fs.inotify.max_user_instances = 128\n")
    write(tmp_path / "pins/containerd.json", '{"containerd_version": "1.6.2"}\n')
    log = json.loads(nodelint("--format", "sarif", ".", cwd=tmp_path).out)
    schema = json.loads((SHARED / "schemas/sarif-schema-2.1.0.json").read_text())
    validator = jsonschema.validators.validator_for(schema)
    validator(schema, format_checker=validator.FORMAT_CHECKER).validate(log)
    run = log["runs"][0]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]]
    spaced = next(u for u in uris if "sp" in u)
    ref = rfc3986.uri_reference(spaced)
    rfc3986.validators.Validator().check_validity_of("path").validate(ref)  # raises on an invalid path
    assert ref.fragment is None and ref.path == "etc/sysctl.d/80-sp%20ace%23x.conf"
    assert all(r.get("helpUri", "").startswith("https://") for r in run["tool"]["driver"]["rules"])
    nl301 = next(r for r in run["results"] if r["ruleId"] == "NL301")
    assert nl301["properties"]["security-severity"] in ("8.0", "5.5", "3.0")
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["NL301"]["properties"]["security-severity"] == "8.0"
    again = json.loads(nodelint("--format", "sarif", ".", cwd=tmp_path).out)["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in again] == [r["partialFingerprints"] for r in run["results"]]
    assert len({r["partialFingerprints"]["nodelintFindingHash/v1"] for r in run["results"]}) == len(run["results"])


def test_junit_has_a_test_case_per_file_and_a_failure_per_finding(nodelint, repo):
    out = nodelint("--format", "junit", "--select", "NL1,NL2", cwd=repo)
    root = ET.fromstring(out.out)
    suite = root.find("testsuite")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == {"files/etc/containerd/config.toml", "files/var/lib/kubelet/config.yaml",
                          "files/etc/sysctl.d/50-k8s.conf"}
    assert [f.get("message").split(":")[0] for f in cases["files/etc/containerd/config.toml"].findall("failure")] \
        == ["NL101"]
    assert cases["files/etc/sysctl.d/50-k8s.conf"].find("failure").get("type") == "warning"
    assert suite.get("failures") == "3" and suite.get("tests") == "3"
    relaxed = ET.fromstring(nodelint("--format", "junit", "--fail-on", "error", cwd=repo).out)
    sysctl = [c for c in relaxed.iter("testcase") if c.get("name").endswith("50-k8s.conf")][0]
    assert sysctl.find("failure") is None and "NL202" in sysctl.find("system-out").text


def test_junit_counts_agree_for_every_consumer(nodelint, repo, tmp_path):
    """Consumers count failing cases or failure elements (junitparser counts elements); both agree,
    and no attribute the Jenkins/xunit schema (junit-10.xsd) refuses is written."""
    from junitparser import JUnitXml

    report = tmp_path / "junit.xml"
    nodelint("--format", "junit", "-o", report, cwd=repo)
    suite = next(iter(JUnitXml.fromfile(str(report))))
    failing = [case for case in suite if any(r._tag == "failure" for r in case.result)]
    elements = sum(1 for case in suite for r in case.result if r._tag == "failure")
    assert suite.failures == len(failing) == elements > 0
    assert all(set(case._elem.attrib) <= {"name", "classname", "time", "assertions", "status"} for case in suite)


def test_junit_report_is_valid_for_the_jenkins_xunit_schema(nodelint, repo, tmp_path):
    """tests/schemas/junit-10.xsd is the xunit plugin's JUnit schema (jenkinsci/xunit-plugin, MIT)."""
    import xmlschema

    schema = xmlschema.XMLSchema(str(Path(__file__).parent / "schemas/junit-10.xsd"))
    report = tmp_path / "junit.xml"
    nodelint("--format", "junit", "-o", report, cwd=repo)
    schema.validate(str(report))
    tampered = report.read_text().replace("<testcase ", '<testcase flavour="x" ', 1)
    assert not schema.is_valid(tampered)


def test_github_annotations(nodelint, repo):
    out = nodelint("--format", "github", "--select", "NL101,NL202", cwd=repo)
    lines = out.out.splitlines()
    assert lines[0].startswith("::error file=files/etc/containerd/config.toml,line=3,col=19,title=NL101::")
    assert lines[1].startswith("::warning file=files/etc/sysctl.d/50-k8s.conf,line=2,col=31,title=NL202::")
    from nodelint.values.findings import Finding
    from nodelint.report import github

    escaped = github.render([Finding("NL001", "info", "a,b:c.conf", 1, 1, "50% done\nnext")])
    assert escaped == "::notice file=a%2Cb%3Ac.conf,line=1,col=1,title=NL001::50%25 done%0Anext\n"


def test_prometheus_textfile_parses_and_is_written_atomically(nodelint, repo, tmp_path):
    from prometheus_client.parser import text_string_to_metric_families

    target = tmp_path / "textfile" / "nodelint.prom"
    target.parent.mkdir()
    target.write_text("stale\n")
    out = nodelint("--format", "prometheus", "--output", target, cwd=repo)
    assert out.code == 1 and out.out == ""
    families = {f.name: f for f in text_string_to_metric_families(target.read_text())}
    samples = {(s.labels.get("rule"), s.labels.get("path")): s.value for s in families["nodelint_findings"].samples}
    assert samples[("NL101", "files/etc/containerd/config.toml")] == 1
    assert families["nodelint_run_success"].samples[0].value == 1
    assert families["nodelint_last_run_timestamp_seconds"].samples[0].value > 1.7e9
    assert sorted(os.listdir(target.parent)) == ["nodelint.prom"]  # no temp files left
    from nodelint.values.findings import Finding
    from nodelint.report import prometheus

    tricky = prometheus.render([Finding("NL001", "error", 'a"b\\c', 1, 1, "x")], success=False, now=1.0)
    parsed = {f.name: f for f in text_string_to_metric_families(tricky)}
    assert parsed["nodelint_findings"].samples[0].labels["path"] == 'a"b\\c'
    assert parsed["nodelint_run_success"].samples[0].value == 0


PROMTOOL = __import__("pathlib").Path(__file__).resolve().parents[1] / ".cache/prometheus/usr/bin/promtool"


def test_a_failed_run_still_writes_run_success_0_with_node_paths(nodelint, tmp_path):
    """The documented alert (nodelint_run_success == 0) must fire: a run that fails writes the file."""
    from prometheus_client.parser import text_string_to_metric_families

    target = tmp_path / "nodelint.prom"
    target.write_text("nodelint_run_success 1\n")  # the previous run's
    out = nodelint("--format", "prometheus", "-o", target, "--root", tmp_path / "nowhere")
    assert out.code == 2
    families = {f.name: f for f in text_string_to_metric_families(target.read_text())}
    assert families["nodelint_run_success"].samples[0].value == 0
    assert families["nodelint_last_run_timestamp_seconds"].samples[0].value > 1.7e9
    host = tmp_path / "host"  # a DaemonSet's mount of the node's root
    write(host / "etc/docker/daemon.json", '{"exec-opts": ["native.cgroupdriver=cgroupfs"]}\n')
    nodelint("--format", "prometheus", "-o", target, "--root", host, "--select", "NL1")
    paths = {s.labels["path"] for f in text_string_to_metric_families(target.read_text())
             if f.name == "nodelint_findings" for s in f.samples}
    assert paths == {"/etc/docker/daemon.json"}
    if PROMTOOL.exists():
        import subprocess

        checked = subprocess.run([str(PROMTOOL), "check", "metrics"], input=target.read_text(), capture_output=True,
                                 text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_output_to_a_missing_directory_is_a_clean_error(nodelint, repo, tmp_path):
    out = nodelint("--format", "json", "--output", tmp_path / "nope" / "r.json", cwd=repo)
    assert out.code == 2 and out.err.startswith("nodelint: error:") and "Traceback" not in out.err
