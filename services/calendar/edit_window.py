"""The teacher's edit window and R1, counted in the same staff working days.

R1 (PRODUCT.md): attendance and current grades not later than one working day after the
lesson. The teacher may change a lesson's journal until ``edit_window_days`` working days after
its date, and never less than R1's deadline plus ``MARGIN`` working days, so a deadline the bot
reminds of can always be met (a lesson on 30 December is due on the first working day after
the New Year holidays, and the window is still open then and a day longer).
"""

from __future__ import annotations

from datetime import date, timedelta

from services.calendar.workdays import WorkCalendar

R1_DAYS = 1
MARGIN = 1  # working days the window stays open after R1's deadline
SHORTEST = R1_DAYS + MARGIN


def register_deadline(lesson_day: date, cal: WorkCalendar) -> date:
    """R1: not later than one working day after the lesson."""
    return cal.add_working_days(lesson_day, R1_DAYS)


def window_days(edit_window_days: int) -> int:
    """The window in working days: the setting, but never shorter than R1 plus the margin."""
    return max(edit_window_days, SHORTEST)


def edit_deadline(lesson_day: date, edit_window_days: int, cal: WorkCalendar) -> date:
    """The last day the teacher may still change the lesson's journal."""
    return cal.add_working_days(lesson_day, window_days(edit_window_days))


def window_open(lesson_day: date, today: date, edit_window_days: int, cal: WorkCalendar) -> bool:
    return today <= edit_deadline(lesson_day, edit_window_days, cal)


def editable_since(today: date, edit_window_days: int, cal: WorkCalendar) -> date:
    """The first lesson date whose window is still open on ``today``.

    ``edit_deadline`` grows with the lesson's date, so this is the day after the last date whose
    deadline has passed: at most the window's working days (and the days off among them) back.
    """
    day = cal.add_working_days(today, -window_days(edit_window_days) - 1)
    while not window_open(day, today, edit_window_days, cal):
        day += timedelta(days=1)
    return day
