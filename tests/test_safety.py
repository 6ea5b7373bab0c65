"""nodelint never loses or half-writes a file, never leaves the root, never crashes on bad input."""
from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import time

import pytest

from .conftest import nodelint_exe, run_exe, write

V2 = 'plugins."io.containerd.grpc.v1.cri"'
BAD_CONTAINERD = (f"version = 2\n# runc\n[{V2}.containerd.runtimes.runc]\n  runtime_type = \"io.containerd.runc.v2\"\n"
                  f"[{V2}.containerd.runtimes.runc.options]\n  SystemdCgroup = false\n")
BAD_DOCKER = '{\n  "exec-opts": ["native.cgroupdriver=cgroupfs"]\n}\n'
BAD_KUBELET = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: cgroupfs\n"


def many_nodes(root, n):
    for i in range(n):
        node = root / f"node{i:03d}/files"
        write(node / "etc/containerd/config.toml", BAD_CONTAINERD + f"# node {i}\n" + "#\n" * (i % 17))
        write(node / "etc/docker/daemon.json", BAD_DOCKER)
        write(node / "var/lib/kubelet/config.yaml", BAD_KUBELET)
    return {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def temp_files(root):
    return [p for p in root.rglob(".nodelint-*.tmp")]


# ---------------------------------------------------------------------- kill -9


def test_kill_9_at_any_moment_leaves_every_file_old_or_new(tmp_path):
    """SIGKILL a --fix over 300 files at random moments: each file is wholly old or wholly new."""
    pristine = tmp_path / "pristine"
    before = many_nodes(pristine, 100)
    expected = tmp_path / "expected"
    shutil.copytree(pristine, expected)
    start = time.monotonic()
    subprocess.run([nodelint_exe(), "--fix", "--quiet", "--select", "NL1", str(expected)], capture_output=True)
    duration = time.monotonic() - start
    after = {p: (expected / p.relative_to(pristine)).read_bytes() for p in before}
    assert all(after[p] != before[p] for p in before)

    rng = random.Random(20261123)
    partial_seen = 0
    for attempt in range(12):
        work = tmp_path / f"run{attempt}"
        shutil.copytree(pristine, work)
        proc = subprocess.Popen([nodelint_exe(), "--fix", "--quiet", "--select", "NL1", str(work)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, duration * 1.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        new = 0
        for path, old in before.items():
            now = (work / path.relative_to(pristine)).read_bytes()
            assert now in (old, after[path]), f"{path} is neither old nor new after kill at attempt {attempt}"
            new += now == after[path]
        partial_seen += 0 < new < len(before)
        # the next run finishes the job and cleans up what the killed one left
        subprocess.run([nodelint_exe(), "--fix", "--quiet", "--select", "NL1", str(work)], capture_output=True)
        assert all((work / p.relative_to(pristine)).read_bytes() == after[p] for p in before)
        assert temp_files(work) == []
        shutil.rmtree(work)
    assert partial_seen, "no kill landed in the middle of the writes; the harness proves nothing"


def test_ctrl_c_during_a_parallel_fix_leaves_whole_batches_and_nothing_written_after_exit(tmp_path):
    """SIGINT a --fix running in worker processes: running batches finish, no new one starts,
    every file is wholly old or wholly new, and nothing changes once nodelint has exited."""
    codes = signal_parallel_fixes(tmp_path, signal.SIGINT, seed=20261124, earliest=0.1)
    # -SIGINT: it landed before Python took over SIGINT
    assert any(code in (130, -signal.SIGINT) for code in codes), \
        "no interrupt landed while nodelint ran; the harness proves nothing"


def signal_parallel_fixes(tmp_path, sig, seed: int, earliest: float) -> list[int]:
    """Six --fix runs in worker processes over 450 files, each sent ``sig`` at a random moment;
    after each, every file is wholly old or wholly new, stays so, and no temporary file is left.
    Returns the exit codes."""
    pristine = tmp_path / "pristine"
    before = many_nodes(pristine, 150)  # 450 files: enough for workers
    expected = tmp_path / "expected"
    shutil.copytree(pristine, expected)
    start = time.monotonic()
    subprocess.run([nodelint_exe(), "--fix", "--quiet", "--jobs", "2", "--select", "NL1", str(expected)],
                   capture_output=True)
    duration = time.monotonic() - start
    after = {p: (expected / p.relative_to(pristine)).read_bytes() for p in before}
    rng = random.Random(seed)
    codes = []
    for attempt in range(6):
        work = tmp_path / f"run{attempt}"
        shutil.copytree(pristine, work)
        proc = subprocess.Popen([nodelint_exe(), "--fix", "--quiet", "--jobs", "2", "--select", "NL1", str(work)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(earliest, duration * 0.9))
        proc.send_signal(sig)
        codes.append(proc.wait(timeout=60))
        snapshot = {p: (work / p.relative_to(pristine)).read_bytes() for p in before}
        assert all(snapshot[p] in (before[p], after[p]) for p in before), f"a half-written file at attempt {attempt}"
        time.sleep(0.3)
        assert snapshot == {p: (work / p.relative_to(pristine)).read_bytes() for p in before}, \
            "a worker wrote after nodelint exited"
        assert temp_files(work) == []
        shutil.rmtree(work)
    return codes


# ---------------------------------------------------------- refusals, rollback


def two_files(tmp_path):
    a = write(tmp_path / "a/etc/docker/daemon.json", BAD_DOCKER)
    b = write(tmp_path / "b/etc/docker/daemon.json", BAD_DOCKER)
    return a, b


def test_a_read_only_file_is_refused_and_nothing_else_is_touched(nodelint, tmp_path):
    a, b = two_files(tmp_path)
    os.chmod(b, 0o444)
    out = nodelint("--fix", a, b)
    assert out.code == 2 and "read-only" in out.err and "Traceback" not in out.err
    assert a.read_text() == BAD_DOCKER and b.read_text() == BAD_DOCKER


def test_a_read_only_directory_is_refused(nodelint, tmp_path):
    a, b = two_files(tmp_path)
    os.chmod(b.parent, 0o555)
    try:
        out = nodelint("--fix", a, b)
    finally:
        os.chmod(b.parent, 0o755)
    assert out.code == 2 and "directory is read-only" in out.err
    assert a.read_text() == BAD_DOCKER and b.read_text() == BAD_DOCKER


def test_a_full_disk_midway_changes_nothing(nodelint, tmp_path, monkeypatch):
    """Every new content is written to a temporary file before the first rename: when the disk
    fills up on the second one, the first file has not been replaced yet."""
    a, b = two_files(tmp_path)
    from nodelint.write import atomic as writer

    real_write, calls = os.write, []

    def full_disk(fd, data):
        calls.append(fd)
        if len(calls) == 2:  # the second file's temp file: the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(writer.os, "write", full_disk)
    out = nodelint("--fix", a, b)
    assert out.code == 2
    assert "no space left" in out.err and "no file was changed" in out.err
    assert a.read_text() == BAD_DOCKER and b.read_text() == BAD_DOCKER
    assert temp_files(tmp_path) == []


def test_a_rename_refused_midway_restores_the_files_already_replaced(nodelint, tmp_path, monkeypatch):
    """The second file changes on disk after its temporary file was written: the first file,
    already replaced, gets its old bytes back."""
    a, b = two_files(tmp_path)
    from nodelint.write import atomic as writer

    real_stage = writer._stage

    def stage_then_someone_edits(path, data, expected, sync, **kw):
        staged = real_stage(path, data, expected, sync, **kw)
        if path == str(b):
            b.write_text('{"exec-opts": ["native.cgroupdriver=systemd"], "bridge": "none"}\n')
        return staged

    monkeypatch.setattr(writer, "_stage", stage_then_someone_edits)
    out = nodelint("--fix", a, b)
    assert out.code == 2
    assert "changed on disk" in out.err and "1 file already written was restored" in out.err
    assert a.read_text() == BAD_DOCKER
    assert "bridge" in b.read_text()
    assert temp_files(tmp_path) == []


def test_a_file_changed_by_someone_else_is_not_overwritten(nodelint, tmp_path, monkeypatch):
    a, b = two_files(tmp_path)
    from nodelint.write import batches as cli

    real_write = cli.write_batch

    def edited_meanwhile(changes):
        b.write_text('{"exec-opts": ["native.cgroupdriver=systemd"], "bridge": "none"}\n')  # another editor
        return real_write(changes)

    monkeypatch.setattr(cli, "write_batch", edited_meanwhile)
    out = nodelint("--fix", a, b)
    assert out.code == 2 and "changed on disk" in out.err
    assert a.read_text() == BAD_DOCKER
    assert "bridge" in b.read_text()


def test_hard_links_are_warned_about(nodelint, tmp_path):
    a = write(tmp_path / "etc/docker/daemon.json", BAD_DOCKER)
    other = tmp_path / "elsewhere.json"
    os.link(a, other)
    out = nodelint("--fix", a)
    assert "has 2 hard links" in out.err
    assert "systemd" in a.read_text() and other.read_text() == BAD_DOCKER


def test_a_linked_config_is_fixed_at_its_target_not_through_the_link(nodelint, tmp_path):
    target = write(tmp_path / "tree/shared/daemon.json", BAD_DOCKER)
    link = tmp_path / "tree/files/etc/docker/daemon.json"
    link.parent.mkdir(parents=True)
    os.symlink("../../../shared/daemon.json", link)
    nodelint("--fix", tmp_path / "tree")
    assert link.is_symlink() and "systemd" in target.read_text()


# ---------------------------------------------------------------- paths


def test_links_out_of_the_root_are_reported_and_never_read(nodelint, tmp_path):
    outside = write(tmp_path / "outside/secret.conf", "fs.inotify.max_user_instances = 1\n")
    root = tmp_path / "img"
    (root / "etc/sysctl.d").mkdir(parents=True)
    os.symlink("../../../outside/secret.conf", root / "etc/sysctl.d/60-escape.conf")
    out = nodelint("--format", "json", "--select", "NL0,NL201", "--root", root)
    rules = [(f["rule"], f["path"].rsplit("/", 1)[-1]) for f in out.json["findings"]]
    assert ("NL003", "60-escape.conf") in rules
    assert "value 1" not in out.out and all("secret" not in f["message"] for f in out.json["findings"]
                                             if f["rule"] != "NL003")
    nodelint("--fix", "--root", root)
    assert outside.read_text() == "fs.inotify.max_user_instances = 1\n"


def test_links_out_of_a_walked_tree_are_reported(nodelint, tmp_path):
    write(tmp_path / "elsewhere/daemon.json", BAD_DOCKER)
    (tmp_path / "repo/files/etc/docker").mkdir(parents=True)
    os.symlink(tmp_path / "elsewhere/daemon.json", tmp_path / "repo/files/etc/docker/daemon.json")
    out = nodelint("--format", "json", "--select", "NL0,NL1", tmp_path / "repo")
    assert [f["rule"] for f in out.json["findings"]] == ["NL003"]


def test_special_files_are_never_opened(tmp_path):
    fifo = tmp_path / "etc/containerd/config.toml"
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    for args in ([str(fifo)], [str(tmp_path)], ["--root", str(tmp_path)]):
        p = run_exe("--format", "json", *args, timeout=30) if False else subprocess.run(
            [nodelint_exe(), "--format", "json", "--select", "NL0", *args], capture_output=True, text=True,
            timeout=30)
        assert p.returncode in (0, 1) and '"NL003"' in p.stdout, (args, p.stdout, p.stderr)


def test_directory_loops_terminate(nodelint, tmp_path):
    root = tmp_path / "img"
    (root / "etc/kubernetes/kubelet.conf.d").mkdir(parents=True)
    os.symlink(".", root / "etc/kubernetes/kubelet.conf.d/loop")
    os.symlink("loop2", root / "etc/kubernetes/kubelet.conf.d/loop2")
    out = nodelint("--format", "json", "--root", root)
    assert out.code in (0, 1)


def test_huge_files_are_not_read(nodelint, tmp_path):
    big = tmp_path / "etc/containerd/config.toml"
    big.parent.mkdir(parents=True)
    with open(big, "wb") as f:
        f.truncate(11 * 1024 * 1024)  # sparse: 11 MiB without writing them
    out = nodelint("--format", "json", big)
    assert [(f["rule"], "over the 10485760-byte limit" in f["message"]) for f in out.json["findings"]] == \
        [("NL004", True)]
    write(tmp_path / ".nodelint.toml", 'max-file-size = "1KiB"\n')
    small = write(tmp_path / "etc/docker/daemon.json", BAD_DOCKER + " " * 2000)
    assert nodelint("--format", "json", small, cwd=tmp_path).rules() == ["NL004"]


# ------------------------------------------------------------- bad input


BAD_INPUTS = {
    "binary.toml": b"version = 2\n\x00\x01\x02\xff",
    "latin1.toml": "version = 2\n# caf\xe9\n".encode("latin-1"),
    "bom.toml": "\ufeffversion = 2\n".encode(),
    "crlf-mixed.toml": b"version = 2\r\n[plugins]\n  x = 1\r\n",
    "deep.toml": b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n",
    "deep.json": b"[" * 5000 + b"]" * 5000,
    "deep.yaml": b"a:\n" + b"".join(b" " * i + b"- \n" for i in range(1, 3000)),
    "dup.json": b'{"exec-opts": ["native.cgroupdriver=systemd"], "exec-opts": ["native.cgroupdriver=cgroupfs"]}',
    "dup.yaml": b"kind: KubeletConfiguration\ncgroupDriver: systemd\ncgroupDriver: cgroupfs\n",
    "bomb.yaml": b"a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                 b"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                 b"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n",
    "empty.toml": b"",
    "empty.json": b"",
    "empty.yaml": b"",
    "comments.json": b'{\n  // a comment\n  "bridge": "none"\n}\n',
    "truncated.toml": b'[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.opt',
}
KIND_OF = {"toml": "containerd", "json": "docker", "yaml": "kubelet"}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_gets_a_finding_never_a_traceback_hang_or_bad_rewrite(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(BAD_INPUTS[name])
    kind = KIND_OF[name.rsplit(".", 1)[1]]
    start = time.monotonic()
    p = subprocess.run([nodelint_exe(), "--format", "json", "--fix", "--kind", kind, str(path)],
                       capture_output=True, text=True, timeout=60)
    assert time.monotonic() - start < 30
    assert p.returncode in (0, 1), p.stderr
    assert "Traceback" not in p.stderr and "internal error" not in p.stderr
    import json

    report = json.loads(p.stdout)
    data = path.read_bytes()
    if data != BAD_INPUTS[name]:  # a fix ran: the result must parse
        again = subprocess.run([nodelint_exe(), "--format", "json", "--kind", kind, str(path)],
                               capture_output=True, text=True, timeout=60)
        assert "NL001" not in {f["rule"] for f in json.loads(again.stdout)["findings"]}
    if name in ("binary.toml", "latin1.toml", "deep.toml", "deep.json", "bomb.yaml", "comments.json",
                "truncated.toml"):
        assert data == BAD_INPUTS[name] and "NL001" in {f["rule"] for f in report["findings"]}
    if name.startswith("dup."):
        assert "NL005" in {f["rule"] for f in report["findings"]}
    if name == "bom.toml":
        assert data.startswith("\ufeff".encode())


# ------------------------------------------------------------- concurrency


def test_two_fix_runs_over_one_root_do_not_corrupt_files(tmp_path):
    root = tmp_path / "img"
    for i in range(60):
        write(root / f"etc/containerd/conf.d/{i:02d}.toml", BAD_CONTAINERD)
    write(root / "etc/containerd/config.toml", BAD_CONTAINERD)
    write(root / "etc/docker/daemon.json", BAD_DOCKER)
    expected_root = tmp_path / "expected"
    shutil.copytree(root, expected_root)
    subprocess.run([nodelint_exe(), "--fix", "--quiet", "--root", str(expected_root)], capture_output=True)
    procs = [subprocess.Popen([nodelint_exe(), "--fix", "--quiet", "--root", str(root)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outcomes = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    for out, err, code in outcomes:
        assert code in (0, 1), err
    for path in expected_root.rglob("*"):
        if path.is_file():
            assert (root / path.relative_to(expected_root)).read_bytes() == path.read_bytes()
    assert temp_files(root) == []


def test_two_fix_runs_over_one_tree_leave_whole_files(tmp_path):
    before = many_nodes(tmp_path / "tree", 40)
    expected = tmp_path / "expected"
    shutil.copytree(tmp_path / "tree", expected)
    subprocess.run([nodelint_exe(), "--fix", "--quiet", "--select", "NL1", str(expected)], capture_output=True)
    procs = [subprocess.Popen([nodelint_exe(), "--fix", "--quiet", "--select", "NL1", str(tmp_path / "tree")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode in (0, 1, 2) and "Traceback" not in err
    for path in before:
        want = (expected / path.relative_to(tmp_path / "tree")).read_bytes()
        assert path.read_bytes() in (before[path], want)
    subprocess.run([nodelint_exe(), "--fix", "--quiet", "--select", "NL1", str(tmp_path / "tree")],
                   capture_output=True)
    assert all(p.read_bytes() == (expected / p.relative_to(tmp_path / "tree")).read_bytes() for p in before)


def test_sigterm_is_handled_like_ctrl_c_in_a_parallel_fix(tmp_path):
    """SIGTERM (timeout, Ansible, Kubernetes) a --fix running in worker processes: exit 143,
    running batches finish whole, none starts, no temporary file is left."""
    codes = signal_parallel_fixes(tmp_path, signal.SIGTERM, seed=20261130, earliest=0.15)
    # -SIGTERM: before Python took over the signal
    assert all(code in (0, 1, 143, -signal.SIGTERM) for code in codes), codes
    assert 143 in codes, "no SIGTERM landed while nodelint ran; the harness proves nothing"


def test_sigterm_during_a_root_fix_leaves_its_one_batch_whole_or_not_started(tmp_path):
    """Under --root the node is one batch, written in one process: a SIGTERM while its files are
    renamed into place waits for the last rename, so the node is wholly old or wholly fixed."""
    pristine = tmp_path / "pristine"
    for i in range(400):
        write(pristine / f"etc/containerd/conf.d/{i:03d}.toml",
              f'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.r{i}]\n'
              f'  runtime_type = "io.containerd.runc.v2"\n')
    write(pristine / "etc/containerd/config.toml", 'version = 2\nimports = ["/etc/containerd/conf.d/*.toml"]\n')
    before = {p: p.read_bytes() for p in pristine.rglob("*.toml")}
    rng = random.Random(143)
    outcomes = set()
    for attempt in range(8):
        work = tmp_path / f"run{attempt}"
        shutil.copytree(pristine, work)
        proc = subprocess.Popen([nodelint_exe(), "--fix", "--quiet", "--select", "NL101", "--root", str(work)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.1, 2.0))
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=120)
        changed = {p for p in before if (work / p.relative_to(pristine)).read_bytes() != before[p]}
        assert len(changed) in (0, len(before)), f"attempt {attempt}: {len(changed)} of {len(before)} files changed"
        assert temp_files(work) == []
        outcomes.add((code, bool(changed)))
        shutil.rmtree(work)
    assert any(code == 143 for code, _ in outcomes), outcomes


def sparse(path, size):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(size)  # holes: gigabytes on paper, nothing on disk
    return path


def test_no_file_is_read_past_the_size_limit_however_it_is_reached(tmp_path):
    """A root whose large files are reached every way nodelint reaches a file: a sysctl.d entry,
    kubelet --config named in a unit, a containerd import, a runsc ConfigPath, dpkg's status, a
    runtime binary.  Each over-limit config gets NL004, and the run stays small."""
    import resource

    root = tmp_path / "root"
    gib = 1 << 30
    sparse(root / "usr/lib/sysctl.d/50-big.conf", gib)
    write(root / "etc/systemd/system/kubelet.service.d/10-config.conf",
          "[Service]\nEnvironment=\"KUBELET_CONFIG_ARGS=--config=/opt/kubelet/big.yaml\"\n"
          "ExecStart=\nExecStart=/usr/bin/kubelet $KUBELET_CONFIG_ARGS\n")
    sparse(root / "opt/kubelet/big.yaml", 2 * gib)
    write(root / "etc/containerd/config.toml",
          'version = 2\nimports = ["/opt/containerd/big.toml"]\n'
          '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc]\n'
          '  runtime_type = "io.containerd.runsc.v1"\n'
          '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc.options]\n'
          '  ConfigPath = "/opt/gvisor/big.toml"\n')
    sparse(root / "opt/containerd/big.toml", 2 * gib)
    sparse(root / "opt/gvisor/big.toml", 2 * gib)
    sparse(root / "var/lib/dpkg/status", 2 * gib)
    sparse(root / "usr/bin/containerd", 2 * gib)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run([nodelint_exe(), "--format", "json", "--root", str(root)], capture_output=True, text=True,
                         timeout=120)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    import json

    assert out.returncode in (0, 1), out.stderr
    too_large = {f["path"].rsplit("/root/", 1)[1] for f in json.loads(out.stdout)["findings"] if f["rule"] == "NL004"}
    assert too_large >= {"usr/lib/sysctl.d/50-big.conf", "opt/kubelet/big.yaml", "opt/containerd/big.toml",
                         "opt/gvisor/big.toml"}, too_large
    assert peak_kib < 200 * 1024 or peak_kib == before, f"peak RSS {peak_kib // 1024} MiB"
