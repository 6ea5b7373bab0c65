"""Settings: defaults, then ``[tool.nodelint]`` in pyproject.toml or ``.nodelint.toml``
(the nearest one up from the working directory), then the command line."""
from __future__ import annotations

import os
import re
from ..values.record import record, fresh

from ..values.findings import SEVERITIES


class ConfigError(Exception):
    pass


KNOWN_KEYS = {
    "select", "ignore", "extend-select", "per-file-ignores", "severity", "fail-on",
    "cgroup-driver", "kinds", "exclude", "sysctl", "versions", "max-file-size",
}


@record
class Settings:
    select: list[str] = fresh(lambda: ["ALL"])
    ignore: list[str] = fresh(list)
    extend_select: list[str] = fresh(list)
    per_file_ignores: dict[str, list[str]] = fresh(dict)
    severity: dict[str, str] = fresh(dict)
    fail_on: str = "warning"
    cgroup_driver: str = "systemd"
    kinds: dict[str, str] = fresh(dict)
    exclude: list[str] = fresh(list)
    sysctl: dict = fresh(dict)
    versions: dict = fresh(dict)
    max_file_size: int = 10 * 1024 * 1024  # bigger files are not read (NL004)
    live: bool = False  # --live: also read running values under the root
    unsafe_fixes: bool = False  # --unsafe-fixes: also apply fixes marked unsafe
    runtime_versions: list = fresh(list)  # --runtime-version COMPONENT=VERSION
    config_path: str | None = None
    extra_root: str | None = None  # --root, for reports that name node paths (Prometheus labels)
    config_dir: str = "."

    def selects(self, code: str) -> bool:
        def matches(patterns: list[str]) -> int:
            best = -1
            for p in patterns:
                if p == "ALL":
                    best = max(best, 0)
                elif code.startswith(p):
                    best = max(best, len(p))
            return best

        chosen = max(matches(self.select), matches(self.extend_select))
        ignored = matches(self.ignore)
        return chosen >= 0 and chosen > ignored  # the more specific prefix wins; ties ignore

    def ignored_for_file(self, code: str, path: str) -> bool:
        if not self.per_file_ignores:
            return False
        rel = _relative(path, self.config_dir)
        for pattern, codes in self.per_file_ignores.items():
            if glob_match(pattern, rel) and any(code.startswith(c) or c == "ALL" for c in codes):
                return True
        return False

    def kind_for(self, path: str) -> str | None:
        if not self.kinds:
            return None
        rel = _relative(path, self.config_dir)
        for pattern, kind in self.kinds.items():
            if glob_match(pattern, rel):
                return kind
        return None

    def excluded(self, path: str) -> bool:
        if not self.exclude:
            return False
        rel = _relative(path, self.config_dir)
        return any(glob_match(p, rel) for p in self.exclude)


def _relative(path: str, base: str) -> str:
    try:
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(base))
    except ValueError:
        rel = path
    return rel.replace(os.sep, "/")


_GLOB_CACHE: dict[str, re.Pattern] = {}


def glob_match(pattern: str, path: str) -> bool:
    """Glob with ``**`` (any directories), ``*`` and ``?``; a pattern without ``/`` matches a name."""
    rx = _GLOB_CACHE.get(pattern)
    if rx is None:
        pat = pattern.strip("/") if "/" in pattern.strip("/") else "**/" + pattern.strip("/")
        out = []
        i = 0
        while i < len(pat):
            if pat.startswith("**/", i):
                out.append("(?:.*/)?")
                i += 3
            elif pat.startswith("**", i):
                out.append(".*")
                i += 2
            elif pat[i] == "*":
                out.append("[^/]*")
                i += 1
            elif pat[i] == "?":
                out.append("[^/]")
                i += 1
            else:
                out.append(re.escape(pat[i]))
                i += 1
        rx = _GLOB_CACHE[pattern] = re.compile("".join(out) + r"(?:/.*)?\Z")
    return bool(rx.match(path))


