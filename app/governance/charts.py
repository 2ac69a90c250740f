"""Charts as data: one description of each chart, drawn as SVG on the page and as a picture in the pack.

The dashboard's charts are horizontal bars (one or more series per row, an optional target line): the
shape that reads best for categories with long names (themes, agencies, stages) and at 320 px. This module
lays the bars out in plain numbers; `templates/governance/_chart.html` turns the layout into SVG with no
JavaScript, and `pictures.py` draws the same layout for Word. Both read the same figures, so the pack's
pictures cannot differ from the page.
"""
from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 640
LABEL_W = 190
VALUE_W = 48
ROW_GAP = 10
BAR_H = 14
TOP = 8
AXIS_H = 22
MAX_LABEL = 30


@dataclass
class Bar:
    series: int
    x: float
    y: float
    w: float
    value: float | None
    text: str


@dataclass
class Row:
    label: str
    short: str
    y: float
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Chart:
    key: str
    title: str
    unit: str  # e.g. "days", "debriefs"
    series: list[str]
    data: list[tuple[str, list[float | None]]]
    target: float | None = None
    target_label: str = ""
    decimals: int = 0

    # ---- layout -----------------------------------------------------------------------------------------
    @property
    def top(self) -> float:
        return max([v for _, values in self.data for v in values if v is not None] + [self.target or 0, 1])

    @property
    def scale(self) -> float:
        return (WIDTH - LABEL_W - VALUE_W) / self.top

    def rows(self) -> list[Row]:
        out, y = [], TOP
        for label, values in self.data:
            short = label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1].rstrip() + "…"
            row = Row(label, short, y)
            for i, v in enumerate(values):
                w = 0 if v is None else max(v * self.scale, 1 if v else 0)
                row.bars.append(Bar(i, LABEL_W, y + i * BAR_H, w, v, self.fmt(v)))
            out.append(row)
            y += len(values) * BAR_H + ROW_GAP
        return out

    @property
    def plot_height(self) -> float:
        return TOP + len(self.data) * (len(self.series) * BAR_H + ROW_GAP)

    @property
    def height(self) -> float:
        return self.plot_height + AXIS_H

    @property
    def target_x(self) -> float | None:
        return None if self.target is None else LABEL_W + self.target * self.scale

    def ticks(self) -> list[tuple[float, str]]:
        step = _nice_step(self.top)
        out, v = [], 0.0
        while v <= self.top + 1e-9:
            out.append((LABEL_W + v * self.scale, self.fmt(v, tick=True)))
            v += step
        return out

    def fmt(self, v: float | None, tick: bool = False) -> str:
        if v is None:
            return "–"
        if tick or self.decimals == 0:
            return f"{v:,.0f}" if float(v).is_integer() or not tick else f"{v:,.1f}"
        return f"{v:,.{self.decimals}f}"

    # ---- words --------------------------------------------------------------------------------------------
    def description(self) -> str:
        """The chart in a sentence or two, for screen readers and the pack's alternative text."""
        if not self.data:
            return f"{self.title}: no data in this period."
        parts = []
        for label, values in self.data[:12]:
            vals = ", ".join(f"{name.lower()} {self.fmt(v)}" for name, v in zip(self.series, values, strict=True)) \
                if len(self.series) > 1 else self.fmt(values[0])
            parts.append(f"{label}: {vals}")
        more = f"; and {len(self.data) - 12} more rows in the table" if len(self.data) > 12 else ""
        target = f" Target {self.fmt(self.target)} {self.unit}." if self.target is not None else ""
        return f"{self.title}, in {self.unit}. " + "; ".join(parts) + more + "." + target


def _nice_step(top: float) -> float:
    raw = top / 4
    magnitude = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 0.1
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * magnitude:
            return max(m * magnitude, 1 if top >= 4 else 0.5)
    return 10 * magnitude
