"""Runtime versions: every form they come in, every advisory's boundaries, every source."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import struct
import subprocess

import pytest

from nodelint.read.settings import Settings
from nodelint.models.versions import _builtin, catalogue, line_of, parse

from .conftest import CORPUS, REPO, needs_corpus, write


@pytest.mark.parametrize("raw, version, line, package", [
    ("v1.7.2", "1.7.2", (1, 7), None),
    ("1.6.20~ds1-1+deb12u3", "1.6.20", (1, 6), "Debian"),
    ("1:1.7.27-1", "1.7.27", (1, 7), "Debian"),
    ("1.7.27-3.1.el9", "1.7.27", (1, 7), "RPM"),
    ("2.0.0~rc1-1", "2.0.0rc1", (2, 0), "Debian"),
    ("1.0.0-rc7", "1.0.0rc7", (1, 0), None),
    ("1.2.0-rc.3", "1.2.0rc3", (1, 2), None),
    ("release-20240401.0", "20240401.0", ("release",), None),
    ("20240401", "20240401.0", ("release",), None),
    ("docker-v29.3.1", "29.3.1", (29, 3), None),
    ("19.03", "19.3", (19, 3), None),
])
def test_version_forms(raw, version, line, package):
    r = parse(raw)
    assert (str(r.version), r.line, r.package) == (version, line, package)


@pytest.mark.parametrize("raw", ["1.7.*", "2.*", "*", "latest", "stable", "none", "", "{{ containerd_version }}",
                                 "${var.v}", None, True])
def test_what_is_not_a_pinned_version(raw):
    assert parse(raw) is None


def _below(v):
    """A version just below ``v`` on its own line."""
    if v.pre is not None:
        kind, n = v.pre
        return parse(f"{v.base_version}-{kind}{n - 1}").version if n > 1 else None
    rel = list(v.release)
    if line_of(v) == ("release",):
        day = dt.date(rel[0] // 10000, rel[0] // 100 % 100, rel[0] % 100) - dt.timedelta(days=1)
        return parse(day.strftime("%Y%m%d") + ".0").version
    if rel[-1] == 0:
        return parse(".".join(map(str, rel[:-1] + [0])) + "-rc1").version
    return parse(".".join(map(str, rel[:-1] + [rel[-1] - 1]))).version


def _above(v):
    rel = list(v.release) + [0] * (3 - len(v.release))
    return parse(".".join(map(str, rel[:-1] + [rel[-1] + 1]))).version


def boundary_cases():
    advisories, _ = _builtin()
    for a in advisories:
        for fixed in a.fixed:
            yield pytest.param(a, fixed, id=f"{a.id}@{fixed}")


@pytest.mark.parametrize("advisory, fixed", list(boundary_cases()))
def test_every_advisory_boundary(advisory, fixed):
    assert advisory.missed_by(fixed) is None, "the fixed release itself"
    assert advisory.missed_by(_above(fixed)) is None, "later on the same line"
    below = _below(fixed)
    if below is not None and (advisory.introduced is None or below >= advisory.introduced):
        assert advisory.missed_by(below) == fixed, "just below the fix on its line"


def test_lines_without_a_fix_and_lines_newer_than_every_fix():
    advisories = {a.id: a for a in _builtin()[0]}
    authz = advisories["CVE-2024-41110"]  # fixed 23.0.15, 25.0.6, 26.1.5, 27.1.1
    assert authz.missed_by(parse("24.0.9").version) == parse("25.0.6").version  # 24.0 never got it
    assert authz.missed_by(parse("20.10.27").version) == parse("23.0.15").version
    assert authz.missed_by(parse("18.09.9").version) is None  # before it was introduced (19.03.0)
    assert authz.missed_by(parse("28.0.0").version) is None  # newer than every fixed line
    runc = advisories["CVE-2026-41579"]  # fixed 1.3.6, 1.4.3, 1.5.0: no 1.2 fix
    assert runc.missed_by(parse("1.2.9").version) == parse("1.3.6").version


def test_runsc_has_one_line_even_when_a_version_is_not_date_shaped():
    """Found by scripts/fuzz: a mangled runsc pin was compared with runsc's date line (str vs int)."""
    limits = {a.id: a for a in _builtin()[0]}["runsc-cgroupv2-systemd-parent-limits"]
    assert limits.missed_by(parse("2026081.0", "runsc").version) == parse("20231106.0").version
    assert parse("2026081.0", "runsc").line == ("release",)


