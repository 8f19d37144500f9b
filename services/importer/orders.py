"""A batch of movement orders from a file: the sheet ``orders`` of an XLSX workbook, or
``orders.csv`` in a folder (docs/import-format.md).

Each row is one order, checked and entered exactly as in the bot (services/orders), in the
file's order, under the name of the person who enters the batch (who must hold the right to
enter orders). All rows go in one transaction: with any error the report lists every row that
was refused and nothing is stored.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import JournalError
from core.i18n import _
from services.access import Actor, load_actor
from services.orders import effects
from services.orders.draft import Draft, check, parse_name, require_right
from storage.models import Group, OrderKind, Organisation, Person, Student, Subgroup

from .cells import Row
from .report import RowError
from .sheets import SPECS, Sheet, read_sheets

SHEET = "orders"
REQUIRED = SPECS[SHEET].required
KINDS = {kind.value: kind for kind in OrderKind} | {
    "зачисление": OrderKind.ENROLMENT,
    "перевод": OrderKind.TRANSFER,
    "академический отпуск": OrderKind.ACADEMIC_LEAVE,
    "выход из академического отпуска": OrderKind.REINSTATEMENT,
    "отчисление": OrderKind.EXPULSION,
    "перевод на следующий курс": OrderKind.NEXT_COURSE,
    "выпуск": OrderKind.GRADUATION,
}


@dataclass
class OrdersReport:
    entered: int = 0
    errors: list[RowError] = field(default_factory=list)


class _Refused(Exception):
    """Some row was refused: the whole batch is undone."""


async def import_orders(
    session_factory: async_sessionmaker[AsyncSession], path: Path, by: str, *, now: datetime
) -> OrdersReport:
    """Enter the file's orders as the person whose import key (``external_id``) is ``by``."""
    report = OrdersReport()
    sheets = await asyncio.to_thread(read_sheets, Path(path), report.errors)
    if sheets is None:
        return report
    sheet = sheets.get(SHEET)
    if sheet is None:
        report.errors.append(RowError(SHEET, None, None, _("The sheet is missing.")))
        return report
    missing = [c for c in REQUIRED if c not in sheet.columns]
    for column in missing:
        report.errors.append(RowError(SHEET, 1, column, _("The column is missing.")))
    if missing:
        return report
    try:
        async with session_factory() as session, session.begin():
            person = await session.scalar(select(Person).where(Person.external_id == by))
            if person is None:
                report.errors.append(
                    RowError(None, None, None, _("Nobody has the import key {key}.").format(key=by))
                )
                raise _Refused
            try:
                actor = await load_actor(session, person.id)
                require_right(actor)
            except JournalError as exc:
                report.errors.append(RowError(None, None, None, exc.message))
                raise _Refused from exc
            report.entered = await _enter_all(session, actor, sheet, report.errors, now)
            if report.errors:
                raise _Refused
    except _Refused:
        report.entered = 0
    return report


async def _enter_all(
    session: AsyncSession, actor: Actor, sheet: Sheet, errors: list[RowError], now: datetime
) -> int:
    org = await session.get(Organisation, actor.org_id)
    today = now.astimezone(ZoneInfo(org.timezone if org else "UTC")).date()
    entered = 0
    for number, cells in sheet.rows:
        row = Row(SHEET, number, cells, errors)
        draft = await _draft(session, actor, row)
        if draft is None or row.failed:
            continue
        if draft.decided_on is not None and draft.decided_on > today:
            row.error("order_date", _("The order's date is still ahead."))
            continue
        try:  # the checks come before any write: a refused row leaves nothing behind
            await effects.enter(session, actor, await check(session, actor, draft), now)
        except JournalError as exc:
            row.error(None, exc.message)
            continue
        entered += 1
    return entered


async def _draft(session: AsyncSession, actor: Actor, row: Row) -> Draft | None:
    kind = row.choice("kind", KINDS, required=True)
    number = row.text("number", required=True, limit=32)
    decided = row.day("order_date", required=True)
    effective = row.day("effective_date") or decided
    if kind is None or number is None or decided is None:
        return None
    draft = Draft(kind, number=number, decided_on=decided, effective_on=effective)
    draft.note = row.text("reason", limit=500) or ""
    if kind is OrderKind.ENROLMENT:
        try:
            draft.new_name = parse_name(row.text("name", required=True) or "")
        except JournalError as exc:
            row.error("name", exc.message)
    elif kind in (OrderKind.NEXT_COURSE, OrderKind.GRADUATION):
        draft.group_id = await _group(session, actor, row, "group", required=True)
    else:
        draft.student_id = await _student(session, actor, row)
    if kind in (OrderKind.ENROLMENT, OrderKind.TRANSFER):
        draft.to_group_id = await _group(session, actor, row, "to_group", required=True)
        sub = row.text("to_subgroup")
        if sub and draft.to_group_id is not None:
            draft.to_subgroup_id = await session.scalar(
                select(Subgroup.id).where(
                    Subgroup.group_id == draft.to_group_id, Subgroup.name == sub
                )
            )
            if draft.to_subgroup_id is None:
                row.error("to_subgroup", _("No such subgroup in that group."))
    return draft


async def _group(
    session: AsyncSession, actor: Actor, row: Row, column: str, *, required: bool
) -> int | None:
    name = row.text(column, required=required)
    if name is None:
        return None
    found = await session.scalar(
        select(Group.id).where(Group.org_id == actor.org_id, Group.name == name)
    )
    if found is None:
        row.error(column, _("No such group: {name}.").format(name=name))
    return found


async def _student(session: AsyncSession, actor: Actor, row: Row) -> int | None:
    key = row.text("student", required=True)
    if key is None:
        return None
    found = await session.scalar(
        select(Student.id)
        .join(Person, Person.id == Student.person_id)
        .where(Student.org_id == actor.org_id, Person.external_id == key)
    )
    if found is None:
        row.error("student", _("No student has the import key {key}.").format(key=key))
    return found
