"""Go build information read from a binary, as ``go version -m`` prints it, without running it.

Layout (Go's debug/buildinfo, reference/live-node.md section 4): the ``.go.buildinfo``
section (or the first writable, non-executable PT_LOAD segment) starts, at a 16-byte
aligned offset, with the magic ``\\xff Go buildinf:``; byte 14 is the pointer size, byte
15 the flags (bit 1: strings inline, Go >= 1.18).  Inline, two uvarint-prefixed strings
follow the 32-byte header: the Go version and the module info, which is framed by
16-byte sentinels.  Older binaries (pointer format) are not read.
"""
from __future__ import annotations

import struct
from ..values.record import record

MAGIC = b"\xff Go buildinf:"
SCAN = 64 * 1024


@record
class BuildInfo:
    go_version: str
    lines: list[tuple[str, ...]]  # tab-separated fields of each modinfo line

    def main_module(self) -> tuple[str, str] | None:
        for fields in self.lines:
            if fields[0] == "mod" and len(fields) >= 3:
                return fields[1], fields[2]
        return None

    def ldflags(self) -> str:
        for fields in self.lines:
            if fields[0] == "build" and len(fields) >= 2 and fields[1].startswith("-ldflags="):
                return fields[1][len("-ldflags="):].strip('"')
        return ""

    def x_value(self, variable: str) -> str | None:
        """The value ``-X variable=value`` set at link time, if recorded."""
        parts = self.ldflags().replace("'", " ").replace('"', " ").split()
        for i, part in enumerate(parts):
            item = parts[i + 1] if part == "-X" and i + 1 < len(parts) else (part[2:] if part.startswith("-X") else "")
            if item.startswith(variable + "="):
                return item[len(variable) + 1:]
        return None


def _uvarint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while pos < len(data):
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, pos
        shift += 7
    raise ValueError("truncated uvarint")


def _region(f) -> tuple[int, int] | None:
    """(file offset, size) where the build info header lives."""
    ident = f.read(64)
    if len(ident) < 52 or ident[:4] != b"\x7fELF":
        return None
    wide = ident[4] == 2
    e = "<" if ident[5] == 1 else ">"
    if wide:
        phoff, shoff = struct.unpack_from(e + "QQ", ident, 32)
        phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from(e + "HHHHH", ident, 54)
    else:
        phoff, shoff = struct.unpack_from(e + "II", ident, 28)
        phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from(e + "HHHHH", ident, 42)
    if shoff and shnum and shstrndx < shnum:
        f.seek(shoff)
        table = f.read(shentsize * shnum)
        def section(i):
            if wide:
                name, _t, _fl, _a, off, size = struct.unpack_from(e + "IIQQQQ", table, i * shentsize)
            else:
                name, _t, _fl, _a, off, size = struct.unpack_from(e + "IIIIII", table, i * shentsize)
            return name, off, size
        _, stroff, strsize = section(shstrndx)
        f.seek(stroff)
        names = f.read(min(strsize, 1 << 20))
        for i in range(shnum):
            name, off, size = section(i)
            end = names.find(b"\0", name)
            if names[name:end] == b".go.buildinfo":
                return off, size
    f.seek(phoff)
    headers = f.read(phentsize * phnum)
    for i in range(phnum):
        if wide:
            ptype, flags, off, _v, _p, filesz = struct.unpack_from(e + "IIQQQQ", headers, i * phentsize)
        else:
            ptype, off, _v, _p, filesz, _m, flags = struct.unpack_from(e + "IIIIIII", headers, i * phentsize)
        if ptype == 1 and flags & 2 and not flags & 1:  # PT_LOAD, writable, not executable
            return off, filesz
    return None


def read(path: str) -> BuildInfo | None:
    """Build info of a Go ELF binary; None when it has none or it is not readable here."""
    from ..read.files import open_regular

    try:
        with open_regular(path) as f:
            region = _region(f)
            if region is None:
                return None
            f.seek(region[0])
            data = f.read(min(region[1], SCAN))
    except (OSError, struct.error):
        return None
    for start in range(0, max(len(data) - 32, 0), 16):
        if data[start:start + len(MAGIC)] != MAGIC:
            continue
        flags = data[start + 15]
        if not flags & 2:
            return None  # pointer format (Go < 1.18)
        try:
            n, pos = _uvarint(data, start + 32)
            go_version = data[pos:pos + n].decode("utf-8", "replace")
            n, pos = _uvarint(data, pos + n)
            mod = data[pos:pos + n]
        except ValueError:
            return None
        if len(mod) >= 33 and mod[-17:-16] == b"\n":
            mod = mod[16:-16]
        lines = [tuple(line.split("\t")) for line in mod.decode("utf-8", "replace").splitlines() if line]
        return BuildInfo(go_version, lines)
    return None
