"""The academic year a date belongs to."""

from __future__ import annotations

from datetime import date

PREPARED_FROM = 8  # August: the coming year is prepared (R7, R8), so it already belongs to it


def academic_year(day: date) -> int:
    """The academic year of ``day``, by the year it starts (2026 for 2026/2027); from August
    on, the coming one."""
    return day.year if day.month >= PREPARED_FROM else day.year - 1
