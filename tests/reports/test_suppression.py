"""Small-cell suppression: no hidden figure can be worked out from what a table shows and its
true total, whatever the counts (hypothesis over random tables)."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.reports.suppression import Hidden, Table, suppress


def _possible_values(table: Table, total: int, threshold: int) -> dict[str, set[int]]:
    """Every value each hidden cell can take, for someone who knows the total and the rule."""
    hidden = [c for c in table.cells if c.count is None]
    rest = total - sum(c.count or 0 for c in table.cells)
    ranges = [
        range(1, threshold) if c.hidden is Hidden.SMALL else range(threshold, total + 1)
        for c in hidden
    ]
    possible: dict[str, set[int]] = {c.key: set() for c in hidden}
    for values in itertools.product(*ranges):
        if sum(values) == rest:
            for cell, value in zip(hidden, values, strict=True):
                possible[cell.key].add(value)
    return possible


counts = st.dictionaries(
    st.sampled_from(["a", "b", "c", "d", "e", "f"]), st.integers(0, 14), max_size=6
)


@settings(max_examples=400, deadline=None)
@given(counts, st.integers(3, 6), st.sets(st.sampled_from(["a", "b", "c"]), max_size=2))
def test_no_hidden_cell_can_be_worked_out_from_the_total(
    counts: dict[str, int], threshold: int, hide: set[str]
) -> None:
    table = suppress(counts, threshold, hide)
    total = sum(counts.values())
    for cell in table.cells:
        true = counts[cell.key]
        if cell.count is not None:
            assert cell.count == true >= threshold  # a shown figure is true, never small
            assert cell.key not in hide
        elif cell.hidden is Hidden.SMALL:
            assert 0 < true < threshold
        else:
            assert true >= threshold
    if total >= threshold:
        assert table.total == total
        for key, values in _possible_values(table, total, threshold).items():
            assert len(values) >= 2, (counts, threshold, table, key, values)
    else:
        assert table.total is None  # the total itself is small
        assert all(c.hidden is Hidden.SMALL for c in table.cells)
    if table.withheld:
        assert table.cells == ()
    else:
        assert {c.key for c in table.cells} == {k for k, n in counts.items() if n}


def test_one_small_cell_hides_the_next_smallest_too() -> None:
    table = suppress({"wages": 20, "passport": 7, "abuse": 2}, 5)
    shown = {c.key: c.shown(5) for c in table.cells}
    assert shown == {"wages": "20", "passport": "x", "abuse": "<5"}
    assert table.total == 29


def test_a_table_without_small_cells_is_shown_whole() -> None:
    table = suppress({"MY": 9, "HK": 5, "SA": 0}, 5)
    assert [(c.key, c.shown(5)) for c in table.cells] == [("MY", "9"), ("HK", "5")]


def test_five_cells_of_one_are_withheld() -> None:
    # Five "<5" cells and a total of 5: each must be 1.
    table = suppress({k: 1 for k in "abcde"}, 5)
    assert table.withheld and table.cells == () and table.total == 5
