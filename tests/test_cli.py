"""The command line as users meet it: exit codes, output formats, selection, configuration."""
from __future__ import annotations

import json
import os
import re

import pytest

from .conftest import run_exe, write

BAD_DOCKER = '{\n  "exec-opts": ["native.cgroupdriver=cgroupfs"]\n}\n'
MISSING_DOCKER = '{\n  "bridge": "none"\n}\n'
GOOD_DOCKER = '{\n  "exec-opts": ["native.cgroupdriver=systemd"]\n}\n'


@pytest.fixture
def repo(tmp_path):
    write(tmp_path / "files/etc/docker/daemon.json", BAD_DOCKER)
    write(tmp_path / "files/etc/containerd/runsc.toml", '[runsc_config]\n  systemd-cgroup = "true"\n')
    write(tmp_path / "files/etc/sysctl.d/60-inotify.conf",
          "fs.inotify.max_user_instances = 8192\nfs.inotify.max_user_watches = 524288\n")
    write(tmp_path / "README.md", "not a config\n")
    return tmp_path


def test_bare_form_is_check_and_paths_default_to_cwd(nodelint, repo):
    a = nodelint("--format", "json", cwd=repo)
    b = nodelint("check", "--format", "json", ".", cwd=repo)
    assert a.code == b.code == 1
    assert a.json == b.json


def test_json_report_is_the_documented_contract(nodelint, repo):
    out = nodelint("--format", "json", cwd=repo)
    assert out.json == {
        "version": 1,
        "findings": [{
            "rule": "NL104", "severity": "error", "path": "files/etc/docker/daemon.json", "line": 2,
            "column": 17, "fixable": True,
            "message": "Docker uses the cgroupfs cgroup driver (native.cgroupdriver=cgroupfs in exec-opts), not systemd",
        }],
        "summary": {"files": 3, "findings": 1, "fixed": 0},
    }


def test_text_report_lines_and_summary(nodelint, repo):
    out = nodelint("--no-color", cwd=repo)
    lines = out.out.splitlines()
    assert re.fullmatch(r"files/etc/docker/daemon\.json:2:17: NL104 error .* \[\*\]", lines[0])
    assert lines[-1] == "Found 1 finding (1 error) in 3 files checked; 1 fixable with --fix."
    assert nodelint("--quiet", cwd=repo).out.splitlines() == lines[:-1]


def test_exit_codes_follow_fail_on(nodelint, tmp_path):
    path = write(tmp_path / "etc/docker/daemon.json", MISSING_DOCKER)  # a warning
    assert nodelint(path).code == 1
    assert nodelint("--fail-on", "error", path).code == 0
    assert nodelint(write(tmp_path / "g/etc/docker/daemon.json", GOOD_DOCKER)).code == 0


def test_fix_writes_and_reports_what_remains(nodelint, repo):
    out = nodelint("--fix", "--no-color", cwd=repo)
    assert out.code == 0
    assert out.out.strip() == "Fixed 1 finding. No findings (3 files checked)."
    assert (repo / "files/etc/docker/daemon.json").read_text() == GOOD_DOCKER
    assert nodelint("--fix", cwd=repo).out.startswith("Nothing to fix.")


def test_diff_shows_the_fix_and_writes_nothing(nodelint, repo):
    out = nodelint("--diff", cwd=repo)
    assert out.code == 1
    assert out.out == ("--- a/files/etc/docker/daemon.json\n+++ b/files/etc/docker/daemon.json\n"
                       "@@ -1,3 +1,3 @@\n {\n-  \"exec-opts\": [\"native.cgroupdriver=cgroupfs\"]\n"
                       "+  \"exec-opts\": [\"native.cgroupdriver=systemd\"]\n }\n")
    assert (repo / "files/etc/docker/daemon.json").read_text() == BAD_DOCKER
    nodelint("--fix", cwd=repo)
    assert nodelint("--diff", cwd=repo).code == 0