def test_runsc_dates():
    limits = {a.id: a for a in _builtin()[0]}["runsc-cgroupv2-systemd-parent-limits"]
    assert limits.missed_by(parse("release-20231105.0").version) == parse("20231106.0").version
    assert limits.missed_by(parse("release-20231106.0").version) is None


def test_end_of_life_by_date_and_older_lines():
    cat = catalogue(Settings())
    day = dt.date(2026, 11, 23)
    assert cat.end_of_life("containerd", parse("1.6.38").version, day).date == dt.date(2025, 8, 23)
    assert cat.end_of_life("containerd", parse("1.4.13").version, day) is not None  # older than every line
    assert cat.end_of_life("containerd", parse("2.3.2").version, day) is None
    assert cat.end_of_life("containerd", parse("2.2.0").version, dt.date(2026, 11, 6)) is not None
    assert cat.end_of_life("containerd", parse("2.2.0").version, dt.date(2026, 11, 5)) is None
    assert cat.end_of_life("kubelet", parse("1.36.1").version, day) is None  # newer than every listed line
    assert cat.end_of_life("kubelet", parse("1.34.3").version, day) is not None


# ------------------------------------------------------------------ findings


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("NODELINT_TODAY", "2026-11-23")


def findings(nodelint, *args, cwd=None):
    return nodelint("--format", "json", *args, cwd=cwd).json["findings"]


@needs_corpus
def test_corpus_pins(nodelint, tmp_path):
    old = tmp_path / "containerd.json"
    shutil.copyfile(CORPUS / "image-builder-4819093/images/capi/packer/config/containerd.json", old)
    out = findings(nodelint, old)
    assert [(f["rule"], f["severity"], f["line"]) for f in out] == [("NL301", "error", 6), ("NL306", "warning", 6)]
    assert "CVE-2024-40635 (medium, fixed in 1.6.38)" in out[0]["message"]
    assert "CVE-2024-25621 (high, no fix on this line: 1.7.29)" in out[0]["message"]
    docker = findings(nodelint, CORPUS / "kubespray/roles/container-engine/docker/vars/uniontech.yml")
    assert [(f["rule"], f["severity"]) for f in docker] == [("NL304", "error")]
    assert "docker 19.03 (pin: docker_version)" in docker[0]["message"]
    current = [CORPUS / p for p in ("image-builder/images/capi/packer/config/containerd.json",
                                    "image-builder/images/capi/packer/config/kubernetes.json",
                                    "image-builder/images/capi/ansible/roles/containerd/defaults/main.yml",
                                    "extensions/container-runtime/vars.yaml",
                                    "amazon-eks-ami/templates/al2023/variables-default.json")]
    assert findings(nodelint, *current) == []  # current pins, wildcards and templates are no finding


