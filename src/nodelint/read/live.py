"""The running node under the root, read once (``--live``): host facts, processes, cgroups, inotify.

Read-only and bounded: one pass over ``proc/`` (each process's ``status``, ``cgroup``, the head
of its ``cmdline``, its ``fd/`` links and, for inotify descriptors only, their ``fdinfo``), plus
the cgroup files the checks ask about (``memory.max``, or v1 ``memory.limit_in_bytes``).  Nothing
is written, no link inside ``proc/`` or the cgroup tree is followed, and a cgroup path a process
names is read only inside the cgroup tree.  A process that exits mid-read is skipped; what could
not be read (another user's files without root, ``hidepid``) is counted and said in ``notes``.

procfs formats (proc(5); the kernel's Documentation/filesystems/proc.rst):
- ``/proc/PID/status``: ``Name``, ``PPid``, ``Uid`` (real, effective, saved, fs), ``NSpid`` (the PID
  in each nested PID namespace, innermost last: 1 is a container's init);
- ``/proc/PID/cgroup``: ``0::/path`` on cgroup v2, ``ID:controllers:/path`` per v1 hierarchy;
- ``/proc/PID/fd/N`` of an inotify instance links to ``anon_inode:inotify``; its
  ``/proc/PID/fdinfo/N`` has one ``inotify wd:`` line per watch.
"""
from __future__ import annotations

import errno
import os
import posixpath

from ..values.record import fresh, record

UNLIMITED = None
_V1_UNLIMITED_FROM = 1 << 62  # v1 reports "no limit" as PAGE_COUNTER_MAX pages: 9223372036854771712 with 4 KiB pages
_HEAD = 8192  # bytes read of a status, cgroup or cmdline file (each is a few hundred)
_GONE = (errno.ENOENT, errno.ESRCH)


@record
class Process:
    pid: int
    ppid: int
    name: str  # /proc/PID/comm, as status's Name
    argv0: str
    uid: int  # real user ID
    ns_pid: int  # the PID in its innermost PID namespace
    cgroup: str  # the cgroup v2 path, or on v1 the memory controller's
    cgroup_line: int  # the line of /proc/PID/cgroup that gives it
    inotify_instances: int = 0
    inotify_watches: int = 0


@record
class Snapshot:
    """What the running node showed: read once per run."""

    proc_dir: str  # where proc/ and the cgroup tree are on this machine
    cgroup_dir: str
    cgroup_version: int | None = None  # 2; 1 (v1, or hybrid with the v1 memory controller); None: unknown
    cgroup_evidence: str = ""  # what decided it
    pid1: str | None = None  # /proc/1/comm
    cmdline: str | None = None  # the kernel command line
    processes: list[Process] = fresh(list)
    inotify_limits: dict = fresh(dict)  # max_user_instances / max_user_watches -> value
    notes: list[str] = fresh(list)

    def summary(self) -> dict:
        """The host facts and per-user inotify use, as reports show them."""
        users: dict[int, dict] = {}
        for p in self.processes:
            if p.inotify_instances:
                use = users.setdefault(p.uid, {"instances": 0, "watches": 0})
                use["instances"] += p.inotify_instances
                use["watches"] += p.inotify_watches
        return {"cgroup_version": self.cgroup_version, "cgroup_evidence": self.cgroup_evidence,
                "pid1": self.pid1, "kernel_cmdline": self.cmdline, "processes": len(self.processes),
                "inotify_limits": dict(self.inotify_limits),
                "inotify_by_uid": {str(uid): use for uid, use in sorted(users.items())},
                "notes": list(self.notes)}

    def process(self, pid: int) -> Process | None:
        index = self.__dict__.get("_by_pid")
        if index is None:
            index = self.__dict__["_by_pid"] = {p.pid: p for p in self.processes}
        return index.get(pid)

    def children(self) -> dict[int, list[Process]]:
        index = self.__dict__.get("_children")
        if index is None:
            index = self.__dict__["_children"] = {}
            for p in self.processes:
                index.setdefault(p.ppid, []).append(p)
        return index

    def cgroup_exists(self, path: str) -> bool:
        where = self._cgroup_fs_path(path, "memory")
        return where is not None and os.path.isdir(where) and not os.path.islink(where)

    def memory_limit(self, path: str) -> int | None:
        """The memory limit in force for a cgroup: the lowest of its own and its ancestors'
        (limits are hierarchical); None when none of them has one (or none could be read)."""
        parts = [c for c in path.split("/") if c]
        limits = [self.own_memory_limit("/" + "/".join(parts[:i])) for i in range(len(parts), 0, -1)]
        known = [n for n in limits if n is not None]
        return min(known) if known else None

    def own_memory_limit(self, path: str) -> int | None:
        """A cgroup's own memory limit in bytes; None when unlimited or unreadable."""
        name = "memory.max" if self.cgroup_version == 2 else "memory.limit_in_bytes"
        where = self._cgroup_fs_path(path, "memory")
        text = _read(os.path.join(where, name)) if where is not None else None
        if text is None or text.strip() in ("", "max"):
            return None
        try:
            value = int(text.strip())
        except ValueError:
            return None
        return None if value >= _V1_UNLIMITED_FROM else value

    def _cgroup_fs_path(self, path: str, controller: str) -> str | None:
        """Where a cgroup is in the cgroup tree; None for a path that would leave it."""
        parts = [c for c in path.split("/") if c]
        if any(c in (".", "..") for c in parts):
            return None
        base = self.cgroup_dir if self.cgroup_version == 2 else os.path.join(self.cgroup_dir, controller)
        if os.path.islink(base):
            return None
        where = os.path.join(base, *parts)
        real_base = os.path.realpath(base)
        return where if os.path.realpath(where).startswith(real_base + os.sep) or not parts else None


