"""Unified diffs of what --fix would write, as git prints them.

difflib.unified_diff alone takes time growing with the square of the changed lines: a config
of 10,000 runtime handlers that --fix gives 10,000 ``SystemdCgroup = true`` lines took 29 s to
print (2 s to fix).  The texts are first cut at anchors, as patience diff does: lines found
exactly once in the old text and once in the new (a fix never repeats a table header), kept in
the order both texts have them (the longest increasing run).  Between two anchors the regions
are small, and difflib aligns them.  Where a region has no anchor of its own, difflib aligns it
whole.  The result is a correct unified diff of the same texts; it can differ from difflib's
only where two alignments are equally good; texts of fewer than 2,000 lines are aligned by
difflib whole, exactly as before.
"""
from __future__ import annotations

import bisect
import difflib

SMALL = 64  # a region this short (either side) is aligned by difflib directly
WHOLE = 2000  # texts of fewer lines than this (both sides) are aligned by difflib whole, as before


def _anchors(a: list[str], alo: int, ahi: int, b: list[str], blo: int, bhi: int) -> list[tuple[int, int]]:
    """(i, j) pairs of lines unique on both sides, in the order both sides have them."""
    count_a: dict[str, list[int]] = {}
    for i in range(alo, ahi):
        count_a.setdefault(a[i], []).append(i)
    count_b: dict[str, list[int]] = {}
    for j in range(blo, bhi):
        count_b.setdefault(b[j], []).append(j)
    pairs = [(count_a[line][0], js[0]) for line, js in count_b.items()
             if len(js) == 1 and len(count_a.get(line, ())) == 1]
    pairs.sort()
    # the longest run of pairs increasing in j too (patience sorting: n log n)
    tails: list[int] = []  # j of the last pair of the best run of each length
    tail_at: list[int] = []  # index into pairs of that pair
    previous = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        at = bisect.bisect_left(tails, j)
        if at == len(tails):
            tails.append(j)
            tail_at.append(k)
        else:
            tails[at] = j
            tail_at[at] = k
        previous[k] = tail_at[at - 1] if at else -1
    run, k = [], tail_at[-1] if tail_at else -1
    while k >= 0:
        run.append(pairs[k])
        k = previous[k]
    return run[::-1]


def _opcodes(a: list[str], alo: int, ahi: int, b: list[str], blo: int, bhi: int, out: list) -> None:
    while alo < ahi and blo < bhi and a[alo] == b[blo]:  # common head
        out.append(("equal", alo, alo + 1, blo, blo + 1))
        alo, blo = alo + 1, blo + 1
    tail = []
    while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:  # common tail
        ahi, bhi = ahi - 1, bhi - 1
        tail.append(("equal", ahi, ahi + 1, bhi, bhi + 1))
    anchors = [] if min(ahi - alo, bhi - blo) <= SMALL else _anchors(a, alo, ahi, b, blo, bhi)
    if not anchors:
        matcher = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
        out.extend((tag, i1 + alo, i2 + alo, j1 + blo, j2 + blo) for tag, i1, i2, j1, j2 in matcher.get_opcodes())
    else:
        i, j = alo, blo
        for ai, bj in anchors:
            _opcodes(a, i, ai, b, j, bj, out)
            out.append(("equal", ai, ai + 1, bj, bj + 1))
            i, j = ai + 1, bj + 1
        _opcodes(a, i, ahi, b, j, bhi, out)
    out.extend(reversed(tail))


def opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib-style opcodes turning ``a`` into ``b``, adjacent ones of one kind merged."""
    if len(a) + len(b) < WHOLE:
        return difflib.SequenceMatcher(None, a, b).get_opcodes()
    raw: list = []
    _opcodes(a, 0, len(a), b, 0, len(b), raw)
    merged: list = []
    for tag, i1, i2, j1, j2 in raw:
        if i1 == i2 and j1 == j2:
            continue
        if merged and merged[-1][0] == tag and merged[-1][2] == i1 and merged[-1][4] == j1:
            merged[-1] = (tag, merged[-1][1], i2, merged[-1][3], j2)
        elif merged and {merged[-1][0], tag} <= {"delete", "insert", "replace"} and merged[-1][2] == i1 \
                and merged[-1][4] == j1:
            merged[-1] = ("replace", merged[-1][1], i2, merged[-1][3], j2)
        else:
            merged.append((tag, i1, i2, j1, j2))
    return merged or [("equal", 0, 0, 0, 0)]


class _Matcher(difflib.SequenceMatcher):
    """difflib's hunk grouping, over the opcodes above."""

    def __init__(self, a: list[str], b: list[str]):
        super().__init__(None, a, b, autojunk=False)
        self._codes = opcodes(a, b)

    def get_opcodes(self):
        return list(self._codes)


def _range(start: int, stop: int) -> str:
    length = stop - start
    first = start + 1
    if length == 1:
        return f"{first}"
    if not length:
        first -= 1
    return f"{first},{length}"


def unified(path: str, old: str, new: str, created: bool = False) -> str:
    label = path.lstrip("/")
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    if a == b:
        return ""
    out = [f"--- {'/dev/null' if created else 'a/' + label}\n", f"+++ b/{label}\n"]
    for group in _Matcher(a, b).get_grouped_opcodes(3):
        first, last = group[0], group[-1]
        out.append(f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n")
        for tag, i1, i2, j1, j2 in group:
            lines = [(" ", a[i]) for i in range(i1, i2)] if tag == "equal" else \
                [("-", a[i]) for i in range(i1, i2)] + [("+", b[j]) for j in range(j1, j2)]
            for sign, line in lines:
                out.append(sign + line)
                if not line.endswith("\n"):
                    out.append("\n\\ No newline at end of file\n")
    return "".join(out)
