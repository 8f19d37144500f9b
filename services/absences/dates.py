"""Date ranges as people type them for a certificate: ``24.11–26.11``, ``24.11``,
``24.11.2026 - 26.11.2026``, and the quick choices "today", "yesterday", "yesterday and
today". A date without a year is the one nearest to today (so ``28.12–03.01`` typed in January
spans the turn of the year)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from core.errors import Invalid
from core.i18n import _, fmt_date

_DATE = re.compile(r"(\d{1,2})[./,](\d{1,2})(?:[./,](\d{4}|\d{2}))?(?!\d)")
# "24–26.11": the days of one month sharing the month.
_DAYS_OF_MONTH = re.compile(
    r"^\s*(\d{1,2})\s*[-–—‒−]\s*(\d{1,2})[./](\d{1,2})(?:[./](\d{4}|\d{2}))?\s*$"
)
_LEFTOVER = re.compile(r"[\s\-–—‒−]|с|по|c|from|to|till|until", re.IGNORECASE)

QUICK = ("t", "y", "yt")  # today, yesterday, yesterday and today


@dataclass(frozen=True)
class DateRange:
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def label(self) -> str:
        """``24 November`` or ``24 November – 26 November``."""
        if self.first == self.last:
            return fmt_date(self.first, "d MMMM")
        return _("{first} – {last}").format(
            first=fmt_date(self.first, "d MMMM"), last=fmt_date(self.last, "d MMMM")
        )

    def short(self) -> str:
        """``24.11`` or ``24.11–26.11``: for buttons."""
        if self.first == self.last:
            return self.first.strftime("%d.%m")
        return f"{self.first:%d.%m}–{self.last:%d.%m}"


def quick_range(code: str, today: date) -> DateRange:
    yesterday = today - timedelta(days=1)
    if code == "t":
        return DateRange(today, today)
    if code == "y":
        return DateRange(yesterday, yesterday)
    if code == "yt":
        return DateRange(yesterday, today)
    raise Invalid(unreadable())


def unreadable() -> str:
    return _("I could not read the dates. Please type them like 24.11–26.11, or one day: 24.11.")


def _nearest(day: int, month: int, today: date) -> date:
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        raise Invalid(unreadable())
    return min(candidates, key=lambda d: abs((d - today).days))


def _one(match: re.Match[str], today: date) -> date:
    day, month, year = int(match[1]), int(match[2]), match[3]
    try:
        if year is None:
            return _nearest(day, month, today)
        full = int(year) + (2000 if len(year) == 2 else 0)
        return date(full, month, day)
    except ValueError:
        raise Invalid(unreadable()) from None


def parse_range(
    text: str,
    today: date,
    *,
    max_days: int = 92,
    not_after: date | None = None,
    not_before: date | None = None,
) -> DateRange:
    """The range typed in ``text``, checked against the limits, else Invalid saying why."""
    short = _DAYS_OF_MONTH.match(text)
    if short is not None:
        tail = f".{short[3]}" + (f".{short[4]}" if short[4] else "")
        text = f"{short[1]}{tail} - {short[2]}{tail}"
    matches = list(_DATE.finditer(text))
    rest = _LEFTOVER.sub("", _DATE.sub("", text))
    if not matches or len(matches) > 2 or rest:
        raise Invalid(unreadable())
    first = _one(matches[0], today)
    last = _one(matches[-1], today)
    if last < first:
        raise Invalid(_("The first date is after the last one. Please type them in order."))
    found = DateRange(first, last)
    check_range(found, max_days=max_days, not_after=not_after, not_before=not_before)
    return found


def check_range(
    found: DateRange,
    *,
    max_days: int = 92,
    not_after: date | None = None,
    not_before: date | None = None,
) -> None:
    if found.days > max_days:
        raise Invalid(
            _("That is more than {days} days. Please check the dates.").format(days=max_days)
        )
    if not_after is not None and found.last > not_after:
        raise Invalid(
            _("The dates cannot go past {date}.").format(date=fmt_date(not_after, "d MMMM y"))
        )
    if not_before is not None and found.first < not_before:
        raise Invalid(
            _("The dates cannot start before {date}.").format(date=fmt_date(not_before, "d MMMM y"))
        )
