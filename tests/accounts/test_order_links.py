"""The college office prints the links of everyone an order names who is not linked yet:
its students and their parents."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from keyboards.accounts import AccCb
from storage.models import MovementOrder, OrderKind, OrderStudent
from tests.accounts.kit import OfficeCollege
from tests.botapp import BotApp


async def _order(app: BotApp, college: OfficeCollege) -> int:
    async with app.session_factory.begin() as session:
        order = MovementOrder(
            org_id=college.org.id, number="41-к", year=2026, kind=OrderKind.ENROLMENT,
            decided_on=college.today, effective_on=college.today,
        )  # fmt: skip
        session.add(order)
        await session.flush()
        for student in college.students[:2]:
            session.add(
                OrderStudent(order_id=order.id, student_id=student.id, to_group_id=college.group.id)
            )
        return order.id


async def test_the_secretary_prints_the_links_of_an_order(
    app: BotApp, college: OfficeCollege
) -> None:
    app.stand_at(college.now)
    await _order(app, college)
    linked = college.students[0]
    await app.link(linked.person, language="en")
    secretary = await app.link(college.secretary, language="en")
    await secretary.command("menu")
    await secretary.click("👤 Accounts")
    await secretary.click("📜 Links by order")
    await secretary.click(f"No. 41-к of {college.today:%d.%m.%Y} · enrolment")
    document = secretary.last.document
    assert document is not None and document.file_name.endswith(".xlsx")
    book = load_workbook(io.BytesIO(document.content))
    names = {str(r[1]) for r in list(book.active.iter_rows(values_only=True))[1:]}
    second = college.students[1]
    assert names == {
        second.person.full_name,
        college.parents[linked.id].full_name,
        college.parents[second.id].full_name,
    }


async def test_an_order_press_without_the_right_is_refused(
    app: BotApp, college: OfficeCollege
) -> None:
    app.stand_at(college.now)
    order_id = await _order(app, college)
    teacher = await app.link(college.teacher, language="en")
    await teacher.command("menu")
    await teacher.click_data(teacher.last, AccCb(act="ol", id=order_id).pack())
    assert teacher.alerts[-1].show_alert
    assert teacher.last.document is None
