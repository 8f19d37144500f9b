"""The journal's deadlines (PRODUCT.md R1–R9) as plain functions of dates and the calendar.

"Working day" is a staff working day of ``services.calendar.workdays.WorkCalendar``: the Russian
production calendar plus the college's own holidays and extra working days. Student vacations,
practice and sessions are working days for the staff, so deadlines run through them and digests
go out on them. Dates are the college's local dates.

* R1 register (attendance and current grades): due the working day after the lesson; the
  teacher's edit window (services/calendar/edit_window.py) always reaches past it.
* R2 topic: due on the lesson's day. Hours always hold a value (2 by default) and homework may
  rightly be empty, so the topic is what R2 checks.
* R3 period grades: due on the period's last day; teachers hear of missing ones from
  ``R3_BEFORE`` working days before it to ``R3_AFTER`` working days after it (while the period
  is open).
* R4 a curator's decision on an absence document: due ``R4_DAYS`` working days after it was
  sent; the curator hears of it from the working day before that.
* R5 accounts (invites) of people enrolled by an order, and of new staff: due ``R5_DAYS``
  working days after the order (the membership's start for staff).
* R6 movement orders: entered within ``R6_DAYS`` working days of the decision; one entered
  later is listed for the deputy (monitoring, nothing to remind anyone of).
* R7 the curriculum of the new intake year: by 1 September, reminded from 18 August.
* R8 work programmes and КТП: by 2 September, reminded daily from 20 August, weekly after.
* R9 the format of a distance lesson, recorded with the lesson. The deputy director declares
  distance days of groups (services/calendar/distance.py): every lesson of such a group on such
  a day without a format is flagged, and so is any lesson whose format lacks its mode, platform
  or time (the bot refuses those, an import may not). A lesson recorded at a distance on a day
  not declared is judged by its own format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from services.calendar import edit_window
from services.calendar.workdays import WorkCalendar
from services.calendar.years import academic_year

R3_BEFORE = 5
R3_AFTER = 5
R4_DAYS = 2
R5_DAYS = 3
R5_LOOKBACK = timedelta(days=60)  # orders this old still show people without an invite
R6_DAYS = 3
R6_LOOKBACK = timedelta(days=120)  # decisions this old are still checked for late entry
R7_FROM = (8, 18)
R7_DUE = (9, 1)
R7_OVERDUE_UNTIL = (9, 30)  # the weekly digest says it is missing until then
R8_FROM = (8, 20)
R8_DUE = (9, 2)
R3_MONITOR = timedelta(days=30)  # ended, still open periods the weekly digest looks at
WEEK = timedelta(days=7)
DIGEST_SPAN_MAX = timedelta(days=31)  # older gaps are for monitoring, not for a digest
# A digest is sent at its hour or, after a stop or a busy spell, up to this much later.
CATCH_UP = timedelta(hours=4)


class Due(StrEnum):
    SOON = "soon"
    TODAY = "today"
    OVERDUE = "overdue"


def due_status(deadline: date, today: date) -> Due:
    if deadline > today:
        return Due.SOON
    return Due.TODAY if deadline == today else Due.OVERDUE


class Done(StrEnum):
    """How an item was kept, against its deadline (monitoring, §IV: timeliness)."""

    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"  # not done and its deadline has passed
    NOT_DUE = "not_due"  # not done yet, still in time


def timeliness(deadline: date, done_on: date | None, today: date | None = None) -> Done:
    """``done_on`` is the college's date the item was first done (docs/reminders.md says which
    recorded time each rule is judged by); ``today`` None: judged after the fact."""
    if done_on is not None:
        return Done.ON_TIME if done_on <= deadline else Done.LATE
    if today is not None and today <= deadline:
        return Done.NOT_DUE
    return Done.MISSING


# --- when digests go out -------------------------------------------------------------------


class SlotKind(StrEnum):
    TEACHER = "teacher"  # teacher_hour: R1, overdue R2 and R9, R3, R8
    # teacher_evening_hour, or the end of the teacher's last lesson: R2 and R9 of the day
    LESSON_DAY = "lessonday"
    CURATOR = "curator"  # curator_hour: unexplained absences, R4
    ADMIN = "admin"  # admin_hour: R5
    DEPUTY = "deputy"  # deputy_hour, every working day: R7
    WEEKLY = "weekly"  # deputy_hour on the weekly day: overdue items by teacher, R6, R7


@dataclass(frozen=True)
class Slot:
    kind: SlotKind
    day: date


@dataclass(frozen=True)
class Hours:
    """The digest hours (college time), from ``core.config.Reminders``."""

    teacher: time
    lesson_day: time
    curator: time
    admin: time
    deputy: time
    deputy_weekday: int  # Monday = 0


def weekly_day(day: date, weekday: int, cal: WorkCalendar) -> date | None:
    """The day of the weekly digest in ``day``'s week: the week's ``weekday``, or the first
    working day after it in the same week when it is a day off; None when there is none."""
    chosen = day + timedelta(days=weekday - day.weekday())
    sunday = day + timedelta(days=6 - day.weekday())
    while chosen <= sunday:
        if cal.is_working_day(chosen):
            return chosen
        chosen += timedelta(days=1)
    return None


def due_slots(now_local: datetime, hours: Hours, cal: WorkCalendar) -> list[Slot]:
    """The digests due at ``now_local`` (an aware datetime in the college's zone): those whose
    hour has come today, not more than ``CATCH_UP`` ago. Nothing on a day that is not a
    working day: no reminders at weekends and on holidays."""
    day = now_local.date()
    if not cal.is_working_day(day):
        return []

    def come(at: time) -> bool:
        moment = datetime.combine(day, at, tzinfo=now_local.tzinfo)
        return moment <= now_local < moment + CATCH_UP

    slots = [
        Slot(kind, day)
        for kind, at in (
            (SlotKind.TEACHER, hours.teacher),
            (SlotKind.CURATOR, hours.curator),
            (SlotKind.ADMIN, hours.admin),
            (SlotKind.DEPUTY, hours.deputy),
        )
        if come(at)
    ]
    # The lesson day's digest stays open until midnight: a teacher whose last lesson ends
    # after its hour hears of it once that lesson has ended (rules.teacher_lesson_day).
    if now_local.time() >= hours.lesson_day:
        slots.insert(1, Slot(SlotKind.LESSON_DAY, day))
    if come(hours.deputy) and weekly_day(day, hours.deputy_weekday, cal) == day:
        slots.append(Slot(SlotKind.WEEKLY, day))
    return slots


def is_weekly_day(day: date, hours: Hours, cal: WorkCalendar) -> bool:
    return weekly_day(day, hours.deputy_weekday, cal) == day


def digest_range(today: date, previous: tuple[date, date] | None) -> tuple[date, date]:
    """The days a weekly digest sent on ``today`` covers: from the day after the previous one's
    last day to yesterday, so no day is left out or counted twice when a holiday moves the
    digest or a week has no working day. ``previous`` covering up to yesterday is today's own
    digest worked out again (a restart): the same range. The first digest, and one after a
    long stop, cover at most ``DIGEST_SPAN_MAX`` days."""
    last = today - timedelta(days=1)
    if previous is not None and previous[1] >= last:
        return previous
    first = today - WEEK if previous is None else previous[1] + timedelta(days=1)
    return max(first, today - DIGEST_SPAN_MAX), last


# --- R1, R2, R9: lessons ------------------------------------------------------------------


register_deadline = edit_window.register_deadline  # R1
editable_since = edit_window.editable_since  # the first lesson date still in the edit window


def distance_incomplete(distance: Mapping[str, Any] | None) -> bool:
    if not distance:
        return False
    return not all(str(distance.get(key) or "").strip() for key in ("mode", "platform", "time"))


def distance_missing(
    group_id: int, day: date, distance: Mapping[str, Any] | None, days: set[tuple[int, date]]
) -> bool:
    """R9: the lesson's format is incomplete, or missing on a declared distance day of its
    group (``days``: (group, day) pairs)."""
    if distance:
        return distance_incomplete(distance)
    return (group_id, day) in days


# --- R3: period grades --------------------------------------------------------------------


def attestation_window(ends_on: date, cal: WorkCalendar) -> tuple[date, date]:
    return cal.add_working_days(ends_on, -R3_BEFORE), cal.add_working_days(ends_on, R3_AFTER)


def attestation_due(today: date, ends_on: date, cal: WorkCalendar) -> bool:
    first, last = attestation_window(ends_on, cal)
    return first <= today <= last


# --- R4: absence documents ----------------------------------------------------------------


def justification_deadline(sent_on: date, cal: WorkCalendar) -> date:
    return cal.add_working_days(sent_on, R4_DAYS)


def justification_due(today: date, deadline: date, cal: WorkCalendar) -> bool:
    """Near (the working day before the deadline) or past."""
    return cal.working_days_between(today, deadline) <= 1


# --- R5, R6: accounts and movement orders ------------------------------------------------


def accounts_deadline(ordered_on: date, cal: WorkCalendar) -> date:
    return cal.add_working_days(ordered_on, R5_DAYS)


def entered_late(decided_on: date, entered_on: date, cal: WorkCalendar) -> bool:
    return entered_on > cal.add_working_days(decided_on, R6_DAYS)


# --- R7, R8: the new academic year --------------------------------------------------------


def academic_year_start(today: date) -> date:
    """1 September of the academic year ``today`` belongs to; from August on, the coming one
    (August is when it is prepared)."""
    return date(academic_year(today), 9, 1)


def curriculum_reminder(today: date) -> Due | None:
    """R7 for the deputy: daily from 18 August to 1 September, then overdue (in the weekly
    digest) until the end of September."""
    deadline = curriculum_deadline(today)
    if date(today.year, *R7_FROM) <= today <= deadline:
        return due_status(deadline, today)
    if deadline < today <= date(today.year, *R7_OVERDUE_UNTIL):
        return Due.OVERDUE
    return None


def curriculum_deadline(today: date) -> date:
    return date(today.year, *R7_DUE)


def documents_deadline(today: date) -> date:
    return date(academic_year_start(today).year, *R8_DUE)


def documents_reminder(today: date, weekly: bool) -> Due | None:
    """R8 for teachers: daily from 20 August to 2 September, then on the weekly day."""
    deadline = documents_deadline(today)
    if date(deadline.year, *R8_FROM) <= today <= deadline:
        return due_status(deadline, today)
    if today > deadline and weekly:
        return Due.OVERDUE
    return None


def documents_overdue(today: date) -> bool:
    return today > documents_deadline(today)
