"""The span of dates monitoring is asked for: a week, a month, the semester, or typed dates.

A span ends today at the latest (what lies ahead is not due yet) and must hold at least one
staff working day; otherwise nothing is computed and the person is told why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from core.errors import Invalid
from core.i18n import _
from services.calendar.workdays import WorkCalendar

LONGEST = timedelta(days=400)  # a year and a little: a workbook, not an archive


class Preset(StrEnum):
    WEEK = "w"
    MONTH = "m"
    SEMESTER = "s"


@dataclass(frozen=True)
class Span:
    first: date
    last: date

    def days(self) -> int:
        return (self.last - self.first).days + 1


def preset(kind: Preset, today: date, semester: tuple[date, date] | None) -> Span:
    """A week: the seven days up to today; a month: from the 1st to today; the semester: from
    the start of the period holding today (or the last 6 months without one) to today."""
    if kind is Preset.WEEK:
        return Span(today - timedelta(days=6), today)
    if kind is Preset.MONTH:
        return Span(today.replace(day=1), today)
    first = semester[0] if semester else today - timedelta(days=183)
    return Span(min(first, today), today)


_DATE = r"(\d{1,2})\.(\d{1,2})\.(\d{4})"
_RANGE = re.compile(rf"^\s*{_DATE}\s*[-–—]\s*{_DATE}\s*$")


def parse(typed: str) -> Span:
    """``01.11.2026 – 30.11.2026``; refused with a clear message when it is not two dates."""
    found = _RANGE.match(typed)
    if found is None:
        raise Invalid(_("Please type two dates, for example 01.11.2026 – 30.11.2026."))
    d1, m1, y1, d2, m2, y2 = (int(part) for part in found.groups())
    try:
        return Span(date(y1, m1, d1), date(y2, m2, d2))
    except ValueError:
        raise Invalid(_("There is no such date. Please check the day and the month.")) from None


def checked(span: Span, today: date, cal: WorkCalendar) -> Span:
    """The span as monitoring reads it, or a refusal: dates in the wrong order, too long,
    all in the future, or without a single working day."""
    if span.first > span.last:
        raise Invalid(_("The first date is after the last one. Please type them in order."))
    if span.first > today:
        raise Invalid(_("These days have not come yet: there is nothing to judge."))
    span = Span(span.first, min(span.last, today))
    if span.last - span.first > LONGEST:
        raise Invalid(_("Please choose at most a year."))
    day = span.first
    while day <= span.last:
        if cal.is_working_day(day):
            return span
        day += timedelta(days=1)
    raise Invalid(_("There is no working day in these dates: nothing was due."))


def code(span: Span) -> str:
    """The span in a button: ``YYYYMMDDYYYYMMDD``."""
    return f"{span.first:%Y%m%d}{span.last:%Y%m%d}"


def from_code(value: str) -> Span | None:
    """The span of a button, or None for a forged or broken one."""
    if len(value) != 16 or not value.isdigit():
        return None
    try:
        first = date(int(value[:4]), int(value[4:6]), int(value[6:8]))
        last = date(int(value[8:12]), int(value[12:14]), int(value[14:]))
    except ValueError:
        return None
    return Span(first, last)
