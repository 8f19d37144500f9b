"""Checking the whole file before anything is written.

Every sheet is read in an order where references can be checked: groups before students,
the curriculum before the timetable, and so on. All problems are collected, none stops the
check, so the user fixes the file in one go.
"""

from __future__ import annotations

from . import regional, validate_org, validate_people, validate_schedule
from .context import Context
from .model import CollegeData
from .report import RowError
from .sheets import Sheet


def validate(sheets: dict[str, Sheet], errors: list[RowError]) -> CollegeData | None:
    """The checked college, or None when ``errors`` holds anything."""
    ctx = Context(sheets, errors)
    validate_org.read_college(ctx)
    validate_org.read_positions(ctx)
    validate_org.read_groups(ctx)
    validate_org.read_curriculum(ctx)
    validate_org.read_subgroups(ctx)
    validate_org.read_bells(ctx)
    validate_org.read_calendar(ctx)
    validate_people.read_staff(ctx)
    regional.read_regional(ctx)
    validate_people.read_students(ctx)
    validate_people.read_parents(ctx)
    validate_schedule.read_assignments(ctx)
    validate_schedule.read_timetable(ctx)
    if errors or ctx.data.college is None:
        return None
    return ctx.data
