"""Texts of regional monitoring: the colleges side by side, one college's teachers, the
monthly workbook's caption. Aggregates only: no student appears here."""

from __future__ import annotations

from core.i18n import _
from screens.markup import Markup, bold, format_html, join
from screens.monitoring import ask_dates as ask_dates
from screens.monitoring import percent, span_text
from services.monitoring.indicators import LESSON_RULES, Line, Monitoring, Rule
from services.monitoring.region import Region

TEACHERS_SHOWN = 30


def choose_period() -> str:
    return join([bold(_("Region")), _("Choose the period:")])


def _figures(line: Line) -> Markup:
    r1, r2, r9 = (line.rules[rule] for rule in LESSON_RULES)
    return format_html(
        _("lessons {lessons} · R1 on time {r1} · R2 on time {r2} · R9 on time {r9} · "
          "absences without a reason {absences}"),
        lessons=line.lessons,
        r1=percent(r1.share(r1.on_time)),
        r2=percent(r2.share(r2.on_time)),
        r9=percent(r9.share(r9.on_time)),
        absences=percent(line.unexplained_share),
    )  # fmt: skip


def summary(region: Region) -> str:
    total, colleges = region.total, region.colleges
    lines: list[str] = [
        format_html(_("<b>Region</b> · {span}"), span=span_text(region.span)),
        format_html("{}: {}", total.name, _figures(total)),
        "",
    ]
    if not colleges:
        lines.append(_("No colleges are assigned to you yet."))
    lines += [format_html("<b>{}</b>: {}", line.name, _figures(line)) for line in colleges]
    return join(lines)


def college(m: Monitoring) -> str:
    lines: list[str] = [
        format_html(_("<b>{name}</b> · {span}"), name=m.college.name, span=span_text(m.span)),
        _figures(m.college),
        "",
        bold(_("Teachers, furthest behind first")),
    ]
    teachers = sorted(m.teachers, key=lambda t: (-t.behind, t.name))
    for t in teachers[:TEACHERS_SHOWN]:
        r1 = t.rules[Rule.R1]
        lines.append(
            format_html(
                _("{name}: {count} late or missing, R1 on time {r1}"),
                name=t.name,
                count=t.behind,
                r1=percent(r1.share(r1.on_time)),
            )
        )
    if len(teachers) > TEACHERS_SHOWN:
        lines.append(format_html(_("…and {count} more."), count=len(teachers) - TEACHERS_SHOWN))
    return join(lines)


def book_caption(region: Region) -> str:
    return format_html(_("Regional monitoring workbook · {span}"), span=span_text(region.span))