def _shown(path: str) -> str:
    """A configuration file's path as messages show it: relative below the working directory."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def find_config(start: str) -> tuple[str, dict] | None:
    """The nearest .nodelint.toml, or pyproject.toml with [tool.nodelint], up from ``start``."""
    here = os.path.abspath(start)
    while True:
        dotfile = _shown(os.path.join(here, ".nodelint.toml"))
        if os.path.isfile(dotfile):
            return dotfile, read_table(dotfile)
        pyproject = _shown(os.path.join(here, "pyproject.toml"))
        if os.path.isfile(pyproject):
            raw = _bytes(pyproject)
            # most pyproject.toml files never mention nodelint, and are not parsed at all
            table = read_table(pyproject, raw).get("tool", {}).get("nodelint") if b"nodelint" in raw else None
            if isinstance(table, dict):
                return pyproject, table
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


CONFIG_LIMIT = 1 << 20  # a configuration file larger than this is refused, not read


def _bytes(path: str) -> bytes:
    from .files import TooLarge, read_bounded

    try:
        return read_bounded(os.path.realpath(path), CONFIG_LIMIT)
    except TooLarge as e:
        raise ConfigError(f"{path}: {e.strerror}") from None
    except OSError as e:
        raise ConfigError(f"{path}: {e.strerror}") from None


def read_table(path: str, raw: bytes | None = None) -> dict:
    """A TOML configuration file (``raw``: its bytes, when already read)."""
    import tomli

    raw = _bytes(path) if raw is None else raw
    try:
        return tomli.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 ({e.reason} at byte {e.start})") from None
    except tomli.TOMLDecodeError as e:
        raise ConfigError(f"{path}: {e}") from None


def _strings(path: str, key: str, value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: '{key}' must be a list of strings")
    return list(value)


def from_table(path: str, table: dict, settings: Settings | None = None) -> Settings:
    s = settings or Settings()
    s.config_path = path
    s.config_dir = os.path.dirname(os.path.abspath(path))
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown == ["tool"] and isinstance(table.get("tool"), dict) and "nodelint" in table["tool"] \
            and not path.endswith("pyproject.toml"):
        raise ConfigError(f"{path}: drop the [tool.nodelint] prefix: .nodelint.toml holds the keys at its top level")
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r} (known: {', '.join(sorted(KNOWN_KEYS))})")
    if "select" in table:
        s.select = _strings(path, "select", table["select"])
    if "ignore" in table:
        s.ignore = _strings(path, "ignore", table["ignore"])
    if "extend-select" in table:
        s.extend_select = _strings(path, "extend-select", table["extend-select"])
    if "exclude" in table:
        s.exclude = _strings(path, "exclude", table["exclude"])
    pfi = table.get("per-file-ignores", {})
    if not isinstance(pfi, dict):
        raise ConfigError(f"{path}: 'per-file-ignores' must be a table of glob = [codes]")
    s.per_file_ignores = {k: _strings(path, f"per-file-ignores.{k}", v) for k, v in pfi.items()}
    sev = table.get("severity", {})
    if not isinstance(sev, dict) or any(v not in SEVERITIES for v in sev.values()):
        raise ConfigError(f"{path}: 'severity' maps rule codes to one of {', '.join(SEVERITIES)}")
    s.severity = dict(sev)
    if "fail-on" in table:
        if table["fail-on"] not in SEVERITIES:
            raise ConfigError(f"{path}: 'fail-on' must be one of {', '.join(SEVERITIES)}")
        s.fail_on = table["fail-on"]
    if "cgroup-driver" in table:
        if table["cgroup-driver"] not in ("systemd", "cgroupfs"):
            raise ConfigError(f"{path}: 'cgroup-driver' must be \"systemd\" or \"cgroupfs\"")
        s.cgroup_driver = table["cgroup-driver"]
    kinds = table.get("kinds", {})
    from .kinds import KINDS

    if not isinstance(kinds, dict) or any(v not in KINDS for v in kinds.values()):
        raise ConfigError(f"{path}: 'kinds' maps globs to one of {', '.join(sorted(KINDS))}")
    s.kinds = dict(kinds)
    if "max-file-size" in table:
        s.max_file_size = _size(path, table["max-file-size"])
    for key in ("sysctl", "versions"):
        if key in table:
            if not isinstance(table[key], dict):
                raise ConfigError(f"{path}: '{key}' must be a table")
            setattr(s, key, dict(table[key]))
    return s


def _size(path: str, value) -> int:
    """A byte count: 1048576, "10MiB", "512KiB"."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d+)\s*(B|KiB|MiB|GiB)?\s*", value)
        if m:
            return int(m.group(1)) * {"B": 1, None: 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3}[m.group(2)]
    raise ConfigError(f"{path}: 'max-file-size' must be a number of bytes or a size such as \"10MiB\"")


def load_settings(cwd: str = ".") -> Settings:
    found = find_config(cwd)
    if found is None:
        return Settings()
    return from_table(*found)
