"""Runs the real programs on generated cases, inside a private mount namespace (the inner side).

judges.py starts this file as ``unshare --mount --propagation private --net -- python -I
sandbox.py`` with a JSON job on stdin and reads a JSON list of results from stdout.  Nothing
it does is seen outside that namespace: every mount dies with it.

- sysctl (systemd-sysctl, procps ``sysctl --system``): for each case a minimal root is built
  on a tmpfs and the program runs chrooted in it: the host's /usr read-only (its sysctl.d
  replaced by the case's), the case's etc, run and usr/local copied (links kept, so
  ``99-sysctl.conf -> ../sysctl.conf`` resolves inside the case), /dev/null bound, and
  ``/proc/sys`` a tmpfs holding one plain file per key.  There is no procfs in that root, so
  the program cannot reach the host's kernel parameters; the command line is wrapped so that
  it refuses to run unless ``/proc/sys`` is a tmpfs, checked in the program's own view.
- containerd (``containerd config dump``): the case's etc/containerd, copied to a tmpfs, is
  bound over /etc/containerd, so absolute imports resolve inside the case.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile

SYSCTL_PROGRAMS = {
    "systemd": ["/usr/lib/systemd/systemd-sysctl"],
    "procps": ["/usr/sbin/sysctl", "--system"],
}
SYSCTL_DIRS = ["etc/sysctl.d", "run/sysctl.d", "usr/local/lib/sysctl.d", "usr/lib/sysctl.d"]
TIMEOUT = 20
GUARD = ('t=$(stat -f -c %T /proc/sys) && [ "$t" = tmpfs ] '
         '|| { echo "ABORT: /proc/sys is ${t:-unknown}, not tmpfs" >&2; exit 125; }; exec "$@"')


def sh(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True)


def _fstype(mountpoint: str) -> str | None:
    kind = None
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            if left.split()[4] == mountpoint:
                kind = right.split()[0]  # the topmost mount wins
    return kind


def _copy(src: str, dst: str) -> None:
    """Copy a directory keeping links as links (never following them)."""
    if os.path.isdir(src) and not os.path.islink(src):
        shutil.copytree(src, dst, symlinks=True, dirs_exist_ok=True)


def _path_to_key(path: str) -> str:
    return path.replace(".", "\0").replace("/", ".").replace("\0", "/")


def sysctl_case(case: str, program: str, keys: dict[str, str], work: str) -> dict:
    """Apply one case's files with the real ``program``; what it wrote to each key."""
    root = tempfile.mkdtemp(dir=work)
    sh("mount", "-t", "tmpfs", "-o", "mode=755", "conformance-root", root)
    try:
        def at(p: str) -> str:
            return os.path.join(root, p)

        for d in ["usr", "etc", "run", "dev", "proc/sys", "tmp", ".case"]:
            os.makedirs(at(d), exist_ok=True)
        for d in SYSCTL_DIRS:
            os.makedirs(at(".case/" + d), exist_ok=True)
            _copy(os.path.join(case, d), at(".case/" + d))
        _copy(os.path.join(case, "lib/sysctl.d"), at(".case/usr/lib/sysctl.d"))  # merged /usr: one directory
        sh("mount", "--rbind", "/usr", at("usr"))
        sh("mount", "-o", "remount,bind,ro", at("usr"))
        sh("mount", "--bind", at(".case/usr/lib/sysctl.d"), at("usr/lib/sysctl.d"))
        sh("mount", "-t", "tmpfs", "-o", "mode=755", "conformance-usr-local", at("usr/local"))
        _copy(os.path.join(case, "usr/local"), at("usr/local"))
        shutil.rmtree(at("usr/local/lib/sysctl.d"), ignore_errors=True)
        shutil.copytree(at(".case/usr/local/lib/sysctl.d"), at("usr/local/lib/sysctl.d"), symlinks=True)
        for name in ["bin", "sbin", "lib64", "lib"]:
            host = "/" + name
            if os.path.islink(host):
                os.symlink(os.readlink(host), at(name))
            elif os.path.isdir(host):
                os.makedirs(at(name))
                sh("mount", "--rbind", "-o", "ro", host, at(name))
        _copy(os.path.join(case, "etc"), at("etc"))
        shutil.rmtree(at("etc/sysctl.d"), ignore_errors=True)
        shutil.copytree(at(".case/etc/sysctl.d"), at("etc/sysctl.d"), symlinks=True)
        for name in ["ld.so.cache", "passwd", "group", "nsswitch.conf"]:
            if not os.path.lexists(at("etc/" + name)) and os.path.exists("/etc/" + name):
                shutil.copy("/etc/" + name, at("etc/" + name))
        _copy(os.path.join(case, "run"), at("run"))
        open(at("dev/null"), "w").close()
        sh("mount", "--bind", "/dev/null", at("dev/null"))
        sh("mount", "-t", "tmpfs", "-o", "mode=755", "conformance-proc-sys", at("proc/sys"))
        if _fstype(at("proc/sys")) != "tmpfs":
            raise SystemExit("ABORT: proc/sys is not a tmpfs")
        for key, value in keys.items():
            os.makedirs(os.path.dirname(at("proc/sys/" + key)), exist_ok=True)
            with open(at("proc/sys/" + key), "w") as f:
                f.write(value + "\n")
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C", "SYSTEMD_LOG_LEVEL": "debug",
               "SYSTEMD_LOG_TARGET": "console", "SYSTEMD_LOG_COLOR": "0", "SYSTEMD_LOG_LOCATION": "0"}
        p = subprocess.run(["chroot", root, "/bin/sh", "-c", GUARD, "guard", *SYSCTL_PROGRAMS[program]],
                           env=env, capture_output=True, text=True, timeout=TIMEOUT)
        if p.returncode == 125:
            raise SystemExit("ABORT from the guard: " + p.stderr)
        values = {}
        for dirpath, _, names in os.walk(at("proc/sys")):
            for name in names:
                path = os.path.relpath(os.path.join(dirpath, name), at("proc/sys"))
                with open(os.path.join(dirpath, name), errors="replace") as f:
                    # systemd writes without truncating: on a tmpfs a shorter value leaves the
                    # old tail behind, so the first line is what was written
                    values[_path_to_key(path)] = f.read().split("\n", 1)[0]
        return {"exit": p.returncode, "values": values, "log": p.stdout + p.stderr}
    finally:
        subprocess.run(["umount", "-R", root], capture_output=True)
        os.rmdir(root)