def test_select_ignore_and_prefixes(nodelint, repo):
    assert nodelint("--format", "json", "--select", "NL2", cwd=repo).rules() == []
    assert nodelint("--format", "json", "--select", "NL1", cwd=repo).rules() == ["NL104"]
    assert nodelint("--format", "json", "--ignore", "NL104", cwd=repo).rules() == []
    assert nodelint("--format", "json", "--select", "NL104", "--ignore", "NL1", cwd=repo).rules() == ["NL104"]
    assert nodelint("--format", "json", "--select", "NL2", "--extend-select", "NL104", cwd=repo).rules() == ["NL104"]


def test_configuration_in_pyproject(nodelint, repo):
    write(repo / "pyproject.toml", '[tool.nodelint]\nfail-on = "error"\n'
          '[tool.nodelint.severity]\nNL104 = "warning"\n')
    out = nodelint("--format", "json", cwd=repo)
    assert out.json["findings"][0]["severity"] == "warning"
    assert out.code == 0
    write(repo / ".nodelint.toml", '[per-file-ignores]\n"files/etc/docker/*" = ["NL104"]\n')
    assert nodelint("--format", "json", cwd=repo).rules() == []  # the nearest file wins


def test_a_pyproject_without_nodelint_is_not_ours_to_judge(nodelint, repo):
    write(repo / "pyproject.toml", "[tool.black\nbroken = \n")  # not read: it never mentions nodelint
    assert nodelint("--format", "json", cwd=repo).rules() == ["NL104"]
    write(repo / "pyproject.toml", "[tool.nodelint\nbroken = \n")
    out = nodelint(cwd=repo)
    assert out.code == 2 and "pyproject.toml" in out.err


def test_a_config_file_that_is_not_utf8_is_a_one_line_error(nodelint, repo):
    (repo / ".nodelint.toml").write_bytes(b'fail-on = "\xff"\n')
    out = nodelint(cwd=repo)
    assert out.code == 2 and ".nodelint.toml: not UTF-8" in out.err and "Traceback" not in out.err


def test_configured_kinds_and_cgroupfs_target(nodelint, tmp_path):
    write(tmp_path / ".nodelint.toml", 'cgroup-driver = "cgroupfs"\n[kinds]\n"deploy/*.cfg" = "docker"\n')
    write(tmp_path / "deploy/engine.cfg", GOOD_DOCKER)
    out = nodelint("--format", "json", cwd=tmp_path)
    assert out.rules() == ["NL104"]
    assert "not cgroupfs" in out.json["findings"][0]["message"]


@pytest.mark.parametrize("text, message", [
    ("unknown-key = 1\n", "unknown key 'unknown-key'"),
    ('fail-on = "fatal"\n', "'fail-on' must be one of"),
    ("select = [\n", ".nodelint.toml"),
])
def test_bad_configuration_is_a_one_line_error(nodelint, tmp_path, text, message):
    write(tmp_path / ".nodelint.toml", text)
    out = nodelint(cwd=tmp_path)
    assert out.code == 2
    assert message in out.err and len(out.err.strip().splitlines()) == 1


def test_usage_errors_exit_2(nodelint, tmp_path):
    for args in (["--format", "xml"], ["--kind", "nope", "x"], ["--fail-on", "x"], ["--no-such-flag"],
                 [str(tmp_path / "missing.toml")], ["--root", str(tmp_path / "missing")]):
        out = nodelint(*args, cwd=tmp_path)
        assert out.code == 2, args
        assert out.err.startswith("nodelint: error:") and "Traceback" not in out.err


def test_unknown_files_named_explicitly_get_nl000(nodelint, repo):
    out = nodelint("--format", "json", repo / "README.md")
    assert out.rules() == ["NL000"] and out.code == 0
    assert nodelint("--format", "json", "--kind", "docker", repo / "README.md").rules() == ["NL001"]


def test_no_color_and_color(tmp_path, monkeypatch):
    write(tmp_path / "etc/docker/daemon.json", BAD_DOCKER)
    from nodelint.report.text import use_color

    class Tty:
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color(False, Tty())
    assert not use_color(True, Tty())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(False, Tty())


