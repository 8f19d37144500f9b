"""A re-import of the college's workbook after movement orders: the orders win. The file
never moves a student an order has touched back to another group, never brings back one who
left, never resets a group's course, and says where it differs; a student merely missing
from the file is not touched."""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.i18n import use_locale
from services.importer import import_college, render_report
from services.importer.orders import import_orders
from storage.models import (
    Group,
    GroupEnrolment,
    Membership,
    Person,
    Role,
    Student,
    StudentStatus,
)
from tests.test_import import edit_csv

CSV_DIR = Path(__file__).resolve().parents[2] / "examples" / "sample-college"
TODAY = date(2026, 11, 16)
NOW = datetime(2026, 11, 16, 3, 0, tzinfo=UTC)  # 14:00 in Sakhalin
Factory = async_sessionmaker[AsyncSession]
ORDERS = [
    ["number", "kind", "order_date", "student", "group", "to_group", "reason"],
    ["70-к", "transfer", "16.11.2026", "S0002", "", "ТМ-31", ""],
    ["71-к", "expulsion", "16.11.2026", "S0001", "", "", "по собственному желанию"],
    ["72-к", "next_course", "16.11.2026", "", "ПК-11", "", ""],
]


def _without_s0003(folder: Path) -> None:
    edit_csv(folder, "students", lambda rows: [r for r in rows if r["external_id"] != "S0003"])

    def drop_child(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        kept = []
        for row in rows:
            children = [c.strip() for c in row["children"].split(";") if c.strip() != "S0003"]
            if children:
                kept.append({**row, "children": "; ".join(children)})
        return kept

    edit_csv(folder, "parents", drop_child)


async def _student(session: AsyncSession, external_id: str) -> Student:
    return (
        await session.scalars(select(Student).join(Person).where(Person.external_id == external_id))
    ).one()


async def _group_name(session: AsyncSession, group_id: int | None) -> str:
    group = await session.get(Group, group_id)
    assert group is not None
    return group.name


async def _roles_for(session: AsyncSession, student: Student) -> set[tuple[Role, bool]]:
    rows = await session.scalars(select(Membership).where(Membership.student_id == student.id))
    return {(m.role, m.active) for m in rows}


async def _own_role(session: AsyncSession, student: Student) -> set[tuple[Role, bool]]:
    return {
        (role, active)
        for role, active in await _roles_for(session, student)
        if role is Role.STUDENT
    }


async def test_orders_win_over_a_reimport(session_factory: Factory, tmp_path: Path) -> None:
    folder = tmp_path / "college"
    shutil.copytree(CSV_DIR, folder)
    assert (await import_college(session_factory, folder, today=TODAY)).ok
    batch = tmp_path / "orders"
    batch.mkdir()
    with (batch / "orders.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(ORDERS)
    entered = await import_orders(session_factory, batch, "A002", now=NOW)
    assert entered.errors == [] and entered.entered == 3
    async with session_factory() as session:
        s3 = await _student(session, "S0003")
        s3_before = (s3.group_id, s3.status, await _own_role(session, s3))
        expelled = await _student(session, "S0001")
        expelled_roles = await _roles_for(session, expelled)
    assert all(not active for _role, active in expelled_roles)

    # S0003 is left out of the file (the parents sheet no longer names them either).
    _without_s0003(folder)
    with use_locale("en"):
        report = await import_college(session_factory, folder, today=date(2026, 11, 20))
        text = render_report(report)
    assert report.ok, text
    assert "Kept as movement orders made it (the file differs):" in text
    assert "Антонов Артём (S0002) is in ТМ-31 by order 70-к; the file says ИС-21." in text
    assert "Морозова Валерия (S0001) left by order 71-к;" in text
    assert "ПК-11 is in course 2 by order 72-к; the file says 1." in text

    async with session_factory() as session:
        moved = await _student(session, "S0002")
        assert await _group_name(session, moved.group_id) == "ТМ-31"
        stays = await session.scalars(
            select(GroupEnrolment).where(
                GroupEnrolment.student_id == moved.id, GroupEnrolment.until.is_(None)
            )
        )
        assert [await _group_name(session, s.group_id) for s in stays] == ["ТМ-31"]
        expelled = await _student(session, "S0001")
        assert expelled.status is StudentStatus.EXPELLED
        assert await _roles_for(session, expelled) == expelled_roles
        group = (await session.scalars(select(Group).where(Group.name == "ПК-11"))).one()
        assert group.course_year == 2
        s3 = await _student(session, "S0003")
        assert (s3.group_id, s3.status, await _own_role(session, s3)) == s3_before

    # A second re-import changes nothing more and says the same.
    with use_locale("en"):
        again = await import_college(session_factory, folder, today=date(2026, 11, 20))
    assert again.warnings == report.warnings