def containerd_case(binary: str, case: str, work: str) -> dict:
    staged = tempfile.mkdtemp(dir=work)
    sh("mount", "-t", "tmpfs", "-o", "mode=755", "conformance-containerd", staged)
    try:
        src = os.path.join(case, "etc/containerd")
        target = os.path.join(staged, "containerd")
        if os.path.isdir(src):
            shutil.copytree(src, target, symlinks=True)
        else:
            os.makedirs(target)
        sh("mount", "--bind", target, "/etc/containerd")
        try:
            p = subprocess.run([binary, "config", "dump"], capture_output=True, text=True, timeout=TIMEOUT, cwd="/",
                               env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C", "HOME": "/root"})
        finally:
            sh("umount", "/etc/containerd")
        return {"exit": p.returncode, "stdout": p.stdout, "stderr": p.stderr}
    finally:
        subprocess.run(["umount", "-R", staged], capture_output=True)
        os.rmdir(staged)


def docker_case(dockerd: str, path: str, work: str) -> dict:
    """Whether ``dockerd`` accepts the daemon.json at ``path``: ``--validate`` where it has it
    (23.0+); else it is started (own pid namespace, inside the sandbox's own network namespace,
    everything it writes on tmpfs) until it logs "Starting up", which follows the configuration
    check, and killed.  No network flag is passed: a daemon.json setting one would conflict."""
    package = os.path.dirname(dockerd)
    env = {"PATH": f"{package}:{os.path.normpath(package + '/../bin')}:/usr/sbin:/usr/bin:/sbin:/bin",
           "LANG": "C", "HOME": "/root"}
    if "--validate" in subprocess.run([dockerd, "--help"], capture_output=True, text=True, env=env).stdout:
        p = subprocess.run([dockerd, "--validate", "--config-file", path], capture_output=True, text=True,
                           timeout=TIMEOUT, env=env)
        return {"accepted": p.returncode == 0, "log": (p.stdout + p.stderr).strip()[-500:]}
    run = tempfile.mkdtemp(dir=work)
    inner = ('mount -t tmpfs docker-state /var/lib && mkdir -p /etc/docker && mount -t tmpfs docker-etc /etc/docker '
             f'&& exec timeout {TIMEOUT} "$@"')
    p = subprocess.Popen(["unshare", "--pid", "--fork", "--kill-child", "--", "sh", "-c", inner, "docker",
                          dockerd, "--config-file", path, "--data-root", run + "/data", "--exec-root", run + "/exec",
                          "--pidfile", run + "/docker.pid", "-H", f"unix://{run}/docker.sock"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    log = []
    for line in p.stdout:
        log.append(line)
        if 'msg="Starting up"' in line:
            break
    p.kill()
    p.wait()
    text = "".join(log)
    return {"accepted": 'msg="Starting up"' in text, "log": text.strip()[-500:]}


def main() -> None:
    job = json.load(sys.stdin)
    if os.readlink("/proc/self/ns/mnt") == job["parent_mount_namespace"]:
        raise SystemExit("ABORT: not in a private mount namespace")
    sh("mount", "--make-rprivate", "/")
    work = job["work"]
    sh("mount", "-t", "tmpfs", "-o", "mode=755", "conformance-work", work)
    if job["kind"] == "sysctl":
        results = [sysctl_case(case, job["program"], job["keys"], work) for case in job["cases"]]
    elif job["kind"] == "docker":
        results = [docker_case(job["binary"], case, work) for case in job["cases"]]
    else:
        if not os.path.isdir("/etc/containerd"):
            # nothing to bind over: /etc is swapped (here only) for links to the host's entries
            host_etc = os.path.join(work, "host-etc")
            os.makedirs(host_etc)
            sh("mount", "--bind", "/etc", host_etc)
            sh("mount", "-t", "tmpfs", "-o", "mode=755", "conformance-etc", "/etc")
            for entry in os.listdir(host_etc):
                os.symlink(os.path.join(host_etc, entry), os.path.join("/etc", entry))
            os.makedirs("/etc/containerd")
        results = [containerd_case(job["binary"], case, work) for case in job["cases"]]
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