def test_rules_and_explain(nodelint):
    out = nodelint("rules")
    assert out.code == 0
    assert re.search(r"^NL101  error    fix     runc-without-systemd-cgroup: ", out.out, re.M)
    assert re.search(r"^NL301  error    unsafe  containerd-below-fixed-version: ", out.out, re.M)
    doc = nodelint("explain", "nl101")
    assert doc.code == 0 and "Why it matters\n--------------" in doc.out and "SystemdCgroup = true" in doc.out
    missing = nodelint("explain", "NL999")
    assert missing.code == 2 and "unknown rule" in missing.err


def test_internal_errors_are_one_line_without_traceback(nodelint, repo, monkeypatch):
    from nodelint.rules import nl104_docker_cgroup_driver as rule

    def boom(doc, settings):
        raise RuntimeError("simulated")

    monkeypatch.setattr(rule, "check", boom)
    out = nodelint(cwd=repo)
    assert out.code == 2
    assert out.err.strip() == ("nodelint: internal error: RuntimeError: simulated (run with --debug for details)")


def test_console_script_and_module_entry_points(repo):
    p = run_exe("--format", "json", cwd=repo)
    assert p.returncode == 1 and '"NL104"' in p.stdout
    import subprocess
    import sys

    m = subprocess.run([sys.executable, "-m", "nodelint", "--version"], capture_output=True, text=True)
    assert m.returncode == 0 and m.stdout.startswith("nodelint ")


def test_fix_keeps_mode_and_leaves_no_temp_files(nodelint, tmp_path):
    path = write(tmp_path / "etc/docker/daemon.json", BAD_DOCKER)
    os.chmod(path, 0o640)
    nodelint("--fix", path)
    assert oct(path.stat().st_mode & 0o777) == "0o640"
    assert sorted(p.name for p in path.parent.iterdir()) == ["daemon.json"]


def test_a_file_changed_after_reading_is_not_overwritten(tmp_path):
    from nodelint.write.atomic import WriteError, atomic_write

    path = write(tmp_path / "f", "new content\n")
    with pytest.raises(WriteError, match="changed on disk"):
        atomic_write(str(path), b"fixed\n", expected=b"old content\n")
    assert path.read_text() == "new content\n"


def test_gitignored_files_are_skipped_when_walking(nodelint, tmp_path):
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path / ".gitignore", "build/\n")
    write(tmp_path / "build/etc/docker/daemon.json", BAD_DOCKER)
    write(tmp_path / "files/etc/docker/daemon.json", GOOD_DOCKER)
    out = nodelint("--format", "json", "--select", "NL1", cwd=tmp_path)
    assert out.json["summary"]["files"] == 1 and out.rules() == []


def test_diff_with_output_writes_the_report_of_what_fix_would_leave(nodelint, repo, tmp_path):
    report = tmp_path / "left.json"
    write(repo / "files/etc/containerd/runsc.toml", "[runsc_config]\n  systemd-cgroup = true\n")  # fixable too
    out = nodelint("--diff", "--format", "json", "--output", report, cwd=repo)
    assert out.code == 1 and out.out.startswith("--- a/")
    assert json.loads(report.read_text())["findings"] == []  # --fix would leave nothing
    assert "cgroupfs" in (repo / "files/etc/docker/daemon.json").read_text()  # and nothing was written


def test_unknown_rule_codes_are_usage_errors_with_a_suggestion(nodelint, tmp_path):
    path = write(tmp_path / "etc/docker/daemon.json", BAD_DOCKER)
    out = nodelint("--select", "NL999", path)
    assert out.code == 2 and "unknown rule code 'NL999' in select; did you mean" in out.err
    assert nodelint("--select", "XYZ", path).code == 2
    write(tmp_path / ".nodelint.toml", 'select = ["NL9"]\n')
    out = nodelint(path, cwd=tmp_path)
    assert out.code == 2 and ".nodelint.toml: unknown rule code 'NL9'" in out.err
    (tmp_path / ".nodelint.toml").unlink()
    ignored = nodelint("--ignore", "NL999", path)
    assert ignored.code == 1 and "warning: unknown rule code 'NL999' in ignore" in ignored.err


