"""Which files to check, what kind each is, and which node each belongs to."""
from __future__ import annotations

import os
import posixpath
import stat

from ..values.record import record
from . import kinds as K

TYPE_CHECKING = False
if TYPE_CHECKING:  # for annotations only
    from .settings import Settings

SKIP_DIRS = {".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".nox",
             ".mypy_cache", ".pytest_cache", ".ruff_cache", ".terraform", ".packer.d"}
SNIFF_BYTES = 65536


class DiscoveryError(Exception):
    """A path that cannot be used at all (missing, unreadable): exit code 2."""


@record
class Target:
    path: str  # as reported
    fs_path: str
    kind: str | None  # None: unknown (reported as NL000 when explicit)
    role: str = "main"
    node_path: str | None = None
    group: str | None = None  # node group key; None for single files
    explicit: bool = False
    skip: tuple[str, str] | None = None  # (rule, reason) when the file must not be read
    real: str | None = None  # os.path.realpath(fs_path), once discovery has worked it out
    # The trusted directory the file is below (the root, the walked tree; "/" for a named file):
    # reading and writing never follow a link below it (files.py, write/atomic.py).
    anchor: str | None = None


def display(fs_path: str) -> str:
    """A path relative to the working directory when below it, else absolute."""
    head, name = os.path.split(fs_path)
    if head and name not in ("", ".", ".."):  # the directory's relative path, worked out once per directory
        rel_dir = _relpath_of_dir(head, os.getcwd())
        rel = name if rel_dir == os.curdir else rel_dir + os.sep + name
    else:
        rel = os.path.relpath(fs_path)
    return (fs_path if rel.startswith("..") else rel).replace(os.sep, "/")


_REL_DIRS: dict[tuple[str, str], str] = {}


def _relpath_of_dir(directory: str, cwd: str) -> str:
    """os.path.relpath(directory), remembered (a directory of 50,000 configs asks 50,000 times)."""
    known = _REL_DIRS.get((directory, cwd))
    if known is None:
        if len(_REL_DIRS) > 4096:
            _REL_DIRS.clear()
        known = _REL_DIRS[(directory, cwd)] = os.path.relpath(directory)
    return known


def _head(fs_path: str) -> str:
    from .files import read_head

    return read_head(fs_path, SNIFF_BYTES).decode("utf-8", "replace")


def is_regular(fs_path: str) -> bool:
    """A regular file (following links): FIFOs, devices and sockets are never opened."""
    try:
        return stat.S_ISREG(os.stat(fs_path).st_mode)
    except OSError:
        return False


def skip_reason(fs_path: str, settings: Settings) -> tuple[str, str] | None:
    try:
        st = os.stat(fs_path)
    except OSError as e:
        return ("NL003", f"not read: {e.strerror}")
    if not stat.S_ISREG(st.st_mode):
        what = "a FIFO" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode) else \
            "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "not a regular file"
        return ("NL003", f"not read: {what}")
    if st.st_size > settings.max_file_size:
        return ("NL004", f"not read: {st.st_size} bytes, over the {settings.max_file_size}-byte limit "
                         "(max-file-size)")
    return None


def classify(path: str, fs_path: str, settings: Settings, forced: str | None = None,
             sniff: bool = True) -> K.Match | None:
    """Kind of one file: --kind, configured globs, a node location, then name and content."""
    stem, _ = K.template_stem(path)
    by_path = K.by_path(stem)
    forced = forced or settings.kind_for(path)
    if forced:
        if by_path is not None and by_path.kind == forced:
            return by_path
        return K.Match(forced, "main", by_path.node_path if by_path else None, by_path.node_root if by_path else None)
    if by_path is not None and by_path.node_path is not None:
        return by_path  # a node location is authoritative
    if by_path is None and not stem.lower().endswith(K.SNIFF_SUFFIXES) \
            and not posixpath.basename(stem).lower().startswith(K.SNIFF_NAMES):
        return None
    sniffed = K.sniff(_head(fs_path), stem) if sniff else None
    if by_path is not None:
        if sniffed is None or sniffed == by_path.kind:
            return by_path
        return K.Match(sniffed, "main", None, None)
    if sniffed is None:
        return None
    role = "fragment" if sniffed == "containerd" and stem.endswith(".part") else "main"
    return K.Match(sniffed, role, None, None)


