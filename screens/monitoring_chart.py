"""The monitoring chart (PNG): a heat map of registers on time (R1) by teacher and week, and
under it the college's weekly trend. Drawn off screen (matplotlib's Agg backend)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

from core.i18n import _
from services.monitoring.indicators import Weekly

_MAP = LinearSegmentedColormap.from_list("r1", ["#F8696B", "#FFEB84", "#63BE7B"])


def to_png(data: Weekly) -> bytes:
    rows = max(len(data.teachers), 1)
    figure = Figure(figsize=(max(6.0, 0.5 * len(data.weeks) + 3), 2.5 + 0.28 * rows), dpi=100)
    heat, trend = figure.subplots(
        2, 1, gridspec_kw={"height_ratios": [max(rows, 3), 3]}, squeeze=True
    )
    labels = [f"{week:%d.%m}" for week in data.weeks]
    values = [[float("nan") if v is None else v for v in row] for row in data.on_time]
    if values and labels:
        image = heat.imshow(values, aspect="auto", cmap=_MAP, vmin=0, vmax=1)
        figure.colorbar(image, ax=heat, format=lambda v, _pos: f"{v:.0%}")
    heat.set_yticks(range(len(data.teachers)), data.teachers, fontsize=8)
    heat.set_xticks(range(len(labels)), labels, fontsize=8, rotation=90)
    heat.set_title(_("Registers on time (R1), by teacher and week"), fontsize=10)
    points = [(i, v) for i, v in enumerate(data.trend) if v is not None]
    trend.plot([i for i, _v in points], [v for _i, v in points], marker="o", color="#3A6EA5")
    trend.set_ylim(0, 1.05)
    trend.set_xticks(range(len(labels)), labels, fontsize=8, rotation=90)
    trend.yaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")
    trend.set_title(_("The college: registers on time by week"), fontsize=10)
    trend.grid(alpha=0.3)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