def snapshot(node, settings) -> Snapshot | None:
    """The running node under a root node's filesystem, with ``--live``, read once per node;
    None otherwise."""
    if not getattr(settings, "live", False) or node.mode != "root" or node.fs is None:
        return None
    snap = node.__dict__.get("live_snapshot")
    if snap is None:
        snap = node.__dict__["live_snapshot"] = read(node.fs)
    return snap


def shown(node, node_path: str) -> str:
    """A file under the root as findings show it (``/proc/812/cgroup`` on a live node)."""
    from .discover import display

    return display(os.path.join(node.fs.root, node_path))


def read(fs) -> Snapshot:
    """One pass over the running node under the root ``fs`` (read.rootfs.RootFS)."""
    snap = Snapshot(fs.resolve("proc"), fs.resolve("sys/fs/cgroup"))
    snap.cgroup_version, snap.cgroup_evidence = _cgroup_version(snap)
    snap.pid1 = _strip(_read(_under(snap.proc_dir, "1", "comm")))
    snap.cmdline = _strip(_read(_under(snap.proc_dir, "cmdline")))
    for key in ("max_user_instances", "max_user_watches"):
        value = _strip(_read(_under(snap.proc_dir, "sys", "fs", "inotify", key)))
        if value is not None and value.lstrip("-").isdigit():
            snap.inotify_limits[key] = int(value)
    _processes(snap)
    return snap


def _processes(snap: Snapshot) -> None:
    try:  # /proc/PID directories only: a link (self, thread-self, one planted in an image) is not entered
        names = [e.name for e in os.scandir(snap.proc_dir) if e.name.isdigit() and not e.is_symlink()]
    except OSError as e:
        snap.notes.append(f"cannot list {snap.proc_dir}: {e.strerror}; no process was read")
        return
    if not names:
        snap.notes.append(f"no processes under {snap.proc_dir}: is the host's /proc mounted there?")
        return
    hidden = fds_hidden = 0
    for name in sorted(names, key=int):
        base = os.path.join(snap.proc_dir, name)
        status = _read(os.path.join(base, "status"))
        if status is None:
            continue  # exited while we read
        process = _process(int(name), status, _read(os.path.join(base, "cgroup")) or "",
                           _read(os.path.join(base, "cmdline")) or "")
        if not _count_inotify(base, process):
            fds_hidden += 1
        snap.processes.append(process)
    if snap.process(1) is None:
        hidden += 1
        snap.notes.append("process 1 is not visible: /proc is mounted with hidepid, or not the host's; "
                          "the process checks saw only some processes")
    if any(p.cgroup.startswith("/..") for p in snap.processes):
        snap.notes.append("cgroup paths read as seen from nodelint's own cgroup namespace (/../...): pods' cgroups "
                          "cannot be located in /sys/fs/cgroup; run in the host's cgroup namespace for NL502-NL505")
    if fds_hidden:
        snap.notes.append(f"the open files of {fds_hidden} of {len(snap.processes)} processes could not be read "
                          "(run as root, with CAP_SYS_PTRACE in a container): their inotify instances are not counted")