def test_mistakes_never_pass_silently(nodelint, tmp_path, monkeypatch):
    path = write(tmp_path / "etc/docker/daemon.json", GOOD_DOCKER)
    out = nodelint("--runtime-version", "containerd=abc", path)
    assert out.code == 2 and "'abc' is not a version" in out.err
    assert "--unsafe-fixes does nothing" in nodelint("--unsafe-fixes", path).err
    assert nodelint("--root", str(tmp_path / "nowhere")).err.strip().endswith("no such directory (--root)")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no node configuration files found" in nodelint(str(empty)).err
    monkeypatch.setenv("NODELINT_TODAY", "garbage")
    out = nodelint(path)
    assert out.code == 2 and out.err.strip() == "nodelint: error: NODELINT_TODAY must be a date, YYYY-MM-DD (not 'garbage')"
    monkeypatch.delenv("NODELINT_TODAY")
    write(tmp_path / "cfg/.nodelint.toml", '[tool.nodelint]\nselect = ["NL1"]\n')
    out = nodelint(write(tmp_path / "cfg/etc/docker/daemon.json", GOOD_DOCKER))
    assert out.code == 2 and "drop the [tool.nodelint] prefix" in out.err


def test_help_shows_the_default_commands_options_and_explain_renders(nodelint):
    from .conftest import run_exe

    helped = run_exe("--help")
    assert "--fix" in helped.stdout and "--select" in helped.stdout and "nodelint explain CODE" in helped.stdout
    shown = run_exe("explain", "runc-without-systemd-cgroup").stdout
    assert shown.startswith("NL101 runc-without-systemd-cgroup") and "``" not in shown and "```" not in shown
    assert "What it does\n------------" in shown


def test_every_rules_docs_render_without_markup(nodelint):
    """``code`` spans cut by a line break included."""
    from nodelint.report.docs_terminal import render
    from nodelint.rules import registry

    for rule in registry().values():
        shown = render(rule.docs, color=False)
        assert "``" not in shown and "```" not in shown, rule.code


def test_diff_reports_say_what_fix_would_do_and_do_not_depend_on_stdout(tmp_path):
    import subprocess

    from .conftest import nodelint_exe

    path = write(tmp_path / "etc/docker/daemon.json", BAD_DOCKER)
    report = tmp_path / "report.txt"
    p = subprocess.run(f"{nodelint_exe()} --diff -o {report} {path} | head -1", shell=True, capture_output=True,
                       text=True)
    assert p.stdout.startswith("---") and "Traceback" not in p.stderr
    assert report.read_text().splitlines()[-1].startswith("--fix would fix 1 finding.")
    as_json = tmp_path / "report.json"
    subprocess.run([nodelint_exe(), "--diff", "--format", "json", "-o", str(as_json), str(path)], capture_output=True)
    assert json.loads(as_json.read_text())["summary"] == {"files": 1, "findings": 0, "fixed": 0, "would_fix": 1}
    assert path.read_text() == BAD_DOCKER
    clean = write(tmp_path / "g/etc/docker/daemon.json", GOOD_DOCKER)
    done = subprocess.run([nodelint_exe(), "--diff", str(clean)], capture_output=True, text=True)
    assert done.stderr.strip() == "No file would be changed by --fix."


def test_progress_shows_on_a_terminal_after_a_while_and_clears(capsys):
    from nodelint.cli.render import Progress

    quiet = Progress(10, enabled=False, delay=0)
    quiet.update(5, 1)
    quiet.end()
    assert capsys.readouterr().err == ""
    shown = Progress(10, enabled=True, delay=0)
    shown.update(5, 2)
    shown.end()
    err = capsys.readouterr().err
    assert "5/10 files" in err and "2 findings so far" in err and err.endswith("\r\033[K")
    late = Progress(10, enabled=True, delay=60)
    late.update(10, 0)
    late.end()
    assert capsys.readouterr().err == ""  # a short run shows nothing