def _git_files(directory: str) -> list[str] | None:
    """Files git would consider below ``directory`` (tracked or untracked, not ignored)."""
    probe = os.path.abspath(directory)
    while True:
        if os.path.exists(os.path.join(probe, ".git")):
            break
        parent = os.path.dirname(probe)
        if parent == probe:
            return None
        probe = parent
    import subprocess

    try:
        out = subprocess.run(["git", "-C", directory, "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard", "--", "."], capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    files = [p for p in out.stdout.decode("utf-8", "surrogateescape").split("\0") if p]
    return sorted(p for p in files if os.path.lexists(os.path.join(directory, p))
                  and not os.path.isdir(os.path.join(directory, p)))


def _walk(directory: str) -> list[tuple[str, bool]]:
    """(path relative to ``directory``, is a symbolic link) of every file below it, in os.walk's
    order (a directory's files, then its subdirectories, each sorted by name).  Linked
    directories are never entered, and no file is stat'ed: the directory entries' types say
    enough (this walk is a third of os.walk's time, most of a big tree's discovery)."""
    found: list[tuple[str, bool]] = []
    _walk_into(directory, "", found)
    return found


def _entries(path: str) -> list[os.DirEntry]:
    """A directory's entries sorted by name (none when it cannot be listed)."""
    try:
        with os.scandir(path) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError:
        return []


def _level(path: str, prefix: str) -> tuple[list[tuple[str, bool]], list[tuple[str, str]]]:
    """A directory's files, as the walk lists them, and its subdirectories to walk: (path, prefix)."""
    files, below = [], []
    for entry in _entries(path):
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if not is_dir:  # links and special files too: they are reported, not read
            files.append((prefix + entry.name, entry.is_symlink()))
        elif entry.name not in SKIP_DIRS and not entry.is_symlink():
            below.append((entry.path, prefix + entry.name + "/"))
    return files, below


def _walk_into(path: str, prefix: str, found: list[tuple[str, bool]]) -> None:
    files, below = _level(path, prefix)
    found += files
    for sub_path, sub_prefix in below:
        _walk_into(sub_path, sub_prefix, found)


def _walk_parts(directory: str, wanted: int) -> list:
    """The walk of ``directory`` cut into parts, in the walk's order: lists of files listed here,
    and (path, prefix) subtrees still to walk.  Level by level, directories are listed here until
    there are ``wanted`` subtrees (or none: then every file is listed)."""
    parts: list = [(directory, "")]
    while True:
        subtrees = sum(1 for part in parts if type(part) is tuple)
        if subtrees == 0 or subtrees >= wanted:
            return parts
        deeper: list = []
        for part in parts:
            if type(part) is tuple:
                files, below = _level(*part)
                if files:
                    deeper.append(files)
                deeper += below
            else:
                deeper.append(part)
        parts = deeper


# Fewer walked files than this are classified in the walking process even when a mapper is
# given: handing chunks to workers costs more than classifying a small tree.
MAPPED_FILES = 2000
# A tree with this many directories on one level is walked in the mapper's workers too, below
# that level: it is big enough that the walk (a scandir per directory) is worth sharing.
MAPPED_SUBTREES = 256
MAPPED_CHUNKS = 64  # items per walk handed to a mapper: enough to even out the workers' loads


def walk_tree(directory: str, settings: Settings, forced: str | None = None, mapper=None) -> list[Target]:
    """The targets below a walked directory, in the walk's order.

    ``mapper(work, items)``, when given, yields ``work(item)`` for each item in order (the engine
    passes one that runs them in worker processes): a big tree is then walked below its first
    levels, and its files classified and stat'ed, in parallel; this process lists the first levels."""
    walked = _Walked(directory, settings, forced)
    listed = _git_files(directory)
    if listed is not None:
        parts: list = [[(rel, os.path.islink(os.path.join(directory, rel))) for rel in listed
                        if not any(part in SKIP_DIRS for part in rel.split("/")[:-1])]]
    elif mapper is None:
        return walked.targets(_walk(directory))
    else:
        parts = _walk_parts(directory, MAPPED_SUBTREES)
    listed_all = not any(type(p) is tuple for p in parts)  # nothing left to walk: every file is listed
    files = [f for p in parts for f in p] if listed_all else []
    if mapper is None or listed_all and len(files) < MAPPED_FILES:
        return walked.targets(files)
    if listed_all and len(parts) < MAPPED_CHUNKS:  # a listing (git's, or a small tree's): cut it into chunks
        size = -(-len(files) // MAPPED_CHUNKS)
        parts = [files[i:i + size] for i in range(0, len(files), size)]
    size = -(-len(parts) // MAPPED_CHUNKS)
    items = [parts[i:i + size] for i in range(0, len(parts), size)]
    return [t for found in mapper(walked.walk, items) for t in found]


class _Walked:
    """A walked directory: turns the files listed below it into targets."""

    def __init__(self, directory: str, settings: Settings, forced: str | None):
        from .rootfs import group_key

        self.directory, self.settings, self.forced, self.group_key = directory, settings, forced, group_key
        self.real_dir = os.path.realpath(directory)
        self.inside = self.real_dir + os.sep
        self.shown_dir = display(directory)

    def walk(self, parts: list) -> list[Target]:
        """The targets of walk parts (_walk_parts): files listed, and subtrees walked here."""
        files: list[tuple[str, bool]] = []
        for part in parts:
            if type(part) is tuple:
                _walk_into(part[0], part[1], files)
            else:
                files += part
        return self.targets(files)

    def targets(self, files: list[tuple[str, bool]]) -> list[Target]:
        directory, settings, forced, real_dir, shown_dir = \
            self.directory, self.settings, self.forced, self.real_dir, self.shown_dir
        targets = []
        for rel, link in files:
            fs_path = os.path.join(directory, rel)
            if link and not os.path.realpath(fs_path).startswith(self.inside):
                m = classify(rel, fs_path, settings, forced, sniff=False)
                if m is not None:  # a config that is a link out of the tree: reported, never followed
                    targets.append(Target(display(fs_path), fs_path, m.kind, m.role, m.node_path, None, False,
                                          ("NL003", "not read: a symbolic link that leads outside the tree being "
                                                    "checked")))
                continue
            # walks never enter linked directories, so only the file itself can be a link
            shown = rel if shown_dir == "." else posixpath.join(shown_dir, rel)
            if settings.excluded(shown):
                continue
            match = classify(rel, fs_path, settings, forced)
            if match is None:
                continue
            targets.append(Target(shown, fs_path, match.kind, match.role, match.node_path,
                                  self.group_key(shown_dir, match.node_root, rel), False,
                                  skip_reason(fs_path, settings),
                                  os.path.realpath(fs_path) if link else os.path.join(real_dir, rel), real_dir))
        return targets


def root_targets(root: str, settings: Settings) -> list[Target]:
    """The files at their node locations below a node (or image) root."""
    from .rootfs import EscapesRoot, RootFS

    fs = RootFS(root)
    # What fs.resolve returns lies below fs.root and holds no link, so its real path is the root's
    # real path joined with the rest (not an os.path.realpath, a readlink per component, per file).
    real_root, below_root = os.path.realpath(fs.root), os.path.join(fs.root, "")
    seen: set[str] = set()
    seen_real: set[str] = set()
    targets = []
    for directory, pattern in K.ROOT_GLOBS:
        try:
            real_dir = fs.resolve(directory, strict=True)
        except OSError:
            continue
        if not os.path.isdir(real_dir):
            continue
        for node_path, what in _matches(real_dir, directory, pattern):
            if node_path in seen:
                continue
            seen.add(node_path)
            shown = display(os.path.join(fs.root, node_path))
            try:
                if what == "link":
                    real = fs.resolve(node_path, strict=True)  # links are followed as if chrooted
                else:  # found by the walk of real_dir, not a link: what resolving it would give
                    real = os.path.join(real_dir, node_path[len(directory) + 1:])
            except EscapesRoot as e:
                m = classify(node_path, "", settings, sniff=False)
                if m is not None:
                    targets.append(Target(shown, "", m.kind, m.role, node_path, "root", False, ("NL003", f"not read: {e}")))
                continue
            except OSError:
                continue
            if real in seen_real or (what == "link" and not os.path.lexists(real)):
                continue
            seen_real.add(real)
            # a regular file's size is checked as it is read (read/load.py: NL004); others are looked at here
            skip = None if what == "file" else skip_reason(real, settings)
            declared = K.ROOT_DIRECTORY_KINDS.get(directory) if not settings.kinds else None
            if declared is not None and "/" not in node_path[len(directory) + 1:]:
                m = K.Match(declared[0], declared[1], node_path, "")
            else:
                m = classify(node_path, real if skip is None else "", settings, sniff=skip is None)
            if m is None:
                continue
            real_path = os.path.join(real_root, real[len(below_root):]) if real.startswith(below_root) else None
            targets.append(Target(shown, real, m.kind, m.role, m.node_path or node_path, "root", False, skip,
                                  real_path, anchor=fs.root))
    return targets


def _matches(real_dir: str, directory: str, pattern: str) -> list[tuple[str, str]]:
    """(node path, "file" | "link" | "other") of the entries below ``directory`` matching
    ``pattern`` ("*.conf", or "**/*.conf" for subdirectories), sorted by name in each directory.

    The directory entries' types say what each is, so no entry is stat'ed here.  Walks without
    following directory links, so a link loop cannot make it run forever.
    """
    import fnmatch

    recursive = pattern.startswith("**/")
    name_pattern = pattern[3:] if recursive else pattern
    out: list[tuple[str, str]] = []
    pending = [(real_dir, f"{directory}/")]
    while pending:
        path, prefix = pending.pop(0)
        below = []
        for entry in _entries(path):
            try:
                if entry.is_symlink():
                    what = "link"
                elif entry.is_dir(follow_symlinks=False):
                    if recursive:
                        below.append((entry.path, prefix + entry.name + "/"))
                    continue
                else:
                    what = "file" if entry.is_file(follow_symlinks=False) else "other"
            except OSError:
                continue
            if fnmatch.fnmatchcase(entry.name, name_pattern):
                out.append((prefix + entry.name, what))
        pending[:0] = below  # depth first, as os.walk goes
    return out


def explicit_target(path: str, settings: Settings, forced: str | None) -> Target:
    if not os.path.exists(path):
        raise DiscoveryError(f"{path}: no such file or directory")
    if not os.access(path, os.R_OK):
        raise DiscoveryError(f"{path}: permission denied")
    shown = path.replace(os.sep, "/")
    skip = skip_reason(path, settings)
    match = classify(shown, path if skip is None else "", settings, forced, sniff=skip is None)
    if match is None:
        return Target(shown, path, None, explicit=True, skip=skip)
    # what is written is the file itself (its real path), and no link on the way to it is followed
    return Target(shown, path, match.kind, match.role, match.node_path, None, True, skip, anchor="/")


def discover(paths: list[str], settings: Settings, root: str | None = None,
             forced: str | None = None, mapper=None) -> list[Target]:
    """The targets of a run.  ``mapper``: see walk_tree."""
    if root is not None:
        if not os.path.isdir(root):
            raise DiscoveryError(f"{root}: --root must be a directory" if os.path.exists(root)
                                 else f"{root}: no such directory (--root)")
        return root_targets(root, settings)
    targets: list[Target] = []
    for path in paths or ["."]:
        if os.path.isdir(path):
            if not os.access(path, os.R_OK | os.X_OK):
                raise DiscoveryError(f"{path}: permission denied")
            targets += walk_tree(path, settings, forced, mapper)
        elif settings.excluded(path):
            continue  # `exclude` covers named files too: pre-commit names files one by one
        else:
            targets.append(explicit_target(path, settings, forced))
    seen, unique = set(), []
    for t in targets:
        t.real = t.real or os.path.realpath(t.fs_path)
        if t.real not in seen:
            seen.add(t.real)
            unique.append(t)
    return unique