def test_unsafe_fix_raises_the_pin_on_its_line_keeping_its_form(nodelint, tmp_path):
    json_pin = write(tmp_path / "packer/containerd.json", '{\n  "containerd_version": "1.7.20",\n  "x": 1\n}\n')
    yaml_pin = write(tmp_path / "group_vars/all/k8s.yml", "kubernetes_semver: v1.30.2\nrunc_version: '1.1.11'\n")
    hcl_pin = write(tmp_path / "node.pkrvars.hcl", '# pins\ncontainerd_version = "1.6.30" # old\n')
    before = [p.read_text() for p in (json_pin, yaml_pin, hcl_pin)]
    plain = nodelint("--fix", "--no-color", json_pin, yaml_pin, hcl_pin)
    assert [p.read_text() for p in (json_pin, yaml_pin, hcl_pin)] == before  # unsafe: not without the flag
    assert "4 more with --fix --unsafe-fixes" in plain.out.splitlines()[-1]
    out = nodelint("--fix", "--unsafe-fixes", json_pin, yaml_pin, hcl_pin)
    assert json_pin.read_text() == '{\n  "containerd_version": "1.7.29",\n  "x": 1\n}\n'
    assert yaml_pin.read_text() == "kubernetes_semver: v1.30.3\nrunc_version: '1.1.14'\n"  # CVE-2024-45310: 1.1.14
    assert hcl_pin.read_text() == '# pins\ncontainerd_version = "1.6.38" # old\n'
    # 1.6 has no fix for some advisories and is end of life: still reported after the pin is raised
    assert sorted({f["rule"] for f in findings(nodelint, hcl_pin)}) == ["NL301", "NL306"]
    assert out.code == 1


def test_variables_pkr_hcl_defaults(nodelint, tmp_path):
    hcl = write(tmp_path / "variables.pkr.hcl", 'variable "runc_version" {\n  type    = string\n'
                '  default = "1.1.11"\n}\nvariable "other" { default = "x" }\n')
    out = findings(nodelint, hcl)
    assert [(f["rule"], f["line"], f["column"]) for f in out] == [("NL302", 3, 14)]


def test_declared_versions_and_waivers(nodelint, tmp_path):
    out = findings(nodelint, "--runtime-version", "runsc=release-20230920.0", tmp_path)
    assert [(f["rule"], f["path"]) for f in out] == [("NL303", "--runtime-version runsc=release-20230920.0")]
    write(tmp_path / ".nodelint.toml", '[versions]\nrunsc = "20230920.0"\nwaive = [\n'
          '  {id = "runsc-cgroupv2-systemd-parent-limits", reason = "no cgroup v2 nodes"},\n'
          '  {id = "runsc-systemd-path-warning", reason = "log only"},\n'
          '  {id = "runsc-systemd-path-autodetect", reason = "we set systemd-cgroup"},\n]\n')
    assert findings(nodelint, ".", cwd=tmp_path) == []
    write(tmp_path / ".nodelint.toml", '[versions]\nwaive = ["CVE-2024-41110"]\n')
    bad = nodelint(".", cwd=tmp_path)
    assert bad.code == 2 and "needs an id and a reason" in bad.err


def test_user_advisories(nodelint, tmp_path):
    write(tmp_path / ".nodelint.toml", '[versions]\ncontainerd = "2.3.1"\n[[versions.advisory]]\n'
          'component = "containerd"\nid = "INTERNAL-1"\nsummary = "our finding"\nfixed = ["2.3.2"]\n'
          'severity = "high"\n')
    out = findings(nodelint, ".", cwd=tmp_path)
    assert [(f["rule"], "INTERNAL-1 (high, fixed in 2.3.2)" in f["message"]) for f in out] == [("NL301", True)]


# ------------------------------------------------------------------- sources


@pytest.mark.skipif(not os.path.isfile("/var/lib/dpkg/status"), reason="no dpkg status on this machine")
def test_a_real_dpkg_status_file(nodelint, tmp_path):
    root = tmp_path / "img"
    (root / "var/lib/dpkg").mkdir(parents=True)
    shutil.copyfile("/var/lib/dpkg/status", root / "var/lib/dpkg/status")
    lines = (root / "var/lib/dpkg/status").read_text().splitlines()
    installed = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Version}\n", "containerd", "runc"],
                               capture_output=True, text=True).stdout.split("\n")
    out = findings(nodelint, "--select", "NL3", "--root", root)
    for pkg_version in filter(None, installed):
        package, version = pkg_version.split()
        hits = [f for f in out if version in f["message"]]
        assert hits, f"{package} {version} not reported"
        assert lines[hits[0]["line"] - 1] == f"Version: {version}"
        assert "Debian package" in hits[0]["message"] and "backported" in hits[0]["message"]


