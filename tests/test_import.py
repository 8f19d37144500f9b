"""Importing a college: the sample workbook and CSV folder, re-imports, broken files."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.i18n import I18n, use_locale
from services.importer import (
    BUILTIN_POSITIONS,
    ImportReport,
    ensure_builtin_positions,
    import_college,
    render_report,
)
from storage.importing import table_counts
from storage.models import (
    AuditEntry,
    Base,
    GroupEnrolment,
    Lesson,
    Membership,
    Period,
    Person,
    Position,
    Role,
    Student,
    SubgroupMember,
    TimetableEntry,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
XLSX = EXAMPLES / "sample-college.xlsx"
CSV_DIR = EXAMPLES / "sample-college"
TODAY = date(2026, 11, 30)

Factory = async_sessionmaker[AsyncSession]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with use_locale("en"):
        yield


async def run(factory: Factory, path: Path, today: date = TODAY) -> ImportReport:
    return await import_college(factory, path, today=today)


async def snapshot(factory: Factory) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    async with factory() as session:
        out = {}
        for table in Base.metadata.sorted_tables:
            rows = await session.execute(select(table).order_by(*table.primary_key.columns))
            out[table.name] = [tuple(row) for row in rows]
        return out


async def person(session: AsyncSession, external_id: str) -> Person:
    return (await session.scalars(select(Person).where(Person.external_id == external_id))).one()


async def roles_of(session: AsyncSession, external_id: str) -> set[tuple[Role, bool]]:
    p = await person(session, external_id)
    rows = await session.scalars(select(Membership).where(Membership.person_id == p.id))
    return {(m.role, m.active) for m in rows}


def copy_csv(tmp_path: Path) -> Path:
    folder = tmp_path / "college"
    shutil.copytree(CSV_DIR, folder)
    return folder


def edit_csv(folder: Path, sheet: str, change: Any) -> None:
    """Rewrite one CSV sheet through ``change(rows) -> rows`` (rows are dicts)."""
    path = folder / f"{sheet}.csv"
    with path.open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        rows = change(list(reader))
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header)
        writer.writeheader()
        writer.writerows(rows)


async def test_sample_workbook_imports_the_whole_college(session_factory: Factory) -> None:
    report = await run(session_factory, XLSX)

    assert report.ok, render_report(report)
    assert report.created["student"] == 60
    assert report.created["group"] == 3
    assert report.created["period"] == 2
    assert report.created["lesson"] > 1500
    text = render_report(report)
    assert "Students: created 60" in text
    async with session_factory() as session:
        counts = await table_counts(session)
        assert counts["students"] == 60
        assert counts["bells"] == 5
        assert counts["subgroup_members"] == 20
        assert counts["group_enrolments"] == 60
        positions = await session.scalars(select(Position.code).where(Position.builtin))
        assert set(positions) == {p.code for p in BUILTIN_POSITIONS}
        # A teacher who is a curator, and a teacher who is also a parent of two students.
        assert await roles_of(session, "T001") == {(Role.TEACHER, True), (Role.CURATOR, True)}
        t008 = await person(session, "T008")
        parent_of = await session.scalars(
            select(Membership.student_id).where(
                Membership.person_id == t008.id, Membership.role == Role.PARENT
            )
        )
        assert len(set(parent_of)) == 2
        # The methodist holds the deputy role through the college's own position.
        d003 = await person(session, "D003")
        methodist = (
            await session.scalars(select(Membership).where(Membership.person_id == d003.id))
        ).one()
        position = await session.get(Position, methodist.position_id)
        assert (methodist.role, position.code if position else None) == (
            Role.DEPUTY,
            "methodist",
        )
        # No lessons on Unity Day, on the college's own holiday or in the winter vacation.
        dates = set(await session.scalars(select(Lesson.date).distinct()))
        assert date(2026, 11, 4) not in dates
        assert date(2026, 10, 16) not in dates
        assert not any(date(2027, 1, 1) <= d <= date(2027, 1, 11) for d in dates)
        assert min(dates) == date(2026, 9, 1)
        # Every teacher teaches on at least four weekdays.
        rows = await session.execute(select(Lesson.teacher_id, Lesson.date))
        weekdays: dict[int, set[int]] = {}
        for teacher_id, day in rows:
            weekdays.setdefault(teacher_id, set()).add(day.weekday())
        assert len(weekdays) == 8
        assert all(len(days) >= 4 for days in weekdays.values())
        sources = set(await session.scalars(select(AuditEntry.source).distinct()))
        assert sources == {"import"}


async def test_csv_folder_gives_the_same_store(session_factory: Factory) -> None:
    assert (await run(session_factory, XLSX)).ok
    before = await snapshot(session_factory)

    report = await run(session_factory, CSV_DIR)

    assert report.ok, render_report(report)
    # Any value read differently from the CSV would show up as an update.
    assert not +report.created and not +report.updated and not +report.deleted
    assert await snapshot(session_factory) == before


async def test_reimport_changes_nothing(session_factory: Factory) -> None:
    first = await run(session_factory, CSV_DIR)
    async with session_factory() as session:
        counts = await table_counts(session)

    again = await run(session_factory, CSV_DIR)

    assert first.ok and again.ok
    assert sum(again.created.values()) == sum(again.updated.values()) == 0
    assert sum(again.deleted.values()) == 0
    assert "Nothing has changed" in render_report(again)
    async with session_factory() as session:
        assert await table_counts(session) == counts


async def test_reimport_applies_changes(session_factory: Factory, tmp_path: Path) -> None:
    folder = copy_csv(tmp_path)
    assert (await run(session_factory, folder, today=date(2026, 8, 20))).ok
    async with session_factory() as session:
        s1_person = await person(session, "S0001")
        s1 = (await session.scalars(select(Student).where(Student.person_id == s1_person.id))).one()
        old_group = s1.group_id

    def move_student(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        for row in rows:
            if row["external_id"] == "S0001":
                row.update(group="ТМ-31", subgroups="", record_book="2024-999")
        return rows

    def drop_child(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        for row in rows:
            if row["external_id"] == "T008":
                row["children"] = "S0026"
        return rows

    substitute = ""

    def first_line_to_a_free_teacher(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        nonlocal substitute
        first = rows[0]
        busy = {
            r["teacher"]
            for r in rows
            if (r["period"], r["weekday"], r["pair"])
            == (first["period"], first["weekday"], first["pair"])
        }
        substitute = next(f"T00{n}" for n in range(1, 9) if f"T00{n}" not in busy)
        first.update(teacher=substitute, room="999")
        dropped.append(rows.pop(len(rows) // 2 - 1))  # the last autumn line
        return rows

    dropped: list[dict[str, str]] = []

    edit_csv(folder, "students", move_student)
    edit_csv(folder, "parents", drop_child)
    edit_csv(folder, "timetable", first_line_to_a_free_teacher)
    async with session_factory() as session:
        gone = dropped[0]
        teacher = await person(session, gone["teacher"])
        entry_id = (
            await session.scalars(
                select(TimetableEntry.id).where(
                    TimetableEntry.teacher_id == teacher.id,
                    TimetableEntry.weekday == int(gone["weekday"]) - 1,
                    TimetableEntry.pair_no == int(gone["pair"]),
                    TimetableEntry.period_id
                    == select(Period.id).where(Period.name == gone["period"]).scalar_subquery(),
                )
            )
        ).one()
        rows = await session.execute(
            select(Lesson.id, Lesson.date).where(Lesson.timetable_entry_id == entry_id)
        )
        dropped_lessons = {lesson_id: day for lesson_id, day in rows}

    report = await run(session_factory, folder, today=TODAY)

    assert report.ok, render_report(report)
    assert report.updated["student"] == 1
    assert report.updated["timetable_entry"] == 1
    assert report.deleted["subgroup_member"] == 1
    assert report.updated["lesson"] > 0 and report.created["lesson"] == 0
    async with session_factory() as session:
        s1 = (await session.scalars(select(Student).where(Student.id == s1.id))).one()
        assert s1.group_id != old_group and s1.record_book == "2024-999"
        history = (
            await session.scalars(
                select(GroupEnrolment)
                .where(GroupEnrolment.student_id == s1.id)
                .order_by(GroupEnrolment.id)
            )
        ).all()
        assert [(h.group_id, h.since, h.until) for h in history] == [
            (old_group, date(2025, 9, 1), TODAY),
            (s1.group_id, TODAY, None),
        ]
        members = await session.scalars(
            select(SubgroupMember).where(SubgroupMember.student_id == s1.id)
        )
        assert members.all() == []
        # T008 is no longer a parent of S0001, but still of S0026 and still a teacher.
        roles = await roles_of(session, "T008")
        assert roles == {(Role.TEACHER, True), (Role.PARENT, True), (Role.PARENT, False)}
        # The timetable line changed from TODAY on; the lessons before stay as taught.
        substitute_person = await person(session, substitute)
        entry = (
            await session.scalars(
                select(TimetableEntry).where(
                    TimetableEntry.teacher_id == substitute_person.id, TimetableEntry.room == "999"
                )
            )
        ).one()
        lessons = (
            await session.scalars(
                select(Lesson).where(Lesson.timetable_entry_id == entry.id).order_by(Lesson.date)
            )
        ).all()
        assert {x.teacher_id == substitute_person.id for x in lessons if x.date >= TODAY} == {True}
        assert {x.teacher_id == substitute_person.id for x in lessons if x.date < TODAY} == {False}
        # The dropped line's lessons: taught ones stay (without their line), future ones go.
        rows = await session.execute(
            select(Lesson.id, Lesson.timetable_entry_id).where(Lesson.id.in_(list(dropped_lessons)))
        )
        left = {lesson_id: entry for lesson_id, entry in rows}
        assert set(left) == {i for i, d in dropped_lessons.items() if d < TODAY}
        assert set(left.values()) == {None}
        assert any(d >= TODAY for d in dropped_lessons.values())


def broken_workbook(tmp_path: Path) -> Path:
    book = load_workbook(XLSX)
    students = book["students"]
    students["A4"] = "S0002"  # a duplicate id: S0002 is on row 3
    students["F5"] = "ЗЗ-99"  # an unknown group
    students["E6"] = "31.02.2009"  # not a date
    book["bells"].delete_cols(3)  # the "ends" column is gone
    book["timetable"]["F2"] = "sometimes"  # parity
    book["timetable"]["H3"] = "T999"  # unknown teacher
    path = tmp_path / "broken.xlsx"
    book.save(path)
    return path


async def test_broken_workbook_reports_every_error_and_writes_nothing(
    session_factory: Factory, tmp_path: Path
) -> None:
    path = broken_workbook(tmp_path)
    empty = await snapshot(session_factory)
    report = await run(session_factory, path)
    assert not report.ok
    assert await snapshot(session_factory) == empty

    found = {(e.sheet, e.row, e.column): e.message for e in report.errors}
    assert found[("students", 4, "external_id")] == "“S0002” is already on row 3."
    assert found[("students", 5, "group")] == "Unknown group “ЗЗ-99”."
    assert found[("students", 6, "birth_date")] == (
        "“31.02.2009” is not a date: write it as 2026-09-01 or 01.09.2026."
    )
    assert found[("bells", 1, "ends")] == "The column is missing."
    assert found[("timetable", 2, "parity")].startswith("“sometimes” is not one of: every")
    assert found[("timetable", 3, "teacher")] == "Unknown teacher “T999”."

    text = render_report(report)
    assert text.startswith(f"The file has {len(report.errors)} errors. Nothing was imported.")
    assert "Sheet “students”, row 5, column “group”: Unknown group “ЗЗ-99”." in text

    # A store holding a college is left exactly as it was too.
    assert (await run(session_factory, XLSX)).ok
    before = await snapshot(session_factory)
    assert not (await run(session_factory, path)).ok
    assert await snapshot(session_factory) == before


async def test_errors_follow_the_locale(session_factory: Factory, tmp_path: Path) -> None:
    msgid = "Unknown group “{value}”."
    russian = I18n.get_current().gettext(msgid, locale="ru")
    if russian == msgid:
        pytest.skip("the Russian catalog does not translate the import messages yet")
    with use_locale("ru"):
        report = await run(session_factory, broken_workbook(tmp_path))
        text = render_report(report)
    assert russian.format(value="ЗЗ-99") in [e.message for e in report.errors]
    assert russian.format(value="ЗЗ-99") in text


async def test_missing_sheet_and_unreadable_paths(session_factory: Factory, tmp_path: Path) -> None:
    folder = copy_csv(tmp_path)
    (folder / "timetable.csv").unlink()
    report = await run(session_factory, folder)
    assert [(e.sheet, e.row, e.column, e.message) for e in report.errors] == [
        ("timetable", None, None, "The sheet is missing.")
    ]
    assert "Sheet “timetable”: The sheet is missing." in render_report(report)

    missing = await run(session_factory, tmp_path / "nowhere.xlsx")
    assert missing.errors[0].message.startswith("The file ")
    text_file = tmp_path / "college.txt"
    text_file.write_text("hello")
    wrong = await run(session_factory, text_file)
    assert wrong.errors[0].message == (
        "Only an .xlsx workbook or a folder of .csv files can be imported."
    )
    async with session_factory() as session:
        assert (await table_counts(session))["people"] == 0


async def test_cross_references_and_values_are_checked(
    session_factory: Factory, tmp_path: Path
) -> None:
    folder = copy_csv(tmp_path)

    def bad_staff(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        rows[0]["roles"] = "deputy; wizard"
        rows[1]["email"] = "not-an-email"
        return rows

    def bad_bells(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        rows[0]["ends"] = "08:00"  # before the start
        rows[1]["starts"] = "25:61"
        return rows

    def bad_curriculum(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        rows[0]["attestation_form"] = "essay"
        rows[1]["semester"] = "two"
        return rows

    edit_csv(folder, "staff", bad_staff)
    edit_csv(folder, "bells", bad_bells)
    edit_csv(folder, "curriculum", bad_curriculum)
    report = await run(session_factory, folder)
    found = {(e.sheet, e.row, e.column): e.message for e in report.errors}
    assert found[("staff", 2, "roles")] == "Unknown role or position “wizard”."
    assert found[("staff", 3, "email")] == "“not-an-email” is not an e-mail address."
    assert found[("bells", 2, "ends")] == "The end is not after the start."
    assert found[("bells", 3, "starts")] == "“25:61” is not a time: write it as 08:30."
    assert found[("curriculum", 2, "attestation_form")].startswith("“essay” is not one of:")
    assert found[("curriculum", 3, "semester")] == "“two” is not a whole number."
    async with session_factory() as session:
        assert (await table_counts(session))["organisations"] == 0


async def test_builtin_positions_are_ensured_once(session: AsyncSession) -> None:
    first = await ensure_builtin_positions(session)
    await session.commit()
    second = await ensure_builtin_positions(session)
    await session.commit()
    assert first == second
    assert set(first) == {p.role for p in BUILTIN_POSITIONS}
    count = await session.scalar(select(func.count()).select_from(Position))
    audit = await session.scalars(select(AuditEntry.action))
    assert count == len(BUILTIN_POSITIONS)
    assert Counter(audit) == {"create": len(BUILTIN_POSITIONS)}


async def test_staff_leave_only_by_an_explicit_status(
    session_factory: Factory, tmp_path: Path
) -> None:
    folder = copy_csv(tmp_path)
    assert (await run(session_factory, folder)).ok
    path = folder / "staff.csv"
    with path.open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = [*(reader.fieldnames or []), "status", "left_on"]
        rows = list(reader)
    kept = [r for r in rows if r["external_id"] != "D002"]  # the director's row is missing
    for row in kept:
        if row["external_id"] == "D001":
            row.update(status="уволена", left_on="2026-12-01")
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header)
        writer.writeheader()
        writer.writerows(kept)

    assert (await run(session_factory, folder)).ok
    async with session_factory() as session:
        deputy = await person(session, "D001")
        director = await person(session, "D002")
        ended = (
            await session.scalars(select(Membership).where(Membership.person_id == deputy.id))
        ).all()
        kept_roles = (
            await session.scalars(select(Membership).where(Membership.person_id == director.id))
        ).all()
    assert ended and all(m.until == date(2026, 12, 1) for m in ended)  # the first day out
    assert all(m.active for m in ended)  # from tomorrow; today they still work
    assert kept_roles and all(m.active and m.until is None for m in kept_roles)
    assert (await run(session_factory, folder, today=date(2026, 12, 2))).ok
    async with session_factory() as session:
        ended = (
            await session.scalars(select(Membership).where(Membership.person_id == deputy.id))
        ).all()
    assert all(m.until == date(2026, 12, 1) for m in ended)