def _process(pid: int, status: str, cgroup: str, cmdline: str) -> Process:
    fields = {}
    for line in status.splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    ns = fields.get("NSpid", "").split()
    uid = fields.get("Uid", "").split()
    path, line = _cgroup_path(cgroup)
    return Process(pid=pid, ppid=_int(fields.get("PPid"), 0), name=fields.get("Name", ""),
                   argv0=posixpath.basename(cmdline.split("\0", 1)[0]), uid=_int(uid[0] if uid else None, -1),
                   ns_pid=_int(ns[-1] if ns else None, pid), cgroup=path, cgroup_line=line)


def _cgroup_path(text: str) -> tuple[str, int]:
    """The path that governs a process's memory: the v1 memory hierarchy's, else v2's, else the
    first line's; with the line it is on."""
    best = None
    for n, line in enumerate(text.splitlines(), 1):
        hierarchy, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        rank = 0 if "memory" in controllers.split(",") else 1 if hierarchy == "0" and not controllers else 2
        if best is None or rank < best[0]:
            best = (rank, path, n)
    return (best[1], best[2]) if best else ("", 1)


def _count_inotify(base: str, process: Process) -> bool:
    """Counts a process's inotify instances and watches; False when its fds cannot be read."""
    fd_dir = os.path.join(base, "fd")
    if os.path.islink(fd_dir) or os.path.islink(os.path.join(base, "fdinfo")):
        return False
    try:
        entries = list(os.scandir(fd_dir))
    except OSError as e:
        return e.errno in _GONE
    for entry in entries:
        try:
            if os.readlink(entry.path) != "anon_inode:inotify":
                continue
        except OSError:
            continue
        process.inotify_instances += 1
        info = _read(os.path.join(base, "fdinfo", entry.name), size=1 << 22)
        if info:
            process.inotify_watches += sum(1 for line in info.splitlines() if line.startswith("inotify wd:"))
    return True


def _under(base: str, *parts: str) -> str | None:
    """``base/parts...`` when no directory on the way is a link (the last part is opened with
    O_NOFOLLOW); None otherwise."""
    path = base
    for part in parts[:-1]:
        path = os.path.join(path, part)
        if os.path.islink(path):
            return None
    return os.path.join(path, parts[-1])


def _cgroup_version(snap: Snapshot) -> tuple[int | None, str]:
    mounts = _read(_under(snap.proc_dir, "1", "mountinfo"), size=1 << 20)
    if mounts:
        types = {}
        for line in mounts.splitlines():
            fields = line.split()
            if "-" in fields:
                dash = fields.index("-")
                if len(fields) > dash + 1 and len(fields) > 4:
                    types.setdefault(fields[4], fields[dash + 1])
        if types.get("/sys/fs/cgroup") == "cgroup2":
            return 2, "cgroup2 mounted at /sys/fs/cgroup (/proc/1/mountinfo)"
        if any(t == "cgroup" and m.startswith("/sys/fs/cgroup/") for m, t in types.items()):
            hybrid = " and cgroup2 at /sys/fs/cgroup/unified (hybrid)" if types.get("/sys/fs/cgroup/unified") == "cgroup2" else ""
            return 1, f"cgroup v1 hierarchies mounted under /sys/fs/cgroup{hybrid} (/proc/1/mountinfo)"
    if os.path.isfile(os.path.join(snap.cgroup_dir, "cgroup.controllers")):
        return 2, "/sys/fs/cgroup/cgroup.controllers"
    if os.path.isdir(os.path.join(snap.cgroup_dir, "memory")):
        return 1, "/sys/fs/cgroup/memory"
    return None, ""


def _read(path: str | None, size: int = _HEAD) -> str | None:
    """A procfs or cgroupfs file's text (its head); None when it cannot be read.  No link is followed."""
    if path is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        chunks, left = [], size
        while left > 0:
            chunk = os.read(fd, min(left, 65536))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks).decode("utf-8", "replace")
    except OSError:
        return None
    finally:
        os.close(fd)


def _strip(text: str | None) -> str | None:
    return text.strip() if text is not None else None


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