def test_rpm_sqlite_database(nodelint, tmp_path):
    def header(**tags):
        entries, data = [], b""
        for tag, value in tags.items():
            number = {"name": 1000, "version": 1001, "release": 1002}[tag]
            entries.append(struct.pack(">IIII", number, 6, len(data), 1))
            data += value.encode() + b"\0"
        return struct.pack(">II", len(entries), len(data)) + b"".join(entries) + data

    db = tmp_path / "img/var/lib/rpm/rpmdb.sqlite"
    db.parent.mkdir(parents=True)
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
    con.execute("INSERT INTO Packages (blob) VALUES (?)", (header(name="containerd.io", version="1.6.18",
                                                                  release="3.1.el9"),))
    con.execute("INSERT INTO Packages (blob) VALUES (?)", (header(name="bash", version="5.1", release="1"),))
    con.commit()
    con.close()
    out = findings(nodelint, "--select", "NL301", "--root", tmp_path / "img")
    assert len(out) == 1 and "containerd 1.6.18-3.1.el9 (a RPM package of 1.6.18" in out[0]["message"]


GO = REPO / ".cache/go/usr/lib/go-1.24/bin/go"
needs_go = pytest.mark.skipif(not GO.exists(), reason="no Go toolchain (scripts/install-test-tools unpacks Go 1.24)")


def go_build(src, module: str, package: str, out, ldflags: str = "", tag: str | None = None, files=None):
    env = dict(os.environ, GOROOT=str(GO.parent.parent), GOCACHE=str(src.parent / "gocache"), GOFLAGS="",
               GOPATH=str(src.parent / "gopath"), GOPROXY="off", GOTOOLCHAIN="local", GOTELEMETRY="off")
    write(src / "go.mod", f"module {module}\n\ngo 1.24\n")
    for name, text in (files or {}).items():
        write(src / name, text)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(src)]
    subprocess.run(["git", "init", "-q", str(src)], check=True)
    write(src / ".gitignore", "bin/\n")
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "x"], check=True)
    if tag:
        subprocess.run(git + ["tag", tag], check=True)
    subprocess.run([str(GO), "build", "-ldflags", ldflags, "-o", str(out), package], cwd=src, env=env, check=True,
                   capture_output=True)


@needs_go
def test_go_build_info_from_real_binaries(nodelint, tmp_path):
    root = tmp_path / "img"
    containerd_src = {"version/version.go": "package version\n\nvar Version = \"\"\n",
                      "cmd/containerd/main.go": 'package main\n\nimport "github.com/containerd/containerd/version"\n\n'
                                                "func main() { println(version.Version) }\n"}
    # containerd 1.x: the module version comes from the git tag (Go >= 1.24), no -X
    go_build(tmp_path / "c1", "github.com/containerd/containerd", "./cmd/containerd",
             root / "usr/bin/containerd", tag="v1.6.30", files=containerd_src)
    # runc: -X main.version in a stripped binary
    go_build(tmp_path / "runc", "github.com/opencontainers/runc", ".", root / "usr/sbin/runc",
             ldflags="-s -w -X main.version=1.1.11", files={"main.go": "package main\n\nvar version = \"\"\n\n"
                                                            "func main() { println(version) }\n"})
    # dockerd: a /v2 module builds as (devel): only its -X variable tells
    go_build(tmp_path / "moby", "github.com/moby/moby/v2", "./cmd/dockerd", root / "usr/bin/dockerd",
             ldflags="-X github.com/moby/moby/v2/dockerversion.Version=27.1.0", tag="v2.0.0",
             files={"dockerversion/v.go": "package dockerversion\n\nvar Version = \"\"\n",
                    "cmd/dockerd/main.go": 'package main\n\nimport "github.com/moby/moby/v2/dockerversion"\n\n'
                                          "func main() { println(dockerversion.Version) }\n"})
    out = findings(nodelint, "--select", "NL30", "--root", root)
    got = {f["rule"]: f["message"] for f in out}
    assert "containerd v1.6.30 (buildinfo: Go build info (module github.com/containerd/containerd))" in got["NL301"]
    assert "runc 1.1.11 (buildinfo: Go build info (-X main.version))" in got["NL302"]
    assert "docker 27.1.0 (buildinfo" in got["NL304"] and "CVE-2024-41110 (critical, fixed in 27.1.1)" in got["NL304"]