def test_diff_is_colored_only_when_asked_or_on_a_terminal(tmp_path, monkeypatch):
    import subprocess

    from .conftest import nodelint_exe

    path = write(tmp_path / "etc/docker/daemon.json", BAD_DOCKER)
    plain = subprocess.run([nodelint_exe(), "--diff", str(path)], capture_output=True, text=True)
    assert "\033[" not in plain.stdout and "\r" not in plain.stderr
    colored = subprocess.run([nodelint_exe(), "--diff", str(path)], capture_output=True, text=True,
                             env={**os.environ, "FORCE_COLOR": "1"})
    assert "\033[31m-" in colored.stdout and "\033[32m+" in colored.stdout


def test_trailing_suppression_in_whole_line_comment_formats_does_not_hide_findings(nodelint, tmp_path):
    trailing = write(tmp_path / "a/etc/sysctl.d/60-k.conf",
                     "fs.inotify.max_user_instances = 128  # nodelint: ignore[NL201]\n")
    assert "NL201" in nodelint("--format", "json", trailing).rules()
    above = write(tmp_path / "b/etc/sysctl.d/60-k.conf",
                  "# nodelint: ignore[NL201]\nfs.inotify.max_user_instances = 128\n")
    assert "NL201" not in nodelint("--format", "json", above).rules()


def test_configuration_is_found_where_the_files_are(nodelint, tmp_path):
    """The nearest .nodelint.toml above each checked path governs it, as ruff and yamllint do."""
    a = write(tmp_path / "a/etc/docker/daemon.json", BAD_DOCKER)
    b = write(tmp_path / "b/etc/docker/daemon.json", BAD_DOCKER)
    write(tmp_path / "b/.nodelint.toml", 'ignore = ["NL104"]\n')
    out = nodelint("--format", "json", str(tmp_path / "a"), str(tmp_path / "b"))
    assert [f["path"] for f in out.json["findings"]] == [str(a)]
    assert nodelint("--format", "json", str(b)).json["findings"] == []  # named file, config next to it
    assert len(nodelint("--format", "json", "--config", str(tmp_path / "b/.nodelint.toml"), str(a)).json["findings"]) == 0


def test_exclude_applies_to_named_files(nodelint, tmp_path):
    path = write(tmp_path / "vendor/etc/docker/daemon.json", BAD_DOCKER)
    write(tmp_path / ".nodelint.toml", 'exclude = ["vendor/**"]\n')
    assert nodelint("--format", "json", path).json["findings"] == []


def test_counts_and_places_read_right(nodelint, tmp_path, monkeypatch):
    unknown = write(tmp_path / "notes.txt", "hello\n")
    assert nodelint(str(unknown)).out.strip().endswith("in 1 file checked.")  # the named file is counted
    root = tmp_path / "img"
    write(root / "etc/docker/daemon.json", BAD_DOCKER)
    write(root / "etc/sysctl.d/60-k.conf", "fs.inotify.max_user_instances = 128\n")
    out = nodelint("--root", str(root), "etc/docker/daemon.json")
    assert out.out.strip().endswith("in 1 file checked; 1 fixable with --fix.")  # not the whole root
    assert nodelint("--select", "ex", str(root)).code == 2  # a path taken as the code list
    env = write(tmp_path / "e/etc/default/kubelet", "KUBELET_EXTRA_ARGS=--cgroup-driver=cgroupfs # a comment\n")
    assert "NL105" in nodelint("--format", "json", env).rules()
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "c/.nodelint.toml", "select = 3\n")
    bad = nodelint(str(write(tmp_path / "c/etc/docker/daemon.json", GOOD_DOCKER).relative_to(tmp_path)))
    assert bad.err.strip() == "nodelint: error: c/.nodelint.toml: 'select' must be a list of strings"
