"""The import use case: read, check everything, then write everything in one transaction."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import importing as q

from .model import CollegeData
from .positions import ensure_builtin_positions
from .regional import check_colleges, write_regional
from .report import ImportReport
from .sheets import read_sheets
from .validate import validate
from .writer import Writer
from .writer_org import (
    write_calendar,
    write_college,
    write_curriculum,
    write_groups,
    write_positions,
)
from .writer_people import end_left_staff, write_memberships, write_people, write_students
from .writer_schedule import write_assignments, write_lessons, write_timetable


async def import_college(
    session_factory: async_sessionmaker[AsyncSession], path: Path, *, today: date | None = None
) -> ImportReport:
    """Import a college from an XLSX workbook or a folder of CSV files.

    Nothing is written unless the whole file is valid: with any error the report lists all
    of them (sheet, row, column, message in the current locale) and the store is untouched.
    ``today`` (the college's date by default) dates new roles and group moves.
    """
    report = ImportReport()
    sheets = await asyncio.to_thread(read_sheets, Path(path), report.errors)
    if sheets is None:
        return report
    data = await asyncio.to_thread(validate, sheets, report.errors)
    if data is None or data.college is None:
        return report
    report.college = data.college.name
    today = today or datetime.now(ZoneInfo(data.college.timezone)).date()
    async with session_factory() as session, session.begin():
        await check_colleges(session, data, report.errors)
        if report.errors:
            return report
        await write(Writer(session, data, report, today))
    return report


async def write(w: Writer) -> None:
    builtin = await ensure_builtin_positions(w.session, source="import")
    await write_college(w)
    custom = await write_positions(w)
    programme_id, curriculum_id, discipline_id = await write_curriculum(w)
    group_id, subgroup_id = await write_groups(w, programme_id, curriculum_id)
    period_id = await write_calendar(w, group_id)
    person_id = await write_people(w)
    student_id = await write_students(w, person_id, group_id, subgroup_id)
    await write_memberships(w, person_id, student_id, group_id, builtin, custom)
    await end_left_staff(w, person_id)
    await write_regional(w, person_id)
    refs = (person_id, group_id, subgroup_id, discipline_id, period_id)
    await write_assignments(w, *refs)
    await write_timetable(w, *refs)
    await q.insert_audit(w.session, w.audit)
    await write_lessons(w, period_id)


__all__ = ["CollegeData", "import_college"]
