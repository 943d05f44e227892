"""Small cells hidden, so that no figure of a report points at a few workers.

Primary suppression: a count below the threshold `t` (HELPLINE_REPORT_MIN_CELL) is shown as
"<t", never as the number. Secondary suppression: a table's true total is assumed known (another
table of the same cases shows it), and so is the rule; each hidden cell is then only known to lie
in [1, t-1] ("<t") or in [t, total] ("x", hidden for the sake of another). While the hidden cells
leave one of them a single possible value (one "<5" cell and a total; two "<5" cells summing to 2;
"<5" beside "x" summing to t+1 ...), the smallest shown cell is hidden too. A table whose hidden
cells still give one away once every cell is hidden shows no rows at all (`withheld`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum


class Hidden(StrEnum):
    SMALL = "small"  # below the threshold: "<t"
    SECONDARY = "secondary"  # hidden so that a small one cannot be worked out: "x"


@dataclass(frozen=True)
class Cell:
    key: str  # a code: category, ISO country, organisation id, YYYY-MM, outcome, intent
    count: int | None  # None when hidden
    hidden: Hidden | None = None

    def shown(self, threshold: int) -> str:
        """The figure as every export writes it: "12", "<5" or "x"."""
        if self.hidden is Hidden.SMALL:
            return f"<{threshold}"
        if self.hidden is Hidden.SECONDARY:
            return "x"
        return str(self.count)


@dataclass(frozen=True)
class Table:
    cells: tuple[Cell, ...]  # the largest first (hidden ones by their key)
    total: int | None  # None when below the threshold
    withheld: bool = False  # every figure hidden: the rows themselves would give one away

    def total_shown(self, threshold: int) -> str:
        """The total as exports write it: "<t" below the threshold, "x" when it is hidden for
        another table's sake (bot/reports/figures.py `build`)."""
        if self.total is not None:
            return str(self.total)
        return "x" if self.withheld else f"<{threshold}"


def suppress(
    counts: Mapping[str, int], threshold: int, hide: Collection[str] = frozenset()
) -> Table:
    """The table of `counts` (zero counts are dropped) as it may be shown; the keys in `hide`
    are hidden whatever their count (their group is hidden in another table)."""
    found = {k: n for k, n in counts.items() if n > 0}
    total = sum(found.values())
    hidden: dict[str, Hidden] = {k: Hidden.SMALL for k, n in found.items() if n < threshold}
    hidden.update({k: Hidden.SECONDARY for k in hide if k in found and k not in hidden})
    while _recoverable(found, hidden, threshold, total):
        shown = sorted((n, k) for k, n in found.items() if k not in hidden)
        if not shown:
            return Table((), total if total >= threshold else None, withheld=True)
        hidden[shown[0][1]] = Hidden.SECONDARY
    cells = [Cell(k, None if k in hidden else n, hidden.get(k)) for k, n in found.items()]
    cells.sort(key=lambda c: (c.count is None, -(c.count or 0), c.key))
    return Table(tuple(cells), total if total >= threshold else None)


def _recoverable(
    counts: Mapping[str, int], hidden: Mapping[str, Hidden], t: int, total: int
) -> bool:
    """Whether some hidden cell has one possible value, knowing the total, the shown cells and
    which hidden cells are small (each in [1, t-1]) or secondary (each at least t)."""
    small = sum(1 for h in hidden.values() if h is Hidden.SMALL)
    secondary = len(hidden) - small
    if not hidden:
        return False
    if total < t:
        # The total is hidden too ("<t" everywhere): nothing to subtract from.
        return False
    rest = total - sum(n for k, n in counts.items() if k not in hidden)
    if small:
        low = 1 if secondary else max(1, rest - (small - 1) * (t - 1))
        high = min(t - 1, rest - (small - 1) - secondary * t)
        if low >= high:
            return True
    if secondary:
        low = t if secondary > 1 else max(t, rest - small * (t - 1))
        high = rest - small - (secondary - 1) * t
        if low >= high:
            return True
    return False
