"""The monitoring dashboard of the journal grid as charts: inline SVG drawn on the server
(no script, no library in the page), coloured by the page's styles so it follows Telegram's
theme. Every label is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from markupsafe import Markup, escape

from core.i18n import _
from screens.monitoring import rule_name, span_text
from services.monitoring.indicators import Line, Monitoring, Rule, Tally, Weekly
from services.monitoring.region import Region

WIDTH = 360
LABEL = 150  # the labels' column
BAR = WIDTH - LABEL - 44  # the bar, then its percentage
ROW = 26
LEGEND = '<p class="legend"><i class="ok"></i>{} <i class="late"></i>{} <i class="miss"></i>{}</p>'


def _short(label: str, most: int = 21) -> str:
    return label if len(label) <= most else label[: most - 1] + "…"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def tally_bars(rows: Sequence[tuple[str, Tally]]) -> Markup:
    """One stacked bar per row: on time, late, missing, as shares of the items due."""
    height = ROW * len(rows) + 4
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-label="{escape(_("Items on time, late and missing"))}">'
    ]
    for i, (label, tally) in enumerate(rows):
        y = i * ROW + 4
        parts.append(f'<text x="0" y="{y + 15}" class="label">{escape(_short(label))}</text>')
        x = float(LABEL)
        if not tally.due:
            parts.append(f'<rect x="{LABEL}" y="{y}" width="{BAR}" height="18" class="none"/>')
        for count, cls in ((tally.on_time, "ok"), (tally.late, "late"), (tally.missing, "miss")):
            if not count or not tally.due:
                continue
            width = BAR * count / tally.due
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="18" class="{cls}">'
                f"<title>{count}</title></rect>"
            )
            x += width
        share = tally.share(tally.on_time)
        parts.append(
            f'<text x="{WIDTH}" y="{y + 15}" class="value" text-anchor="end">{_pct(share)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def trend(weeks: Sequence[date], values: Sequence[float | None]) -> Markup:
    """The college's registers on time (R1), week by week, 0–100 %."""
    height, top, bottom, left = 140, 10, 24, 34
    inner_w, inner_h = WIDTH - left - 6, height - top - bottom
    step = inner_w / max(len(weeks) - 1, 1)

    def y_of(value: float) -> float:
        return top + inner_h * (1 - value)

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-label="{escape(_("Registers on time by week"))}">'
    ]
    for level in (0.0, 0.5, 1.0):
        y = y_of(level)
        parts.append(f'<line x1="{left}" x2="{WIDTH - 6}" y1="{y:.1f}" y2="{y:.1f}" class="axis"/>')
        parts.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" class="value" text-anchor="end">'
            f"{level:.0%}</text>"
        )
    points = [(left + i * step, y_of(v), v) for i, v in enumerate(values) if v is not None]
    if points:
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _v in points)
        parts.append(f'<polyline points="{line}" class="trend"/>')
        for x, y, v in points:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" class="dot"><title>{_pct(v)}</title>'
                "</circle>"
            )
    every = max(1, len(weeks) // 6)
    for i, week in enumerate(weeks):
        if i % every == 0:
            parts.append(
                f'<text x="{left + i * step:.1f}" y="{height - 6}" class="value" '
                f'text-anchor="middle">{week:%d.%m}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def behind_bars(lines: Sequence[Line]) -> Markup:
    """The teachers furthest behind: items late or missing."""
    if not lines:
        return Markup('<p class="muted">{}</p>').format(
            _("Every teacher kept the journal on time. 👍")
        )
    most = max(line.behind for line in lines)
    height = ROW * len(lines) + 4
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img">']
    for i, line in enumerate(lines):
        y = i * ROW + 4
        width = BAR * line.behind / most
        parts.append(f'<text x="0" y="{y + 15}" class="label">{escape(_short(line.name))}</text>')
        parts.append(f'<rect x="{LABEL}" y="{y}" width="{width:.1f}" height="18" class="miss"/>')
        parts.append(
            f'<text x="{WIDTH}" y="{y + 15}" class="value" text-anchor="end">{line.behind}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _presets(chosen: str) -> str:
    presets = (("w", _("Week")), ("m", _("Month")), ("s", _("Semester")))
    return "".join(
        str(
            Markup('<button type="button" class="chip{}" data-preset="{}">{}</button>').format(
                " on" if code == chosen else "", code, label
            )
        )
        for code, label in presets
    )


def region_dashboard(found: Region, chosen: str) -> Markup:
    """The region's colleges side by side: registers (R1) and topics (R2) on time, and the
    region's items of every rule (aggregates only: no person is named)."""
    parts = [
        _presets(chosen),
        str(
            Markup('<div class="grid-title"><h2>{}</h2><p class="muted">{}</p></div>').format(
                _("Region"), span_text(found.span)
            )
        ),
        str(Markup(LEGEND).format(_("on time"), _("late"), _("missing"))),
    ]
    for rule in (Rule.R1, Rule.R2):
        parts.append(str(Markup("<h2>{}</h2>").format(rule_name(rule))))
        parts.append(str(tally_bars([(c.name, c.rules[rule]) for c in found.colleges])))
    parts.append(str(Markup("<h2>{}</h2>").format(_("Items on time, late and missing"))))
    parts.append(str(tally_bars([(rule_name(rule), found.total.rules[rule]) for rule in Rule])))
    return Markup("".join(parts))


def dashboard(m: Monitoring, weekly: Weekly, chosen: str) -> Markup:
    """The college's indicators for the span, as the bot's summary gives them, in charts."""
    chips = _presets(chosen)
    college = m.college
    per = college.grades_per_student
    parts = [
        chips,
        str(
            Markup('<div class="grid-title"><h2>{}</h2><p class="muted">{}</p></div>').format(
                _("Monitoring"), span_text(m.span)
            )
        ),
        str(
            Markup('<p class="muted">{}</p>').format(
                _("Lessons held: {count}").format(count=college.lessons)
            )
        ),
        str(Markup("<h2>{}</h2>").format(_("Items on time, late and missing"))),
        str(
            Markup(
                '<p class="legend"><i class="ok"></i>{} <i class="late"></i>{} '
                '<i class="miss"></i>{}</p>'
            ).format(_("on time"), _("late"), _("missing"))
        ),
        str(tally_bars([(rule_name(rule), college.rules[rule]) for rule in Rule])),
        str(Markup("<h2>{}</h2>").format(_("Registers on time by week"))),
        str(trend(weekly.weeks, weekly.trend)),
        str(Markup("<h2>{}</h2>").format(_("Furthest behind"))),
        str(behind_bars(m.furthest_behind)),
        str(
            Markup('<p class="muted">{}<br>{}</p>').format(
                _("Absences without a reason: {share} ({unexplained} of {absent})").format(
                    share=_pct(college.unexplained_share),
                    unexplained=college.unexplained,
                    absent=college.absent,
                ),
                _("Current grades per student at a lesson: {value}").format(
                    value="—" if per is None else f"{per:.2f}"
                ),
            )
        ),
    ]
    return Markup("".join(parts))