def test_debian_binaries_yield_no_false_version(nodelint, tmp_path):
    """Debian builds containerd and runc with -trimpath and no version: nothing must be read from them."""
    real = [p for p in ("/usr/bin/containerd", "/usr/sbin/runc", str(REPO / ".cache/containerd2/usr/bin/containerd"))
            if os.path.isfile(p)]
    if not real:
        pytest.skip("no Debian containerd/runc binaries (scripts/install-test-tools installs them)")
    from nodelint.models import version_sources
    from nodelint.read.rootfs import RootFS

    root = tmp_path / "img"
    for src, dest in zip(real, ("usr/bin/containerd", "usr/sbin/runc", "usr/local/bin/containerd")):
        (root / dest).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, root / dest)
    assert version_sources.binaries(RootFS(str(root)), lambda p: p) == []


def test_live_version_output(tmp_path, monkeypatch):
    from nodelint.models import version_sources

    script = write(tmp_path / "containerd", "#!/bin/sh\necho 'containerd github.com/containerd/containerd v1.7.2 abc'\n")
    os.chmod(script, 0o755)
    monkeypatch.setitem(version_sources.BINARIES, "containerd", (str(script).lstrip("/"),))
    for other in ("runc", "runsc", "docker", "kubelet"):
        monkeypatch.setitem(version_sources.BINARIES, other, ())
    facts = version_sources.live(None, lambda p: "/" + p)
    assert [(f.component, f.release.raw, f.source) for f in facts] == [("containerd", "1.7.2", "live")]


# ------------------------------------------------------------ NL401, NL402

V3 = "version = 3\n[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]\n  SystemdCgroup = true\n"
V2 = 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = true\n'


@pytest.mark.parametrize("config, containerd, code", [
    (V3, "1.6.31", "NL401"), (V3, "1.6.32", "NL401"), (V3, "1.7.16", "NL401"), (V3, "1.7.17", "NL401"),
    (V3, "2.0.0", None), (V3.replace("version = 3", "version = 4"), "2.2.4", "NL401"),
    (V3.replace("version = 3", "version = 4"), "2.3.0", None),
    (V2, "1.7.29", None), (V2, "2.1.5", "NL402"), ("root = '/x'\n", "2.0.7", "NL402"),
])
def test_config_version_against_the_containerd_that_reads_it(nodelint, tmp_path, config, containerd, code):
    path = write(tmp_path / "etc/containerd/config.toml", config)
    out = findings(nodelint, "--select", "NL4", "--runtime-version", f"containerd={containerd}", path)
    assert [f["rule"] for f in out] == ([code] if code else [])
    if code == "NL401" and containerd.startswith("1."):
        refuses = containerd in ("1.6.32", "1.7.17")
        assert ("refuses to start" in out[0]["message"]) == refuses
    assert findings(nodelint, "--select", "NL4", path) == []  # no containerd version known: nothing to say


def test_pins_apply_to_the_configs_nearest_to_them(nodelint, tmp_path):
    write(tmp_path / "a/packer/containerd.json", '{"containerd_version": "1.7.20"}')
    write(tmp_path / "a/files/etc/containerd/config.toml", V3)
    write(tmp_path / "b/packer/containerd.json", '{"containerd_version": "2.1.5"}')
    write(tmp_path / "b/files/etc/containerd/config.toml", V3)
    out = findings(nodelint, "--select", "NL4", tmp_path)
    assert [(f["rule"], f["path"].split("/")[-5]) for f in out] == [("NL401", "a")]
