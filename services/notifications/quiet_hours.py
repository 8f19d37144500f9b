"""Quiet hours: nobody is woken by the journal. A message due in them waits for their end."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def release_time(at: datetime, tz: ZoneInfo, quiet_from: time, quiet_to: time) -> datetime:
    """``at`` itself, or the end of the quiet hours (college time) it falls in, as UTC.

    ``quiet_from`` after ``quiet_to`` means the quiet hours span midnight (22:00–07:00);
    equal times mean there are none."""
    if quiet_from == quiet_to:
        return at
    local = at.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    day = local.date()
    if quiet_from > quiet_to:
        if clock >= quiet_from:
            day += timedelta(days=1)
        elif clock >= quiet_to:
            return at
    elif not quiet_from <= clock < quiet_to:
        return at
    return datetime.combine(day, quiet_to, tzinfo=tz).astimezone(UTC)


def latest_local(now: datetime, tz: ZoneInfo, at: time, *, weekday: int | None = None) -> datetime:
    """The latest moment not after ``now`` that is ``at`` o'clock college time (on ``weekday``
    when given, Monday = 0), as UTC."""
    local = now.astimezone(tz)
    day = local.date()
    for _ in range(8):
        moment = datetime.combine(day, at, tzinfo=tz)
        if moment <= local and (weekday is None or day.weekday() == weekday):
            return moment.astimezone(UTC)
        day -= timedelta(days=1)
    raise AssertionError("a week always holds the weekday")
