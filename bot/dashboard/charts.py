"""Horizontal bar charts drawn on the server as SVG (templates/_chart.html): no script, no
CDN; each chart has a <title> and a <desc> that reads its figures, and each bar a <title>."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LABEL_WIDTH = 150
BAR_SPACE = 160  # the longest bar
VALUE_SPACE = 50
BAR_HEIGHT = 18
GAP = 6
LABEL_CHARS = 22


@dataclass(frozen=True)
class Bar:
    label: str  # in full (the bar's <title>)
    short: str  # as drawn beside the bar
    value: str  # "12", "1.234", "<5" or "x"
    length: int  # 0 for a hidden figure: no bar, only its mark
    y: int


@dataclass(frozen=True)
class Chart:
    title: str
    bars: tuple[Bar, ...]
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def width(self) -> int:
        return LABEL_WIDTH + BAR_SPACE + VALUE_SPACE

    @property
    def height(self) -> int:
        return max(1, len(self.bars)) * (BAR_HEIGHT + GAP)

    @property
    def description(self) -> str:
        return "; ".join(f"{b.label}: {b.value}" for b in self.bars)


def bar_chart(title: str, rows: Sequence[tuple[str, int | None, str]]) -> Chart:
    """rows: (label, count or None when hidden, the figure as shown)."""
    largest = max((n for _label, n, _shown in rows if n is not None), default=0)
    bars = []
    for i, (label, count, shown) in enumerate(rows):
        length = round(BAR_SPACE * count / largest) if count and largest else 0
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        bars.append(
            Bar(label, short, shown, max(length, 1) if count else 0, i * (BAR_HEIGHT + GAP))
        )
    return Chart(title, tuple(bars))
